-- Survey observations per wave and element (mentee and self views kept apart by the role filter).
SELECT
    coalesce(b.wave, strftime(w.first_on, '%b %Y')) AS wave,
    w.first_on AS wave_start,
    o.element,
    count(*) AS observation_count,
    count(*) FILTER (WHERE o.value = 1) AS shown_count,
    count(DISTINCT o.mentor_id) AS mentor_count,
    count(DISTINCT o.respondent_hash) AS respondent_count
FROM obs AS o
JOIN survey_responses AS r ON r.response_id = split_part(o.source_id, '/', 1)
JOIN ingest_batches AS b ON b.batch_id = r.batch_id
JOIN (SELECT batch_id, min(response_date) AS first_on FROM survey_responses GROUP BY batch_id) AS w
    ON w.batch_id = r.batch_id
WHERE o.source = 'survey_item'
GROUP BY ALL
ORDER BY wave_start, o.element
