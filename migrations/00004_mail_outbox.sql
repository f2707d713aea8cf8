-- +goose Up
-- Outgoing mail is written in the same transaction as the change that causes
-- it, then delivered by the SendEmail workflow, which receives only the id:
-- bodies carry single-use links and must not sit in workflow history. A row
-- is deleted once delivered.
CREATE TABLE mail_outbox (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    to_address text        NOT NULL,
    subject    text        NOT NULL,
    text_body  text        NOT NULL,
    html_body  text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_outbox_created_idx ON mail_outbox (created_at);

-- +goose Down
DROP TABLE mail_outbox;
