-- One line of the audit trail (run inside the transaction of the change it describes).
INSERT INTO audit_log (happened_at, actor_email, actor_role, action, detail)
VALUES ($happened_at, $actor_email, $actor_role, $action, $detail)
