-- +goose Up
-- An operator's Google Calendar, connected for two-way sync. The refresh
-- token is sealed (AES-GCM, the key from configuration); the push channel's
-- token is kept only as its SHA-256.
CREATE TABLE calendar_connections (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id              uuid        NOT NULL,
    user_id             uuid        NOT NULL,
    calendar_id         text        NOT NULL DEFAULT 'primary',
    state               text        NOT NULL DEFAULT 'connected' CHECK (state IN ('connected', 'broken')),
    refresh_token       bytea       NOT NULL,
    sync_token          text        NOT NULL DEFAULT '',
    channel_id          text        NOT NULL DEFAULT '',
    channel_token_hash  bytea,
    channel_resource_id text        NOT NULL DEFAULT '',
    channel_expires_at  timestamptz,
    last_sync_at        timestamptz,
    last_error          text        NOT NULL DEFAULT '',
    connected_at        timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX calendar_connections_channel_idx ON calendar_connections (channel_id) WHERE channel_id <> '';

-- A connect in progress: the OAuth state handed to Google, kept as its
-- SHA-256, used once, for ten minutes.
CREATE TABLE calendar_connect_states (
    state_hash bytea       PRIMARY KEY,
    org_id     uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    expires_at timestamptz NOT NULL,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);

-- What the sync does when one of our booking events is deleted in Google:
-- cancel the booking (the client is told) or flag it for an operator.
CREATE TABLE calendar_settings (
    org_id           uuid        PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    on_event_deleted text        NOT NULL DEFAULT 'flag' CHECK (on_event_deleted IN ('cancel', 'flag')),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- A booking the calendar sync could not follow (moved in Google onto a
-- taken time, deleted there with the setting "flag"): why, for an operator.
ALTER TABLE bookings ADD COLUMN attention text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE bookings DROP COLUMN attention;
DROP TABLE calendar_settings;
DROP TABLE calendar_connect_states;
DROP TABLE calendar_connections;
