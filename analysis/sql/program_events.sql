-- Program events the user entered (e.g. a mentor training), for marking time axes.
SELECT event_date, label FROM program_events ORDER BY event_date
