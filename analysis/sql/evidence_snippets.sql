-- The observations behind a figure, newest first: what a user sees when they drill in.
SELECT
    observed_on,
    source,
    respondent_role,
    element,
    value,
    evidence,
    mentor_id
FROM obs
WHERE element = $element
  AND value = $value
  AND ($mentor_id::VARCHAR IS NULL OR mentor_id = $mentor_id::VARCHAR)
  AND evidence <> ''
ORDER BY observed_on DESC, source_id
LIMIT $limit
