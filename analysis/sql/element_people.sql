-- Per element: how many distinct mentors and survey respondents stand behind the figures.
SELECT
    element,
    count(DISTINCT mentor_id) AS mentor_count,
    count(DISTINCT respondent_hash) AS respondent_count
FROM obs
GROUP BY element
