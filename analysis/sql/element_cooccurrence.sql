-- For notes and comments: how often two elements show up in the same text.
WITH shown AS (
    SELECT source_id, element FROM obs
    WHERE source IN ('session_note', 'survey_comment') AND value = 1
),
texts AS (
    SELECT count(DISTINCT source_id) AS text_count FROM obs
    WHERE source IN ('session_note', 'survey_comment')
)
SELECT
    a.element AS element_a,
    b.element AS element_b,
    count(*) AS both_count,
    (SELECT count(*) FROM shown WHERE element = a.element) AS a_count,
    (SELECT count(*) FROM shown WHERE element = b.element) AS b_count,
    (SELECT text_count FROM texts) AS text_count
FROM shown AS a
JOIN shown AS b ON a.source_id = b.source_id AND a.element < b.element
GROUP BY a.element, b.element
ORDER BY a.element, b.element
