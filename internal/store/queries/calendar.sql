-- name: SaveCalendarConnection :one
-- A connect, or a reconnect: new tokens, and the sync starts over.
INSERT INTO calendar_connections (org_id, user_id, refresh_token) VALUES ($1, $2, $3)
ON CONFLICT (org_id, user_id) DO UPDATE SET refresh_token = EXCLUDED.refresh_token, state = 'connected',
    sync_token = '', last_sync_at = NULL, last_error = '', connected_at = now(), updated_at = now()
RETURNING *;

-- name: CalendarConnection :one
SELECT * FROM calendar_connections WHERE org_id = $1 AND user_id = $2;

-- name: CalendarConnectionByID :one
SELECT * FROM calendar_connections WHERE org_id = $1 AND id = $2;

-- name: CalendarConnectionByChannel :one
-- The webhook's look-up: the channel id is ours, unique across organisations.
SELECT * FROM calendar_connections WHERE channel_id = $1 AND channel_id <> '';

-- name: DeleteCalendarConnection :one
DELETE FROM calendar_connections WHERE org_id = $1 AND user_id = $2 RETURNING *;

-- name: SaveCalendarSync :execrows
-- No row: the connection went (or broke) while the step ran.
UPDATE calendar_connections SET sync_token = $3, last_sync_at = now(), last_error = '', updated_at = now()
WHERE org_id = $1 AND id = $2 AND state = 'connected';

-- name: SaveCalendarError :exec
UPDATE calendar_connections SET last_error = $3, updated_at = now() WHERE org_id = $1 AND id = $2;

-- name: BreakCalendarConnection :one
-- Returns no row when it was broken already (the operator is mailed once).
UPDATE calendar_connections SET state = 'broken', last_error = $3, channel_id = '', channel_token_hash = NULL,
    channel_resource_id = '', channel_expires_at = NULL, updated_at = now()
WHERE org_id = $1 AND id = $2 AND state = 'connected'
RETURNING *;

-- name: SaveCalendarChannel :exec
UPDATE calendar_connections SET channel_id = $3, channel_token_hash = $4, channel_resource_id = $5, channel_expires_at = $6, updated_at = now()
WHERE org_id = $1 AND id = $2;

-- name: SaveCalendarConnectState :exec
INSERT INTO calendar_connect_states (state_hash, org_id, user_id, expires_at) VALUES ($1, $2, $3, $4);

-- name: TakeCalendarConnectState :one
-- A state works once.
DELETE FROM calendar_connect_states WHERE state_hash = $1 RETURNING *;

-- name: PruneCalendarConnectStates :execrows
DELETE FROM calendar_connect_states WHERE expires_at < now();

-- name: CalendarSettings :one
SELECT on_event_deleted FROM calendar_settings WHERE org_id = $1;

-- name: PutCalendarSettings :exec
INSERT INTO calendar_settings (org_id, on_event_deleted) VALUES ($1, $2)
ON CONFLICT (org_id) DO UPDATE SET on_event_deleted = EXCLUDED.on_event_deleted, updated_at = now();

-- name: FlagBooking :exec
UPDATE bookings SET attention = $3, updated_at = now() WHERE org_id = $1 AND id = $2 AND status = 'confirmed';

-- name: UpcomingOperatorBookings :many
-- What a newly connected calendar is given: the operator's confirmed bookings from now on.
SELECT id FROM bookings WHERE org_id = $1 AND operator_id = $2 AND status = 'confirmed' AND ends_at > now() ORDER BY starts_at;
