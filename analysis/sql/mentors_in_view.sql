-- The mentors inside the segment filters, by name, with the email that tells namesakes apart.
SELECT c.mentor_id, c.display_name, m.email
FROM chosen AS c
JOIN mentors AS m USING (mentor_id)
ORDER BY c.display_name, m.email, c.mentor_id
