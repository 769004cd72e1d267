-- Every load, newest first.
SELECT batch_id, file_name, kind, format_label, rows_read, rows_loaded, rows_rejected,
       duplicates_skipped, invited_count, wave, loaded_at
FROM ingest_batches
ORDER BY batch_id DESC
