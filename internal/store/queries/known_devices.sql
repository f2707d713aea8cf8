-- name: KnownDeviceID :one
-- The id under which the browser holding token_hash knows user_id, if it does.
SELECT id FROM known_devices WHERE token_hash = $1 AND user_id = $2 AND expires_at > now();

-- name: MoveKnownDevice :one
-- A browser signing in to an account it knows gets a new secret, which takes
-- the account over from the old one, under its id.
UPDATE known_devices SET token_hash = sqlc.arg(new_hash), expires_at = sqlc.arg(expires_at)
WHERE token_hash = sqlc.arg(old_hash) AND user_id = sqlc.arg(user_id) AND expires_at > now()
RETURNING id;

-- name: ForgetKnownDeviceCopies :exec
-- The browser that signed in holds the newest secret of this account and id:
-- any other secret knowing them is an older one, or a copy.
DELETE FROM known_devices WHERE user_id = $1 AND id = $2 AND token_hash <> $3;

-- name: CopyKnownDevices :exec
-- A browser's new secret knows the accounts its old one knew, under the same
-- ids: the max_rows signed in to most recently (each sign-in renews its
-- account's expiry). The old secret keeps them too: whoever else holds it (a
-- copy) takes nothing from this browser by signing in with it.
INSERT INTO known_devices (token_hash, user_id, id, expires_at)
SELECT sqlc.arg(new_hash)::bytea, old.user_id, old.id, old.expires_at FROM known_devices old
WHERE old.token_hash = sqlc.arg(old_hash) AND old.expires_at > now()
ORDER BY old.expires_at DESC
LIMIT sqlc.arg(max_rows)
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
