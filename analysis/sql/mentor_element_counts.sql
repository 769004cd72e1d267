-- Per mentor, element and kind of source (survey or session): observations, shown, concerns
-- and distinct survey respondents (so per-mentor views can hide survey detail behind few people).
SELECT
    mentor_id,
    element,
    CASE WHEN source = 'session_note' THEN 'session' ELSE 'survey' END AS source_kind,
    count(*) AS observation_count,
    count(*) FILTER (WHERE value = 1) AS shown_count,
    count(*) FILTER (WHERE value = -1) AS concern_count,
    count(DISTINCT respondent_hash) AS respondent_count
FROM obs
GROUP BY mentor_id, element, source_kind
ORDER BY mentor_id, element, source_kind
