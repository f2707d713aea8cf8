-- +goose Up
-- An organisation's public booking page: its slug in /api/v1/public/orgs/{slug}/…
CREATE TABLE booking_pages (
    org_id     uuid        PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    slug       text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    enabled    boolean     NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Links mailed to a booking's client to see, move or cancel that one booking
-- without signing in: only the token's SHA-256 is kept, and each expires.
CREATE TABLE booking_links (
    token_hash bytea       PRIMARY KEY,
    booking_id uuid        NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX booking_links_booking_idx ON booking_links (booking_id);

-- Public bookings have no member behind them: their Idempotency-Key is the organisation's.
CREATE UNIQUE INDEX bookings_public_idempotency_idx ON bookings (org_id, idempotency_key)
    WHERE booked_by IS NULL AND idempotency_key IS NOT NULL;

-- +goose Down
DROP INDEX bookings_public_idempotency_idx;
DROP TABLE booking_links;
DROP TABLE booking_pages;
