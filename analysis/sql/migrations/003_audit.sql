-- The audit trail: who loaded, undid, re-scored, changed a mapping or exported what, and when.
-- Rows are written in the same transaction as the change they describe, and never removed.
CREATE SEQUENCE audit_id_seq START 1;

CREATE TABLE audit_log (
    audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    happened_at TIMESTAMP NOT NULL,
    actor_email TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
