-- Who stands behind the observations: one row per mentor, month and (for survey answers)
-- respondent, with the mentor's segments. The privacy rule counts the people behind any filter
-- combination, and behind the difference of two, from it. Distinct first, then the segments.
SELECT
    e.mentor_id,
    coalesce(m.department, 'Unassigned') AS department,
    coalesce(m.cohort, 'Unassigned') AS cohort,
    coalesce(m.location, 'Unassigned') AS location,
    e.month,
    e.respondent_hash
FROM (
    SELECT DISTINCT mentor_id, CAST(date_trunc('month', observed_on) AS DATE) AS month, respondent_hash
    FROM element_evidence
    WHERE mentor_id IS NOT NULL
) AS e
JOIN mentors AS m USING (mentor_id)
ORDER BY ALL
