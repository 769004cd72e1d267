-- One row per observation and element after the shared filters. Survey items are favourable
-- (value 1) when their rescaled answer reaches $favourable; notes and comments carry the detected
-- value (1 shown, 0 not mentioned, -1 the opposite). Rows that could not be attributed to one
-- mentor (namesakes) are left out. Used as the CTE `obs` by the other queries.
SELECT
    e.mentor_id,
    e.source,
    e.source_id,
    e.observed_on,
    e.respondent_role,
    e.respondent_hash,
    e.element,
    CASE
        WHEN e.source = 'survey_item' THEN CASE WHEN e.score_01 >= $favourable THEN 1 ELSE 0 END
        ELSE e.value
    END AS value,
    e.evidence,
    coalesce(m.department, 'Unassigned') AS department,
    coalesce(m.location, 'Unassigned') AS location,
    coalesce(m.cohort, 'Unassigned') AS cohort
FROM element_evidence AS e
LEFT JOIN mentors AS m USING (mentor_id)
WHERE e.mentor_id IS NOT NULL
  AND ($start::DATE IS NULL OR e.observed_on >= $start::DATE)
  AND ($end::DATE IS NULL OR e.observed_on <= $end::DATE)
  AND ($departments::VARCHAR[] IS NULL OR list_contains($departments::VARCHAR[], coalesce(m.department, 'Unassigned')))
  AND ($cohorts::VARCHAR[] IS NULL OR list_contains($cohorts::VARCHAR[], coalesce(m.cohort, 'Unassigned')))
  AND ($locations::VARCHAR[] IS NULL OR list_contains($locations::VARCHAR[], coalesce(m.location, 'Unassigned')))
  AND list_contains($sources::VARCHAR[], e.source)
  AND list_contains($roles::VARCHAR[], e.respondent_role)
