-- Remove one programme event, named by its date and label.
DELETE FROM program_events
WHERE event_date = $event_date AND label = $label
