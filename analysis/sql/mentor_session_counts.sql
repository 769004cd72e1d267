-- Per chosen mentor: sessions logged (zero included) and their last session.
SELECT
    c.mentor_id,
    c.display_name AS mentor_name,
    c.department,
    c.location,
    c.cohort,
    count(s.session_id) AS session_count,
    max(s.session_date) AS last_session_on
FROM chosen AS c
LEFT JOIN sessions AS s ON s.mentor_id = c.mentor_id AND s.session_date <= $as_of::DATE
GROUP BY ALL
ORDER BY c.mentor_id
