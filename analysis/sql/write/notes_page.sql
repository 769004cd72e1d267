-- The next page of session notes to read for element evidence: one load's (or every load's),
-- after the row id of the last page, in row id order.
SELECT rowid AS row_id, notes
FROM sessions
WHERE ($batch_id::INTEGER IS NULL OR batch_id = $batch_id::INTEGER)
  AND notes IS NOT NULL AND trim(notes) <> ''
  AND rowid > $after::BIGINT
ORDER BY rowid
LIMIT $page::INTEGER
