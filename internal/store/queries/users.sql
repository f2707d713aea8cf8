-- name: CreateUser :one
-- Returns no row when the email is taken (compared case-insensitively).
INSERT INTO users (email, name, password_hash)
VALUES ($1, $2, $3)
ON CONFLICT ((lower(email))) DO NOTHING
RETURNING *;

-- name: GetUser :one
SELECT * FROM users WHERE id = $1;

-- name: GetUserByEmail :one
SELECT * FROM users WHERE lower(email) = lower(sqlc.arg(email));

-- name: MarkEmailVerified :exec
UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now() WHERE id = $1;

-- name: SetPassword :one
-- Bumping session_version signs out every session of the user.
UPDATE users SET password_hash = $2, session_version = session_version + 1, updated_at = now()
WHERE id = $1
RETURNING session_version;

-- name: CreateEmailToken :exec
INSERT INTO email_tokens (token_hash, purpose, user_id, expires_at) VALUES ($1, $2, $3, $4);

-- name: UseEmailToken :one
-- Consumes a token once: a second use, an expired token or another purpose finds nothing.
UPDATE email_tokens SET used_at = now()
WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
RETURNING user_id;

-- name: GetIdentity :one
SELECT * FROM user_identities WHERE provider = $1 AND subject = $2;

-- name: CreateIdentity :exec
INSERT INTO user_identities (provider, subject, user_id, email) VALUES ($1, $2, $3, $4)
ON CONFLICT (provider, subject) DO NOTHING;

-- name: CreateVerifiedUser :one
-- A user created from a provider that vouched for the email.
INSERT INTO users (email, name, email_verified_at) VALUES ($1, $2, now())
ON CONFLICT ((lower(email))) DO NOTHING
RETURNING *;

-- name: ClearUnverifiedPassword :exec
-- A password set on an address nobody had proven is dropped when its real
-- owner proves it another way (pre-registration takeover).
UPDATE users SET password_hash = NULL, session_version = session_version + 1, updated_at = now()
WHERE id = $1 AND email_verified_at IS NULL;

-- name: SpendUserTokens :exec
-- Voids the unused links of that purpose the user was sent: a reset was completed, or the address proved.
UPDATE email_tokens SET used_at = now()
WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL;

-- name: InsertPasswordReset :exec
INSERT INTO password_reset_requests (id, email, ip, user_agent) VALUES ($1, $2, $3, $4);

-- name: ClaimPasswordReset :one
-- The request, once: a second claim (a retried activity) finds no row.
UPDATE password_reset_requests SET claimed_at = now()
WHERE id = $1 AND claimed_at IS NULL
RETURNING email, ip, user_agent;

-- name: PasswordResetMail :one
SELECT mail_id FROM password_reset_requests WHERE id = $1;

-- name: SetPasswordResetMail :exec
UPDATE password_reset_requests SET mail_id = $2 WHERE id = $1;

-- name: DeleteOldPasswordResetRequests :execrows
DELETE FROM password_reset_requests WHERE created_at < $1;
