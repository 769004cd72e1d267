-- One row per observation, labelled with the source it is reported under: mentees' ratings,
-- mentors' self-assessments, session notes, survey comments. Survey answers show the element when
-- their rescaled answer reaches $favourable. After the period and segment filters (not the source
-- choice: every source is reported as itself). Used as the CTE `src` by the per-source queries.
SELECT
    e.mentor_id,
    e.parent_id,
    e.observed_on,
    e.respondent_hash,
    e.element,
    CASE
        WHEN e.source = 'session_note' THEN 'session_note'
        WHEN e.source = 'survey_item' AND e.respondent_role = 'mentee' THEN 'mentee_rating'
        WHEN e.source = 'survey_item' THEN 'self_assessment'
        ELSE 'comment'
    END AS source_kind,
    CASE
        WHEN e.source = 'survey_item' THEN CAST(e.score_01 >= $favourable AS INTEGER)
        ELSE CAST(e.value = 1 AS INTEGER)
    END AS shown,
    CAST(e.value = -1 AS INTEGER) AS concern,
    m.email AS mentor_email,
    coalesce(m.department, 'Unassigned') AS department,
    coalesce(m.location, 'Unassigned') AS location,
    coalesce(m.cohort, 'Unassigned') AS cohort
FROM element_evidence AS e
JOIN mentors AS m USING (mentor_id)
WHERE ($start::DATE IS NULL OR e.observed_on >= $start::DATE)
  AND ($end::DATE IS NULL OR e.observed_on <= $end::DATE)
  AND ($departments::VARCHAR[] IS NULL OR list_contains($departments::VARCHAR[], coalesce(m.department, 'Unassigned')))
  AND ($cohorts::VARCHAR[] IS NULL OR list_contains($cohorts::VARCHAR[], coalesce(m.cohort, 'Unassigned')))
  AND ($locations::VARCHAR[] IS NULL OR list_contains($locations::VARCHAR[], coalesce(m.location, 'Unassigned')))
