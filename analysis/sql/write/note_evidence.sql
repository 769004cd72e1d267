-- Element evidence for one page of classified session notes (`_found`: text_id = the session's
-- row id, element, value, evidence). Who, when and which load come from the session row itself,
-- so only the reading crosses from Python (the long id strings never do).
INSERT INTO element_evidence (
    batch_id, source, source_id, parent_id, mentor_id, observed_on, respondent_role,
    respondent_hash, element, value, score_01, evidence
)
SELECT s.batch_id, 'session_note', s.session_id, s.session_id, s.mentor_id, s.session_date,
       'mentor_log', NULL, f.element, f.value, NULL, f.evidence
FROM _found AS f
JOIN sessions AS s ON s.rowid = f.text_id
