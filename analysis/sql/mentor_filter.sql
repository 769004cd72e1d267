-- The mentors inside the segment filters (used as the CTE `chosen` by people-based queries).
SELECT
    mentor_id,
    display_name,
    coalesce(department, 'Unassigned') AS department,
    coalesce(location, 'Unassigned') AS location,
    coalesce(cohort, 'Unassigned') AS cohort
FROM mentors
WHERE ($departments::VARCHAR[] IS NULL OR list_contains($departments::VARCHAR[], coalesce(department, 'Unassigned')))
  AND ($cohorts::VARCHAR[] IS NULL OR list_contains($cohorts::VARCHAR[], coalesce(cohort, 'Unassigned')))
  AND ($locations::VARCHAR[] IS NULL OR list_contains($locations::VARCHAR[], coalesce(location, 'Unassigned')))
