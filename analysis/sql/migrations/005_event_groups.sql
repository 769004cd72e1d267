-- A programme event says whom it applied to (segments and/or mentors by email), so its impact
-- can be measured against the other mentors.
ALTER TABLE program_events ADD COLUMN treated_json TEXT;
