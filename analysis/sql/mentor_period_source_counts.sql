-- Per period (month or quarter), mentor, element and source: observations and shown, for trends
-- whose intervals and changes are clustered by mentor.
SELECT
    CAST(date_trunc($grain, observed_on) AS DATE) AS period_start,
    mentor_id,
    element,
    source_kind,
    count(*) AS observation_count,
    sum(shown) AS shown_count,
    count(DISTINCT respondent_hash) AS respondent_count
FROM src
GROUP BY period_start, mentor_id, element, source_kind
ORDER BY period_start, mentor_id, element, source_kind
