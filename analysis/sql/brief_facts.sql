-- Who and what stands behind a view, for the brief's one statement of scope: mentors observed,
-- mentees who answered and their responses, session notes read.
SELECT
    count(DISTINCT mentor_id) AS mentors,
    count(DISTINCT respondent_hash) FILTER (WHERE source_kind = 'mentee_rating') AS respondents,
    count(DISTINCT parent_id) FILTER (WHERE source_kind = 'mentee_rating') AS responses,
    count(DISTINCT parent_id) FILTER (WHERE source_kind = 'session_note') AS notes
FROM src
