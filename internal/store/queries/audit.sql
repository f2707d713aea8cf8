-- name: InsertAuditEvent :exec
INSERT INTO audit_log (org_id, actor_user_id, actor_token_id, subject_user_id, action, target_type, target_id, ip, user_agent, metadata)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: ListOrgAuditEvents :many
SELECT * FROM audit_log
WHERE org_id = sqlc.arg(org_id)
  AND (sqlc.arg(before_id)::bigint = 0 OR id < sqlc.arg(before_id)::bigint)
  AND (sqlc.arg(action)::text = '' OR action = sqlc.arg(action)::text)
  AND (sqlc.narg(actor_user_id)::uuid IS NULL OR actor_user_id = sqlc.narg(actor_user_id))
  AND (sqlc.narg(actor_token_id)::uuid IS NULL OR actor_token_id = sqlc.narg(actor_token_id))
  AND (sqlc.narg(since)::timestamptz IS NULL OR created_at >= sqlc.narg(since))
  AND (sqlc.narg(until)::timestamptz IS NULL OR created_at < sqlc.narg(until))
ORDER BY id DESC
LIMIT sqlc.arg(max_rows);

-- name: ListUserAuditEvents :many
-- Account events only (sign-ins, resets): events inside an organisation belong to its activity log.
SELECT * FROM audit_log
WHERE subject_user_id = sqlc.arg(user_id) AND org_id IS NULL
  AND (sqlc.arg(before_id)::bigint = 0 OR id < sqlc.arg(before_id)::bigint)
ORDER BY id DESC
LIMIT sqlc.arg(max_rows);
