-- name: CreateAPIToken :one
INSERT INTO api_tokens (org_id, user_id, name, role, token_hash, prefix)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, org_id, user_id, name, role, prefix, last_used_at, revoked_at, created_at;

-- name: GetAPITokenByHash :one
SELECT * FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL;

-- name: TouchAPIToken :exec
-- Recorded at most once a minute per token so busy scripts do not write on every call.
UPDATE api_tokens SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: ListAPITokens :many
-- Admins see every token of the organisation; others only their own (user_id NULL means all).
SELECT id, org_id, user_id, name, role, prefix, last_used_at, revoked_at, created_at
FROM api_tokens
WHERE org_id = sqlc.arg(org_id)
  AND (sqlc.narg(user_id)::uuid IS NULL OR user_id = sqlc.narg(user_id))
  AND revoked_at IS NULL
ORDER BY created_at DESC, id;

-- name: RevokeAPIToken :one
UPDATE api_tokens SET revoked_at = now()
WHERE id = sqlc.arg(id) AND org_id = sqlc.arg(org_id) AND revoked_at IS NULL
  AND (sqlc.narg(user_id)::uuid IS NULL OR user_id = sqlc.narg(user_id))
RETURNING id, name;

-- name: RevokeUserAPITokens :many
-- Every live token a person created, in every organisation: a password reset ends them.
UPDATE api_tokens SET revoked_at = now()
WHERE user_id = $1 AND revoked_at IS NULL
RETURNING id, org_id, name;
