-- +goose Up
-- Forgot-password requests, handled by a workflow: the API does the same work
-- whether or not the address has an account. A row makes a retried activity
-- answer its first outcome (the reset mail, or none) instead of mailing twice.
CREATE TABLE password_reset_requests (
    id         uuid        PRIMARY KEY,
    mail_id    text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE password_reset_requests;
