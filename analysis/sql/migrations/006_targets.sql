-- What the program aims for: per element and source (a target for mentees' ratings is not a
-- target for session notes), the share in percent, set by an admin. Drawn as a line on charts
-- and compared with each figure's interval.
CREATE TABLE element_targets (
    element TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    target_pct DOUBLE NOT NULL,
    set_by TEXT,
    set_on TIMESTAMP NOT NULL,
    PRIMARY KEY (element, source_kind)
);
