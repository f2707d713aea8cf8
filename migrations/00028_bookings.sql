-- +goose Up
-- Overlap safety lives in the database: two bookings of one operator whose
-- blocked times (the appointment widened by its buffers) overlap cannot both
-- be live, whatever races the application has.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE bookings (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    service_id      uuid        NOT NULL REFERENCES services (id) ON DELETE RESTRICT,
    operator_id     uuid        NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    -- The member who booked for themselves (a CLIENT), if any; staff book for people without accounts.
    client_user_id  uuid        REFERENCES users (id) ON DELETE SET NULL,
    booked_by       uuid        REFERENCES users (id) ON DELETE SET NULL,
    client_name     text        NOT NULL,
    client_email    text        NOT NULL,
    client_phone    text        NOT NULL DEFAULT '',
    notes           text        NOT NULL DEFAULT '',
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL CHECK (ends_at > starts_at),
    blocked         tstzrange   NOT NULL,
    status          text        NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled', 'completed', 'no_show')),
    -- The invite's SEQUENCE: 0 when confirmed, one more for each reschedule and the cancellation.
    sequence        integer     NOT NULL DEFAULT 0,
    cancel_reason   text        NOT NULL DEFAULT '',
    idempotency_key text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    EXCLUDE USING gist (operator_id WITH =, blocked WITH &&) WHERE (status <> 'cancelled')
);
CREATE UNIQUE INDEX bookings_idempotency_idx ON bookings (org_id, booked_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX bookings_operator_idx ON bookings (org_id, operator_id, starts_at);
CREATE INDEX bookings_client_idx ON bookings (org_id, client_user_id, starts_at);

-- Mail sent about a booking: one row per booking, invite sequence, kind and
-- reminder offset, holding the outbox ids, so nothing is queued twice and a
-- retried step delivers the same messages.
CREATE TABLE booking_mail (
    booking_id     uuid        NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    sequence       integer     NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('confirmed', 'rescheduled', 'cancelled', 'reminder')),
    offset_minutes integer     NOT NULL DEFAULT 0,
    mail_ids       text[]      NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (booking_id, sequence, kind, offset_minutes)
);

-- +goose Down
DROP TABLE booking_mail;
DROP TABLE bookings;
