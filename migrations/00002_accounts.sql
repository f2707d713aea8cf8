-- +goose Up
-- Accounts, organisations (tenants), roles, sessions, single-use tokens, API tokens and the audit log.

CREATE TABLE users (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email             text        NOT NULL,
    name              text        NOT NULL DEFAULT '',
    -- argon2id in PHC format; NULL for accounts that only sign in with Google.
    password_hash     text,
    email_verified_at timestamptz,
    -- Bumped when the password is reset: sessions carrying an older value are signed out.
    session_version   integer     NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- Emails compare case-insensitively.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Sign-in identities from external providers (Google).
CREATE TABLE user_identities (
    provider   text        NOT NULL,
    subject    text        NOT NULL,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, subject)
);

-- Browser sessions (alexedwards/scs pgxstore schema).
CREATE TABLE sessions (
    token  text        PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Single-use, expiring tokens sent by email; only their SHA-256 is stored.
CREATE TABLE email_tokens (
    token_hash bytea       PRIMARY KEY,
    purpose    text        NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);

CREATE TABLE organizations (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    org_id     uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text        NOT NULL CHECK (role IN ('ADMIN', 'OPERATOR', 'CLIENT')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- Invitations for people without an account yet; accepted when they verify that email.
CREATE TABLE invitations (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email      text        NOT NULL,
    role       text        NOT NULL CHECK (role IN ('ADMIN', 'OPERATOR', 'CLIENT')),
    invited_by uuid        REFERENCES users (id) ON DELETE SET NULL,
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX invitations_pending_key ON invitations (org_id, lower(email)) WHERE accepted_at IS NULL;

-- API tokens for scripts: bound to one organisation with a role no higher than their creator's.
CREATE TABLE api_tokens (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text        NOT NULL,
    role         text        NOT NULL CHECK (role IN ('ADMIN', 'OPERATOR', 'CLIENT')),
    token_hash   bytea       NOT NULL UNIQUE,
    -- The first characters, shown in lists so people can tell tokens apart.
    prefix       text        NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_org_idx ON api_tokens (org_id, created_at DESC);

CREATE TABLE audit_log (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        uuid        REFERENCES organizations (id) ON DELETE CASCADE,
    actor_user_id uuid        REFERENCES users (id) ON DELETE SET NULL,
    -- The user the event is about (sign-in attempts name the account even when it failed).
    subject_user_id uuid      REFERENCES users (id) ON DELETE SET NULL,
    action        text        NOT NULL,
    target_type   text        NOT NULL DEFAULT '',
    target_id     text        NOT NULL DEFAULT '',
    ip            text        NOT NULL DEFAULT '',
    user_agent    text        NOT NULL DEFAULT '',
    metadata      jsonb       NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, id DESC);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_user_id, id DESC);

-- Fixed-window counters for abuse limits, shared by every API replica.
CREATE TABLE rate_limits (
    key          text        NOT NULL,
    window_start timestamptz NOT NULL,
    count        integer     NOT NULL,
    PRIMARY KEY (key, window_start)
);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE organizations;
DROP TABLE email_tokens;
DROP TABLE sessions;
DROP TABLE user_identities;
DROP TABLE users;
