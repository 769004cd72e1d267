-- Each answer given to a scale question mapped to an element, with its rescaled score (for a
-- negatively worded question already turned round: its favourable end scores 1) and how often it
-- was given: the labels a person would call favourable are read from here.
SELECT
    item_id,
    any_value(item_text) AS item_text,
    answer_raw,
    score_01,
    count(*) AS answer_count
FROM survey_answers
WHERE element IS NOT NULL
GROUP BY item_id, answer_raw, score_01
ORDER BY item_id, score_01, answer_raw
