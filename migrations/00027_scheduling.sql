-- +goose Up
-- Services (appointment types) an organisation offers, and who offers them.
CREATE TABLE services (
    id                           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id                       uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key                          text        NOT NULL,
    name                         text        NOT NULL,
    duration_minutes             integer     NOT NULL CHECK (duration_minutes BETWEEN 5 AND 1440),
    buffer_before_minutes        integer     NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 1440),
    buffer_after_minutes         integer     NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 1440),
    min_notice_minutes           integer     NOT NULL DEFAULT 0 CHECK (min_notice_minutes BETWEEN 0 AND 525600),
    horizon_days                 integer     NOT NULL DEFAULT 60 CHECK (horizon_days BETWEEN 1 AND 730),
    interval_minutes             integer     NOT NULL CHECK (interval_minutes BETWEEN 5 AND 1440),
    daily_limit                  integer     NOT NULL DEFAULT 0 CHECK (daily_limit BETWEEN 0 AND 1000),
    -- {"address","phone","video_url"}: where the appointment happens.
    location                     jsonb       NOT NULL DEFAULT '{}',
    reminder_offsets_minutes     integer[]   NOT NULL DEFAULT '{1440,60}',
    -- Whether clients may reschedule or cancel themselves, and until how long before the start.
    client_changes               boolean     NOT NULL DEFAULT true,
    client_change_cutoff_minutes integer     NOT NULL DEFAULT 1440 CHECK (client_change_cutoff_minutes BETWEEN 0 AND 525600),
    created_at                   timestamptz NOT NULL DEFAULT now(),
    updated_at                   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, key)
);

-- The members who offer a service; leaving the organisation removes them.
CREATE TABLE service_operators (
    org_id     uuid NOT NULL,
    service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL,
    position   integer NOT NULL,
    PRIMARY KEY (service_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX service_operators_user_idx ON service_operators (org_id, user_id);

-- An operator's working hours: weekly windows in their own zone, and date overrides.
CREATE TABLE operator_availability (
    org_id     uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    time_zone  text        NOT NULL,
    weekly     jsonb       NOT NULL,
    overrides  jsonb       NOT NULL DEFAULT '[]',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);

-- Local events: an operator's busy blocks ("training", "dentist").
CREATE TABLE local_events (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    title      text        NOT NULL,
    starts_at  timestamptz NOT NULL,
    ends_at    timestamptz NOT NULL CHECK (ends_at > starts_at),
    created_by uuid        REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX local_events_operator_idx ON local_events (org_id, user_id, starts_at);

-- +goose Down
DROP TABLE local_events;
DROP TABLE operator_availability;
DROP TABLE service_operators;
DROP TABLE services;
