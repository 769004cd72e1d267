-- For notes and comments: how often two elements show up in the same text.
SELECT
    a.element AS element_a,
    b.element AS element_b,
    count(*) AS both_count,
    (SELECT count(*) FROM obs WHERE source <> 'survey_item' AND value = 1 AND element = a.element) AS a_count,
    (SELECT count(*) FROM obs WHERE source <> 'survey_item' AND value = 1 AND element = b.element) AS b_count,
    (SELECT count(DISTINCT source_id) FROM obs WHERE source <> 'survey_item') AS text_count
FROM obs AS a
JOIN obs AS b ON a.source_id = b.source_id AND a.element < b.element
WHERE a.source <> 'survey_item' AND a.value = 1 AND b.value = 1
GROUP BY a.element, b.element
ORDER BY a.element, b.element
