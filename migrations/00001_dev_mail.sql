-- +goose Up
-- Mail delivered in development mode instead of SMTP, so a person trying the
-- product can read it (GET /api/v1/dev/mail).
CREATE TABLE dev_mail (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- message_id makes delivery idempotent: a retried activity stores a message once.
    message_id text        NOT NULL UNIQUE,
    to_address text        NOT NULL,
    subject    text        NOT NULL,
    text_body  text        NOT NULL,
    html_body  text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE dev_mail;
