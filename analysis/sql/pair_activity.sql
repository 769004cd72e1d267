-- Per mentoring pair of a chosen mentor: sessions, first and last session, recent sessions.
SELECT
    p.pair_id,
    p.mentor_id,
    c.display_name AS mentor_name,
    p.mentee_id,
    me.display_name AS mentee_name,
    p.started_on,
    count(s.session_id) AS session_count,
    min(s.session_date) AS first_session_on,
    max(s.session_date) AS last_session_on,
    count(s.session_id) FILTER (
        WHERE s.session_date > $as_of::DATE - $window_days::INTEGER AND s.session_date <= $as_of::DATE
    ) AS sessions_in_window
FROM pairs AS p
JOIN chosen AS c USING (mentor_id)
LEFT JOIN mentees AS me USING (mentee_id)
LEFT JOIN sessions AS s ON s.pair_id = p.pair_id AND s.session_date <= $as_of::DATE
GROUP BY p.pair_id, p.mentor_id, c.display_name, p.mentee_id, me.display_name, p.started_on
ORDER BY p.pair_id
