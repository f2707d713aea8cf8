-- +goose Up
-- An Idempotency-Key belongs to whoever sent it: another member reusing it gets
-- a request of their own instead of the first one's id. input_sha256 is what
-- the key was used for (SHA-256 of the normalised request), so the same key
-- with another request is refused; rows from before have none and keep
-- answering their key as they did. Every existing row stays valid: unique per
-- (org, key) is unique per (org, submitter, key) too.
ALTER TABLE intake_requests ADD COLUMN input_sha256 bytea;
ALTER TABLE intake_requests ADD CONSTRAINT intake_requests_submitter_key UNIQUE (org_id, created_by, idempotency_key);
ALTER TABLE intake_requests DROP CONSTRAINT intake_requests_org_id_idempotency_key_key;

-- +goose Down
-- Fails while two members of an organisation have used the same key.
ALTER TABLE intake_requests ADD CONSTRAINT intake_requests_org_id_idempotency_key_key UNIQUE (org_id, idempotency_key);
ALTER TABLE intake_requests DROP CONSTRAINT intake_requests_submitter_key;
ALTER TABLE intake_requests DROP COLUMN input_sha256;
