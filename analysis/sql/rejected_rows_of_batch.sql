-- Rows a load set aside, with the reason for each.
SELECT row_number, column_name, reason, raw_value
FROM rejected_rows
WHERE batch_id = $batch_id
ORDER BY row_number, column_name
