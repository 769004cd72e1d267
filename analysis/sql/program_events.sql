-- Program events the user entered (e.g. a mentor training), for marking time axes and measuring
-- their impact on the mentors they applied to.
SELECT event_date, label, treated_json FROM program_events ORDER BY event_date
