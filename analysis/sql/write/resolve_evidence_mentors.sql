-- Every observation takes the mentor of the session or response it came from.
UPDATE element_evidence AS e
SET mentor_id = s.mentor_id
FROM sessions AS s
WHERE e.source = 'session_note' AND e.parent_id = s.session_id
  AND e.mentor_id IS DISTINCT FROM s.mentor_id;
UPDATE element_evidence AS e
SET mentor_id = r.mentor_id
FROM survey_responses AS r
WHERE e.source <> 'session_note' AND e.parent_id = r.response_id
  AND e.mentor_id IS DISTINCT FROM r.mentor_id;
