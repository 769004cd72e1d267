-- What identity resolution could not settle: rows naming a mentor several mentors share
-- (ambiguous, held as unattributed), mentors named outside the roster, and roster disagreements.
SELECT kind, source, batch_id, reference, candidates, row_count
FROM identity_issues
ORDER BY kind, batch_id, reference
