-- Where each element's observations come from: every survey item mapped to it (by its question
-- text), session notes, and survey comments, with the counts behind each.
SELECT
    element,
    source,
    item_text,
    count(*) AS observation_count,
    count(*) FILTER (WHERE value = 1) AS shown_count,
    count(*) FILTER (WHERE value = -1) AS concern_count,
    count(DISTINCT mentor_id) AS mentor_count,
    count(DISTINCT respondent_hash) AS respondent_count
FROM (
    SELECT
        obs.*,
        CASE
            WHEN obs.source = 'survey_item'
                THEN coalesce(items.item_text, substr(obs.source_id, strpos(obs.source_id, '/') + 1))
        END AS item_text
    FROM obs
    LEFT JOIN (
        SELECT layout_key, item_id, any_value(item_text) AS item_text
        FROM item_elements
        GROUP BY layout_key, item_id
    ) AS items
      ON obs.source = 'survey_item'
     AND items.layout_key = split_part(obs.source_id, ':', 1)
     AND items.item_id = substr(obs.source_id, strpos(obs.source_id, '/') + 1)
) AS named
GROUP BY element, source, item_text
ORDER BY element, source, item_text
