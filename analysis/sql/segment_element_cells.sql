-- Per segment value (department, cohort or location) and element: the heatmap cells.
SELECT
    CASE $segment
        WHEN 'department' THEN department
        WHEN 'cohort' THEN cohort
        WHEN 'location' THEN location
    END AS segment_value,
    element,
    count(*) AS observation_count,
    count(*) FILTER (WHERE value = 1) AS shown_count,
    count(DISTINCT mentor_id) AS mentor_count,
    count(DISTINCT respondent_hash) AS respondent_count
FROM obs
GROUP BY segment_value, element
ORDER BY segment_value, element
