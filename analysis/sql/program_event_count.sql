-- How many programme events carry this date and label.
SELECT count(*) FROM program_events
WHERE event_date = $event_date AND label = $label
