-- The segment columns mapped in any loaded survey, by name.
SELECT DISTINCT segment FROM response_segments ORDER BY segment
