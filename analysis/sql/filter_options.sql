-- The values each segment filter can take, with the first and last observation day.
SELECT
    list(DISTINCT coalesce(department, 'Unassigned') ORDER BY coalesce(department, 'Unassigned')) AS departments,
    list(DISTINCT coalesce(cohort, 'Unassigned') ORDER BY coalesce(cohort, 'Unassigned')) AS cohorts,
    list(DISTINCT coalesce(location, 'Unassigned') ORDER BY coalesce(location, 'Unassigned')) AS locations,
    (SELECT min(observed_on) FROM element_evidence) AS first_day,
    (SELECT max(observed_on) FROM element_evidence) AS last_day
FROM mentors
