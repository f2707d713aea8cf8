-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions WHERE expiry < now();

-- name: DeleteSpentEmailTokens :execrows
-- Used or expired tokens are kept a week for the audit trail's sake, then dropped.
DELETE FROM email_tokens WHERE coalesce(used_at, expires_at) < now() - interval '7 days';
