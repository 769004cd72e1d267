-- Per mentor, element and source, before and after an event day: observations and shown, with
-- the mentor's segments and email (to tell who the event applied to).
SELECT
    mentor_id,
    any_value(mentor_email) AS mentor_email,
    any_value(department) AS department,
    any_value(cohort) AS cohort,
    any_value(location) AS location,
    element,
    source_kind,
    observed_on >= $event_date::DATE AS after,
    count(*) AS observation_count,
    sum(shown) AS shown_count
FROM src
GROUP BY mentor_id, element, source_kind, after
ORDER BY mentor_id, element, source_kind, after
