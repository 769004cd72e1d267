-- The loads whose file is one of the bundled sample's exports (named by the content hash of each).
SELECT batch_id, file_name
FROM ingest_batches
WHERE list_contains($hashes::VARCHAR[], content_hash)
ORDER BY batch_id
