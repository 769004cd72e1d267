-- Per mentor, element and source: observations, shown, concerns and distinct respondents (the
-- unit every interval and partially pooled rate is computed from), with the mentor's segments.
SELECT
    mentor_id,
    any_value(department) AS department,
    any_value(cohort) AS cohort,
    any_value(location) AS location,
    element,
    source_kind,
    count(*) AS observation_count,
    sum(shown) AS shown_count,
    sum(concern) AS concern_count,
    count(DISTINCT respondent_hash) AS respondent_count
FROM src
GROUP BY mentor_id, element, source_kind
ORDER BY mentor_id, element, source_kind
