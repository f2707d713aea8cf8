-- name: KnownDeviceID :one
-- The id under which the browser holding token_hash knows user_id, if it does.
SELECT id FROM known_devices WHERE token_hash = $1 AND user_id = $2 AND expires_at > now();

-- name: RenewKnownDevice :exec
UPDATE known_devices SET expires_at = $3 WHERE token_hash = $1 AND user_id = $2;

-- name: CopyKnownDevices :exec
-- A browser's new secret knows the accounts its old one knew, under the same
-- ids. The old secret keeps them too: whoever else holds it (a copy) takes
-- nothing from this browser by signing in with it.
INSERT INTO known_devices (token_hash, user_id, id, expires_at)
SELECT sqlc.arg(new_hash)::bytea, old.user_id, old.id, old.expires_at FROM known_devices old
WHERE old.token_hash = sqlc.arg(old_hash) AND old.expires_at > now()
ON CONFLICT (token_hash, user_id) DO NOTHING;

-- name: RememberDevice :exec
-- A new account for a browser, under a new id.
INSERT INTO known_devices (token_hash, user_id, expires_at) VALUES ($1, $2, $3)
ON CONFLICT (token_hash, user_id) DO UPDATE SET expires_at = excluded.expires_at;

-- name: ForgetUserDevices :exec
-- A password reset ends what the old password opened: known browsers too.
DELETE FROM known_devices WHERE user_id = $1;

-- name: DeleteExpiredKnownDevices :execrows
DELETE FROM known_devices WHERE expires_at < now();
