-- name: CreateService :one
-- Returns no row when the key is taken in the organisation.
INSERT INTO services (org_id, key, name, duration_minutes, buffer_before_minutes, buffer_after_minutes, min_notice_minutes,
    horizon_days, interval_minutes, daily_limit, location, reminder_offsets_minutes, client_changes, client_change_cutoff_minutes)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (org_id, key) DO NOTHING
RETURNING *;

-- name: UpdateService :one
UPDATE services SET name = $3, duration_minutes = $4, buffer_before_minutes = $5, buffer_after_minutes = $6,
    min_notice_minutes = $7, horizon_days = $8, interval_minutes = $9, daily_limit = $10, location = $11,
    reminder_offsets_minutes = $12, client_changes = $13, client_change_cutoff_minutes = $14, updated_at = now()
WHERE org_id = $1 AND key = $2
RETURNING *;

-- name: GetService :one
SELECT * FROM services WHERE org_id = $1 AND key = $2;

-- name: ListServices :many
SELECT * FROM services WHERE org_id = $1 ORDER BY created_at, key;

-- name: DeleteService :execrows
DELETE FROM services WHERE org_id = $1 AND key = $2;

-- name: ClearServiceOperators :exec
DELETE FROM service_operators WHERE org_id = $1 AND service_id = $2;

-- name: AddServiceOperator :exec
INSERT INTO service_operators (org_id, service_id, user_id, position) VALUES ($1, $2, $3, $4);

-- name: ListServiceOperators :many
-- The operators of the organisation's services, in each service's order.
SELECT service_id, user_id FROM service_operators WHERE org_id = $1 ORDER BY service_id, position;

-- name: StaffRoles :many
-- The roles of the given users in the organisation (members only).
SELECT user_id, role FROM memberships WHERE org_id = $1 AND user_id = ANY(sqlc.arg(user_ids)::uuid[]);

-- name: GetAvailability :one
SELECT * FROM operator_availability WHERE org_id = $1 AND user_id = $2;

-- name: ListAvailability :many
SELECT * FROM operator_availability WHERE org_id = $1 AND user_id = ANY(sqlc.arg(user_ids)::uuid[]);

-- name: SaveAvailability :one
INSERT INTO operator_availability (org_id, user_id, time_zone, weekly, overrides) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (org_id, user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, weekly = EXCLUDED.weekly,
    overrides = EXCLUDED.overrides, updated_at = now()
RETURNING *;

-- name: CreateLocalEvent :one
INSERT INTO local_events (org_id, user_id, title, starts_at, ends_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *;

-- name: UpdateLocalEvent :one
UPDATE local_events SET title = $3, starts_at = $4, ends_at = $5 WHERE org_id = $1 AND id = $2 RETURNING *;

-- name: GetLocalEvent :one
SELECT * FROM local_events WHERE org_id = $1 AND id = $2;

-- name: DeleteLocalEvent :execrows
DELETE FROM local_events WHERE org_id = $1 AND id = $2;

-- name: ListLocalEvents :many
-- Events of the given operators (all when none is given) overlapping [from, to).
SELECT * FROM local_events
WHERE org_id = $1 AND starts_at < sqlc.arg(until) AND ends_at > sqlc.arg(since)
  AND (cardinality(sqlc.arg(user_ids)::uuid[]) = 0 OR user_id = ANY(sqlc.arg(user_ids)::uuid[]))
ORDER BY starts_at, id
LIMIT sqlc.arg(max_rows);

-- name: OperatorBusy :many
-- What makes the operators busy between since and until besides bookings:
-- their local events and their external calendars' busy time.
SELECT e.user_id, e.starts_at, e.ends_at FROM local_events e
WHERE e.org_id = sqlc.arg(org_id)::uuid AND e.user_id = ANY(sqlc.arg(user_ids)::uuid[])
  AND e.starts_at < sqlc.arg(until)::timestamptz AND e.ends_at > sqlc.arg(since)::timestamptz
UNION ALL
SELECT x.user_id, x.starts_at, x.ends_at FROM external_busy x
WHERE x.org_id = sqlc.arg(org_id)::uuid AND x.user_id = ANY(sqlc.arg(user_ids)::uuid[])
  AND x.starts_at < sqlc.arg(until)::timestamptz AND x.ends_at > sqlc.arg(since)::timestamptz;

-- name: PutExternalBusy :exec
INSERT INTO external_busy (org_id, user_id, source, event_id, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (org_id, user_id, source, event_id) DO UPDATE SET starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, updated_at = now();

-- name: DeleteExternalBusy :exec
DELETE FROM external_busy WHERE org_id = $1 AND user_id = $2 AND source = $3 AND event_id = $4;

-- name: ClearExternalBusy :exec
-- A full resync starts from nothing.
DELETE FROM external_busy WHERE org_id = $1 AND user_id = $2 AND source = $3;

-- name: InsertBooking :one
-- Returns no row when the submitter used the idempotency key before in the organisation.
INSERT INTO bookings (org_id, service_id, operator_id, client_user_id, booked_by, client_name, client_email, client_phone,
    notes, starts_at, ends_at, blocked, idempotency_key)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, tstzrange(sqlc.arg(blocked_from)::timestamptz, sqlc.arg(blocked_until)::timestamptz, '[)'), $12)
ON CONFLICT (org_id, booked_by, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
RETURNING *;

-- name: BookingByIdempotencyKey :one
SELECT * FROM bookings WHERE org_id = $1 AND booked_by = $2 AND idempotency_key = $3;

-- name: GetBooking :one
SELECT * FROM bookings WHERE org_id = $1 AND id = $2;

-- name: LockBooking :one
SELECT * FROM bookings WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: MoveBooking :one
UPDATE bookings SET starts_at = $3, ends_at = $4,
    blocked = tstzrange(sqlc.arg(blocked_from)::timestamptz, sqlc.arg(blocked_until)::timestamptz, '[)'),
    sequence = sequence + 1, attention = '', updated_at = now()
WHERE org_id = $1 AND id = $2 AND status = 'confirmed'
RETURNING *;

-- name: CancelBooking :one
UPDATE bookings SET status = 'cancelled', cancel_reason = $3, sequence = sequence + 1, attention = '', updated_at = now()
WHERE org_id = $1 AND id = $2 AND status = 'confirmed'
RETURNING *;

-- name: SetBookingOutcome :one
UPDATE bookings SET status = $3, updated_at = now()
WHERE org_id = $1 AND id = $2 AND status = 'confirmed'
RETURNING *;

-- name: ListBookings :many
-- Bookings starting in [since, until), of one client when client_user_id is given, newest last.
SELECT * FROM bookings
WHERE org_id = $1 AND starts_at >= sqlc.arg(since) AND starts_at < sqlc.arg(until)
  AND (sqlc.narg(client_user_id)::uuid IS NULL OR client_user_id = sqlc.narg(client_user_id))
  AND (sqlc.narg(operator_id)::uuid IS NULL OR operator_id = sqlc.narg(operator_id))
ORDER BY starts_at, id
LIMIT sqlc.arg(max_rows);

-- name: OperatorBookings :many
-- The live bookings of the operators whose blocked time overlaps [since, until).
SELECT id, operator_id, starts_at, lower(blocked)::timestamptz AS blocked_from, upper(blocked)::timestamptz AS blocked_until
FROM bookings
WHERE org_id = $1 AND operator_id = ANY(sqlc.arg(user_ids)::uuid[]) AND status <> 'cancelled'
  AND blocked && tstzrange(sqlc.arg(since)::timestamptz, sqlc.arg(until)::timestamptz, '[)');

-- name: BookingMail :one
SELECT mail_ids FROM booking_mail WHERE booking_id = $1 AND sequence = $2 AND kind = $3 AND offset_minutes = $4;

-- name: RecordBookingMail :execrows
-- Zero rows: this mail about this version of the booking was queued before.
INSERT INTO booking_mail (booking_id, sequence, kind, offset_minutes, mail_ids) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING;

-- name: UserName :one
SELECT name, email FROM users WHERE id = $1;

-- name: ServiceByID :one
SELECT * FROM services WHERE org_id = $1 AND id = $2;

-- name: SaveCalendarFeed :exec
INSERT INTO calendar_feeds (org_id, user_id, token_hash) VALUES ($1, $2, $3)
ON CONFLICT (org_id, user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now();

-- name: DeleteCalendarFeed :execrows
DELETE FROM calendar_feeds WHERE org_id = $1 AND user_id = $2;

-- name: CalendarFeedByToken :one
SELECT org_id, user_id FROM calendar_feeds WHERE token_hash = $1;

-- name: BookingStats :many
-- Per operator, bookings starting in [since, until) by status, with their minutes.
SELECT operator_id, status, count(*)::integer AS bookings,
       coalesce(sum(extract(epoch FROM ends_at - starts_at) / 60), 0)::integer AS minutes
FROM bookings
WHERE org_id = $1 AND starts_at >= sqlc.arg(since) AND starts_at < sqlc.arg(until)
GROUP BY operator_id, status;

-- name: GetBookingPage :one
SELECT * FROM booking_pages WHERE org_id = $1;

-- name: SaveBookingPage :one
-- Raises a unique violation when another organisation has the slug.
INSERT INTO booking_pages (org_id, slug, enabled) VALUES ($1, $2, $3)
ON CONFLICT (org_id) DO UPDATE SET slug = EXCLUDED.slug, enabled = EXCLUDED.enabled, updated_at = now()
RETURNING *;

-- name: BookingPageBySlug :one
SELECT * FROM booking_pages WHERE slug = $1 AND enabled;

-- name: PublicBookingByIdempotencyKey :one
SELECT * FROM bookings WHERE org_id = $1 AND booked_by IS NULL AND idempotency_key = $2;

-- name: CreateBookingLink :exec
INSERT INTO booking_links (token_hash, booking_id, expires_at) VALUES ($1, $2, $3);

-- name: BookingByLink :one
SELECT b.* FROM booking_links l JOIN bookings b ON b.id = l.booking_id
WHERE l.token_hash = $1 AND l.expires_at > now() AND b.starts_at > now();

-- name: StrandedBookings :many
-- Confirmed bookings not swept yet, made between the two times; oldest first.
SELECT org_id, id FROM bookings
WHERE status = 'confirmed' AND swept_at IS NULL AND created_at > sqlc.arg(after) AND created_at < sqlc.arg(before)
ORDER BY created_at
LIMIT 100;

-- name: MarkBookingSwept :exec
UPDATE bookings SET swept_at = now() WHERE org_id = $1 AND id = $2;

-- name: ClientNoShows :one
-- How often this client (by email) did not come to the organisation's bookings.
SELECT count(*)::integer FROM bookings WHERE org_id = $1 AND lower(client_email) = lower($2) AND status = 'no_show';

-- name: LockOperatorBookings :exec
-- Serialises bookings and moves of one operator until the transaction ends:
-- concurrent inserts checking the overlap constraint against each other
-- deadlock in PostgreSQL, one at a time, a second each.
SELECT pg_advisory_xact_lock(hashtextextended('bookings:' || sqlc.arg(operator_id)::uuid::text, 0));
