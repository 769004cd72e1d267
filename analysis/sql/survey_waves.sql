-- Each survey wave: its label and the days its responses span (marked on trend charts).
SELECT
    coalesce(b.wave, strftime(min(r.response_date), '%b %Y')) AS wave,
    min(r.response_date) AS first_response_on,
    max(r.response_date) AS last_response_on,
    count(*) AS response_count
FROM survey_responses AS r
JOIN ingest_batches AS b USING (batch_id)
GROUP BY b.batch_id, b.wave
ORDER BY first_response_on
