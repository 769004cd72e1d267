-- Give each session the mentor, mentee and pair its references resolve to (from _session_map, one
-- row per distinct reference), touching only the rows whose resolution changed.
UPDATE sessions AS s
SET mentor_id = m.mentor_id, mentee_id = m.mentee_id, pair_id = m.pair_id
FROM _session_map AS m
WHERE s.batch_id = m.batch_id
  AND s.mentor_name_key IS NOT DISTINCT FROM m.mentor_name_key
  AND s.mentor_email IS NOT DISTINCT FROM m.mentor_email
  AND s.mentee_ref_kind IS NOT DISTINCT FROM m.mentee_ref_kind
  AND s.mentee_key IS NOT DISTINCT FROM m.mentee_key
  AND (s.mentor_id IS DISTINCT FROM m.mentor_id
       OR s.mentee_id IS DISTINCT FROM m.mentee_id
       OR s.pair_id IS DISTINCT FROM m.pair_id)
