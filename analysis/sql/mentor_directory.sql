-- The chosen mentors, by name, for the admin views.
SELECT mentor_id, display_name, department, location, cohort
FROM chosen
ORDER BY display_name
