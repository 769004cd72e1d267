-- Per element and source: the distinct survey respondents behind the group's figures (the
-- anonymity rule counts people, not observations); the mentors are counted from
-- mentor_source_counts.
SELECT
    element,
    source_kind,
    count(DISTINCT respondent_hash) AS respondent_count
FROM src
WHERE respondent_hash IS NOT NULL
GROUP BY element, source_kind
ORDER BY element, source_kind
