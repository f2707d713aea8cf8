-- +goose Up
-- Files mailed with a message (a booking's calendar invite): a JSON array of
-- {"filename","content_type","content"}, content base64 encoded. They live in
-- the message's own row, so a queued message and its files commit, are
-- delivered and are forgotten together.
ALTER TABLE mail_outbox ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]';
ALTER TABLE dev_mail ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE dev_mail DROP COLUMN attachments;
ALTER TABLE mail_outbox DROP COLUMN attachments;
