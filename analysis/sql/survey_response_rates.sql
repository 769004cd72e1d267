-- Per survey load whose number invited is known: responses loaded against invitations.
SELECT
    b.batch_id,
    b.file_name,
    coalesce(b.wave, strftime(min(r.response_date), '%b %Y')) AS wave,
    b.invited_count,
    count(r.response_id) AS response_count
FROM ingest_batches AS b
LEFT JOIN survey_responses AS r USING (batch_id)
WHERE b.kind = 'survey' AND b.invited_count IS NOT NULL
GROUP BY b.batch_id, b.file_name, b.wave, b.invited_count
ORDER BY b.batch_id
