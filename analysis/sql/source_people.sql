-- Per element and source: the distinct mentors and survey respondents behind the group's figures
-- (the anonymity rule counts people, not observations).
SELECT
    element,
    source_kind,
    count(DISTINCT mentor_id) AS mentor_count,
    count(DISTINCT respondent_hash) AS respondent_count
FROM src
GROUP BY element, source_kind
ORDER BY element, source_kind
