-- +goose Up
-- Busy time from an operator's external calendar (Google Calendar), as its
-- sync last saw it: one row per external event that blocks, replaced as the
-- sync reports changes. Slots and bookings treat it like local events.
CREATE TABLE external_busy (
    org_id     uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    source     text        NOT NULL, -- e.g. "google:<calendar id>"
    event_id   text        NOT NULL,
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL CHECK (ends_at > starts_at),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id, source, event_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX external_busy_time_idx ON external_busy (org_id, user_id, starts_at);

-- +goose Down
DROP TABLE external_busy;
