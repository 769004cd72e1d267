-- The audit trail, newest first, at most $limit lines.
SELECT audit_id, happened_at, actor_email, actor_role, action, detail
FROM audit_log
ORDER BY audit_id DESC
LIMIT $limit
