-- Mentee survey rounds with responses in the period whose number invited was given at upload:
-- every response of the round (the invitation was to the whole round, not to a segment). A round
-- is named by its quarter, as the charts and the change since the last round name it.
SELECT
    CAST(year(min(r.response_date)) AS VARCHAR) || ' Q'
        || CAST(quarter(min(r.response_date)) AS VARCHAR) AS wave,
    b.invited_count,
    count(r.response_id) AS response_count
FROM ingest_batches AS b
JOIN survey_responses AS r USING (batch_id)
WHERE b.kind = 'survey'
  AND b.invited_count IS NOT NULL
  AND r.respondent_role = 'mentee'
GROUP BY b.batch_id, b.wave, b.invited_count
HAVING ($start::DATE IS NULL OR max(r.response_date) >= $start::DATE)
   AND ($end::DATE IS NULL OR min(r.response_date) <= $end::DATE)
ORDER BY min(r.response_date)
