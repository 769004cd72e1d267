-- How many loads the database holds.
SELECT count(*) FROM ingest_batches
