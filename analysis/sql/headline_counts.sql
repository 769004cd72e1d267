-- The Overview's headline figures for the chosen mentors.
SELECT
    (SELECT count(*) FROM chosen) AS mentor_count,
    (SELECT count(DISTINCT p.mentee_id) FROM pairs AS p JOIN chosen USING (mentor_id)) AS mentee_count,
    (SELECT count(*) FROM sessions AS s JOIN chosen USING (mentor_id)
        WHERE s.session_date > $as_of::DATE - $active_days::INTEGER AND s.session_date <= $as_of::DATE)
        AS sessions_last_30_days,
    (SELECT count(DISTINCT s.pair_id) FROM sessions AS s JOIN chosen USING (mentor_id)
        WHERE s.session_date > $as_of::DATE - $active_days::INTEGER AND s.session_date <= $as_of::DATE)
        AS active_pair_count,
    (SELECT count(*) FROM sessions AS s JOIN chosen USING (mentor_id)) AS session_count,
    (SELECT count(*) FROM survey_responses AS r JOIN chosen USING (mentor_id)
        WHERE ($start::DATE IS NULL OR r.response_date >= $start::DATE)
          AND ($end::DATE IS NULL OR r.response_date <= $end::DATE)) AS response_count
