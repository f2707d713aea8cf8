-- name: KnownDeviceID :one
-- The id under which the browser holding token_hash knows user_id, if it does.
SELECT id FROM known_devices WHERE token_hash = $1 AND user_id = $2 AND expires_at > now();

-- name: RenewKnownDevice :one
-- A browser signing in to an account it knows gets a new secret, which knows
-- the account under the same id (EndKnownDeviceCopies then ends the old one).
INSERT INTO known_devices (token_hash, user_id, id, expires_at)
SELECT sqlc.arg(new_hash)::bytea, old.user_id, old.id, sqlc.arg(expires_at)::timestamptz FROM known_devices old
WHERE old.token_hash = sqlc.arg(old_hash) AND old.user_id = sqlc.arg(user_id) AND old.expires_at > now()
RETURNING id;

-- name: EndKnownDeviceCopies :exec
-- The browser that signed in holds the newest secret of this account and id:
-- any other secret knowing them is an older one, or a copy. They end at
-- grace_until, not at once, so a browser whose answer was lost (it kept the
-- old secret), or whose other tab signed in with the same old secret, stays
-- known meanwhile; one already ending sooner keeps its end.
UPDATE known_devices SET expires_at = LEAST(expires_at, sqlc.arg(grace_until)::timestamptz)
WHERE user_id = sqlc.arg(user_id) AND id = sqlc.arg(id) AND token_hash <> sqlc.arg(keep_hash);

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
