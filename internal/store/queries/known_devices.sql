-- name: IsKnownDevice :one
SELECT EXISTS (
    SELECT 1 FROM known_devices WHERE token_hash = $1 AND user_id = $2 AND expires_at > now()
);

-- name: RenameKnownDevice :exec
-- A sign-in gives the browser a fresh secret; the accounts it knew move to it,
-- so a secret planted in the browser beforehand is worth nothing afterwards.
UPDATE known_devices SET token_hash = sqlc.arg(new_hash) WHERE token_hash = sqlc.arg(old_hash);

-- name: RememberDevice :exec
INSERT INTO known_devices (token_hash, user_id, expires_at) VALUES ($1, $2, $3)
ON CONFLICT (token_hash, user_id) DO UPDATE SET expires_at = excluded.expires_at;

-- name: ForgetUserDevices :exec
-- A password reset ends what the old password opened: known browsers too.
DELETE FROM known_devices WHERE user_id = $1;

-- name: DeleteExpiredKnownDevices :execrows
DELETE FROM known_devices WHERE expires_at < now();
