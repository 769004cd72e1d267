-- Days between consecutive sessions of the same pair, for the chosen mentors.
SELECT pair_id, gap_days
FROM (
    SELECT
        s.pair_id,
        s.session_date - lag(s.session_date) OVER (PARTITION BY s.pair_id ORDER BY s.session_date) AS gap_days
    FROM sessions AS s
    JOIN chosen AS c USING (mentor_id)
    WHERE s.session_date <= $as_of::DATE
)
WHERE gap_days IS NOT NULL
ORDER BY pair_id
