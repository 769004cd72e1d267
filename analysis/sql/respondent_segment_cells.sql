-- Per value of a segment column mapped in a survey (the respondent's team, tenure, ...), element
-- and mentor: mentees' ratings only (only survey answers carry a respondent's segment).
SELECT
    rs.value AS segment_value,
    src.element,
    src.mentor_id,
    count(*) AS observation_count,
    sum(src.shown) AS shown_count,
    count(DISTINCT src.respondent_hash) AS respondent_count
FROM src
JOIN response_segments AS rs
  ON rs.response_id = src.parent_id AND rs.segment = $segment
WHERE src.source_kind = 'mentee_rating'
GROUP BY segment_value, src.element, src.mentor_id
ORDER BY segment_value, src.element, src.mentor_id
