-- Per mentor, element and source: observations, shown, concerns and distinct respondents (the
-- unit every interval and partially pooled rate is computed from), with the mentor's segments.
-- Distinct respondents are counted over survey rows only (notes have none), the costly part.
WITH counted AS (
    SELECT
        mentor_id,
        element,
        source_kind,
        count(*) AS observation_count,
        sum(shown) AS shown_count,
        sum(concern) AS concern_count
    FROM src
    GROUP BY mentor_id, element, source_kind
),
respondents AS (
    SELECT mentor_id, element, source_kind, count(DISTINCT respondent_hash) AS respondent_count
    FROM src
    WHERE respondent_hash IS NOT NULL
    GROUP BY mentor_id, element, source_kind
)
SELECT
    c.mentor_id,
    coalesce(m.department, 'Unassigned') AS department,
    coalesce(m.cohort, 'Unassigned') AS cohort,
    coalesce(m.location, 'Unassigned') AS location,
    c.element,
    c.source_kind,
    c.observation_count,
    c.shown_count,
    c.concern_count,
    coalesce(r.respondent_count, 0) AS respondent_count
FROM counted AS c
JOIN mentors AS m USING (mentor_id)
LEFT JOIN respondents AS r USING (mentor_id, element, source_kind)
ORDER BY c.mentor_id, c.element, c.source_kind
