-- Per value of a segment column mapped in a survey (the respondent's team, tenure, ...) and element:
-- the heatmap cells. Only survey answers and comments carry a respondent, so only they count here.
SELECT
    rs.value AS segment_value,
    obs.element,
    count(*) AS observation_count,
    count(*) FILTER (WHERE obs.value = 1) AS shown_count,
    count(DISTINCT obs.mentor_id) AS mentor_count,
    count(DISTINCT obs.respondent_hash) AS respondent_count
FROM obs
JOIN response_segments AS rs
  ON rs.response_id = split_part(obs.source_id, '/', 1) AND rs.segment = $segment
WHERE obs.source IN ('survey_item', 'survey_comment')
GROUP BY segment_value, obs.element
ORDER BY segment_value, obs.element
