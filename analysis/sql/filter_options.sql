-- The values each segment filter can take, with the first and last day of any data (observations,
-- sessions without notes, survey responses), so the default period hides nothing.
SELECT
    list(DISTINCT coalesce(department, 'Unassigned') ORDER BY coalesce(department, 'Unassigned')) AS departments,
    list(DISTINCT coalesce(cohort, 'Unassigned') ORDER BY coalesce(cohort, 'Unassigned')) AS cohorts,
    list(DISTINCT coalesce(location, 'Unassigned') ORDER BY coalesce(location, 'Unassigned')) AS locations,
    (SELECT min(day) FROM (
        SELECT min(observed_on) AS day FROM element_evidence
        UNION ALL SELECT min(session_date) FROM sessions
        UNION ALL SELECT min(response_date) FROM survey_responses
    )) AS first_day,
    (SELECT max(day) FROM (
        SELECT max(observed_on) AS day FROM element_evidence
        UNION ALL SELECT max(session_date) FROM sessions
        UNION ALL SELECT max(response_date) FROM survey_responses
    )) AS last_day
FROM mentors
