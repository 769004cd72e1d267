-- Give each survey response the mentor its reference resolves to (from _survey_map, one row per
-- distinct reference and respondent), touching only the rows whose resolution changed.
UPDATE survey_responses AS r
SET mentor_id = m.mentor_id
FROM _survey_map AS m
WHERE r.batch_id = m.batch_id
  AND r.mentor_name_key IS NOT DISTINCT FROM m.mentor_name_key
  AND r.mentor_email IS NOT DISTINCT FROM m.mentor_email
  AND r.respondent_ref_kind IS NOT DISTINCT FROM m.respondent_ref_kind
  AND r.respondent_hash IS NOT DISTINCT FROM m.respondent_hash
  AND r.respondent_role IS NOT DISTINCT FROM m.respondent_role
  AND r.mentor_id IS DISTINCT FROM m.mentor_id
