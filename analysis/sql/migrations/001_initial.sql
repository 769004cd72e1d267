-- Initial schema. Survey answers are long form (one row per answer); element_evidence holds one
-- row per observation and element, whatever its source.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE ingest_batches (
    batch_id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    format_label TEXT NOT NULL,
    layout_key TEXT,
    rows_read INTEGER NOT NULL,
    rows_loaded INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    duplicates_skipped INTEGER NOT NULL,
    invited_count INTEGER,
    wave TEXT,
    loaded_at TIMESTAMP NOT NULL
);

CREATE TABLE rejected_rows (
    batch_id INTEGER NOT NULL,
    row_number INTEGER,
    column_name TEXT,
    reason TEXT NOT NULL,
    raw_value TEXT
);

CREATE TABLE mentors (
    mentor_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    email TEXT,
    department TEXT,
    location TEXT,
    cohort TEXT,
    batch_id INTEGER NOT NULL
);

CREATE TABLE mentees (
    mentee_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    department TEXT,
    location TEXT,
    cohort TEXT,
    batch_id INTEGER NOT NULL
);

CREATE TABLE pairs (
    pair_id TEXT PRIMARY KEY,
    mentor_id TEXT NOT NULL,
    mentee_id TEXT NOT NULL,
    started_on DATE,
    batch_id INTEGER NOT NULL
);

CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    mentor_id TEXT NOT NULL,
    mentee_id TEXT,
    pair_id TEXT,
    session_date DATE NOT NULL,
    duration_min DOUBLE,
    format TEXT,
    notes TEXT
);

CREATE TABLE survey_responses (
    response_id TEXT PRIMARY KEY,
    batch_id INTEGER NOT NULL,
    layout_key TEXT,
    wave TEXT,
    respondent_hash TEXT,
    respondent_role TEXT NOT NULL,
    mentor_id TEXT NOT NULL,
    response_date DATE NOT NULL
);

CREATE TABLE survey_answers (
    response_id TEXT NOT NULL,
    batch_id INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    item_text TEXT NOT NULL,
    element TEXT,
    answer_raw TEXT NOT NULL,
    score_01 DOUBLE NOT NULL
);

CREATE TABLE survey_comments (
    response_id TEXT NOT NULL,
    batch_id INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    item_text TEXT NOT NULL,
    comment_text TEXT NOT NULL
);

CREATE TABLE response_segments (
    response_id TEXT NOT NULL,
    batch_id INTEGER NOT NULL,
    segment TEXT NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE item_elements (
    layout_key TEXT NOT NULL,
    item_id TEXT NOT NULL,
    item_text TEXT NOT NULL,
    element TEXT,
    batch_id INTEGER NOT NULL
);

CREATE TABLE layout_mappings (
    layout_key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    mapping_json TEXT NOT NULL,
    saved_at TIMESTAMP NOT NULL
);

CREATE TABLE element_evidence (
    batch_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    mentor_id TEXT NOT NULL,
    observed_on DATE NOT NULL,
    respondent_role TEXT NOT NULL,
    respondent_hash TEXT,
    element TEXT NOT NULL,
    value TINYINT NOT NULL,
    score_01 DOUBLE,
    evidence TEXT NOT NULL
);

CREATE TABLE program_events (
    event_date DATE NOT NULL,
    label TEXT NOT NULL
);
