-- Per mentor, survey wave and element: the favourable share of the mentor's own self-assessment
-- items and of their mentees' items. A wave is the quarter in which its load's responses began,
-- so a self-assessment and a mentee survey run in the same round pair up.
SELECT
    src.mentor_id,
    waves.wave,
    src.element,
    src.source_kind,
    count(*) AS observation_count,
    sum(src.shown) AS shown_count,
    count(DISTINCT src.respondent_hash) AS respondent_count
FROM src
JOIN (
    SELECT
        r.response_id,
        strftime(min(r.response_date) OVER (PARTITION BY r.batch_id), '%Y')
            || ' Q' || CAST(quarter(min(r.response_date) OVER (PARTITION BY r.batch_id)) AS VARCHAR)
            AS wave
    FROM survey_responses AS r
) AS waves ON waves.response_id = src.parent_id
WHERE src.source_kind IN ('mentee_rating', 'self_assessment')
GROUP BY src.mentor_id, waves.wave, src.element, src.source_kind
ORDER BY src.mentor_id, waves.wave, src.element, src.source_kind
