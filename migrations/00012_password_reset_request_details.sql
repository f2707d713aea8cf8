-- +goose Up
-- The API stores what a forgot-password request is about (address, client) and
-- its workflow receives only the row's id, so no address or IP enters workflow
-- history. The workflow's activity claims the row once; rows are pruned after a day.
ALTER TABLE password_reset_requests
    ADD COLUMN email      text        NOT NULL DEFAULT '',
    ADD COLUMN ip         text        NOT NULL DEFAULT '',
    ADD COLUMN user_agent text        NOT NULL DEFAULT '',
    ADD COLUMN claimed_at timestamptz;
-- Rows written before were inserted by the activity that claimed them.
UPDATE password_reset_requests SET claimed_at = created_at;

-- +goose Down
ALTER TABLE password_reset_requests DROP COLUMN email, DROP COLUMN ip, DROP COLUMN user_agent, DROP COLUMN claimed_at;
