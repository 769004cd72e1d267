-- The most recent day with any activity: "last 30 days" is counted back from here.
SELECT greatest(
    (SELECT max(session_date) FROM sessions),
    (SELECT max(response_date) FROM survey_responses)
) AS as_of_date
