-- What one load was, for naming it in the audit trail before it is undone.
SELECT file_name, kind, rows_loaded
FROM ingest_batches
WHERE batch_id = $batch_id
