-- Identity resolved from all the data, not from the order files arrive in.
-- Facts (roster rows, sessions, survey responses) keep the references they were loaded with (names,
-- emails, keyed hashes of mentees); mentors, mentees and pairs are derived from every loaded fact
-- and rebuilt after each load and undo (analysis/ingest/identity.py), as are the mentor_id columns
-- of the facts. Databases made before this migration keep their figures: their resolved ids are
-- turned back into references.

-- Loads are numbered from a counter, so a number is never reused after an undo.
INSERT INTO meta
SELECT 'next_batch_id', CAST(coalesce(max(batch_id), 0) + 1 AS TEXT) FROM ingest_batches;

-- Every row key each load contained, duplicates of earlier loads included: undoing a load hands
-- the rows it shares with another load over to that load instead of deleting them.
CREATE TABLE batch_rows (batch_id INTEGER NOT NULL, row_key TEXT NOT NULL);

-- The roster as loaded, one row per person per roster file. Mentees only as keyed hashes and
-- initials (they answer surveys).
CREATE TABLE roster_entries (
    batch_id INTEGER NOT NULL,
    row_number INTEGER,
    role TEXT NOT NULL,
    display_name TEXT NOT NULL,
    name_key TEXT,
    email_key TEXT,
    department TEXT,
    location TEXT,
    cohort TEXT,
    mentor_name_key TEXT,
    mentor_email TEXT,
    started_on DATE
);
INSERT INTO roster_entries
SELECT m.batch_id, NULL, 'mentor', m.display_name, m.name_key, lower(m.email),
       m.department, m.location, m.cohort, NULL, NULL, NULL
FROM mentors AS m JOIN ingest_batches AS b USING (batch_id)
WHERE b.kind = 'roster';
INSERT INTO roster_entries
SELECT e.batch_id, NULL, 'mentee', e.display_name, e.name_key,
       CASE WHEN e.mentee_id <> 'mentee:' || e.name_key THEN substr(e.mentee_id, 8) END,
       e.department, e.location, e.cohort,
       CASE WHEN mm.email IS NULL THEN mm.name_key END, lower(mm.email), p.started_on
FROM mentees AS e
JOIN ingest_batches AS b USING (batch_id)
LEFT JOIN pairs AS p ON p.mentee_id = e.mentee_id AND p.batch_id = e.batch_id
LEFT JOIN mentors AS mm ON mm.mentor_id = p.mentor_id
WHERE b.kind = 'roster';

CREATE TABLE sessions_v2 (
    session_id TEXT NOT NULL,
    batch_id INTEGER NOT NULL,
    mentor_display TEXT,
    mentor_name_key TEXT,
    mentor_email TEXT,
    mentee_ref_kind TEXT,
    mentee_key TEXT,
    mentee_display TEXT,
    session_date DATE NOT NULL,
    duration_min DOUBLE,
    format TEXT,
    notes TEXT,
    mentor_id TEXT,
    mentee_id TEXT,
    pair_id TEXT
);
INSERT INTO sessions_v2
SELECT s.session_id, s.batch_id, m.display_name,
       CASE WHEN m.email IS NULL THEN m.name_key END, lower(m.email),
       CASE WHEN s.mentee_id IS NULL THEN NULL ELSE 'legacy' END, s.mentee_id, me.display_name,
       s.session_date, s.duration_min, s.format, s.notes, s.mentor_id, s.mentee_id, s.pair_id
FROM sessions AS s LEFT JOIN mentors AS m USING (mentor_id) LEFT JOIN mentees AS me USING (mentee_id);
DROP TABLE sessions;
ALTER TABLE sessions_v2 RENAME TO sessions;

CREATE TABLE survey_responses_v2 (
    response_id TEXT NOT NULL,
    batch_id INTEGER NOT NULL,
    layout_key TEXT,
    wave TEXT,
    respondent_hash TEXT,
    respondent_ref_kind TEXT,
    respondent_role TEXT NOT NULL,
    mentor_display TEXT,
    mentor_name_key TEXT,
    mentor_email TEXT,
    response_date DATE NOT NULL,
    mentor_id TEXT
);
INSERT INTO survey_responses_v2
SELECT r.response_id, r.batch_id, r.layout_key, r.wave, r.respondent_hash, NULL,
       r.respondent_role, m.display_name, CASE WHEN m.email IS NULL THEN m.name_key END,
       lower(m.email), r.response_date, r.mentor_id
FROM survey_responses AS r LEFT JOIN mentors AS m USING (mentor_id);
DROP TABLE survey_responses;
ALTER TABLE survey_responses_v2 RENAME TO survey_responses;

ALTER TABLE survey_answers ADD COLUMN reversed BOOLEAN DEFAULT false;
ALTER TABLE item_elements ADD COLUMN reversed BOOLEAN DEFAULT false;

CREATE TABLE element_evidence_v2 (
    batch_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    mentor_id TEXT,
    observed_on DATE NOT NULL,
    respondent_role TEXT NOT NULL,
    respondent_hash TEXT,
    element TEXT NOT NULL,
    value TINYINT NOT NULL,
    score_01 DOUBLE,
    evidence TEXT NOT NULL
);
INSERT INTO element_evidence_v2
SELECT batch_id, source, source_id,
       CASE WHEN source = 'session_note' THEN source_id ELSE split_part(source_id, '/', 1) END,
       mentor_id, observed_on, respondent_role, respondent_hash, element, value, score_01, evidence
FROM element_evidence;
DROP TABLE element_evidence;
ALTER TABLE element_evidence_v2 RENAME TO element_evidence;

-- Derived from the facts above by analysis/ingest/identity.py; never written by a load directly.
DROP TABLE pairs;
DROP TABLE mentees;
DROP TABLE mentors;
CREATE TABLE mentors (
    mentor_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    name_key TEXT,
    email TEXT,
    department TEXT,
    location TEXT,
    cohort TEXT,
    in_roster BOOLEAN NOT NULL
);
CREATE TABLE mentees (
    mentee_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    department TEXT,
    location TEXT,
    cohort TEXT,
    in_roster BOOLEAN NOT NULL
);
CREATE TABLE pairs (
    pair_id TEXT NOT NULL,
    mentor_id TEXT NOT NULL,
    mentee_id TEXT NOT NULL,
    started_on DATE
);
-- What could not be attributed to one mentor, and what the roster files disagree on.
CREATE TABLE identity_issues (
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    batch_id INTEGER,
    reference TEXT NOT NULL,
    candidates TEXT,
    row_count INTEGER NOT NULL
);
