-- +goose Up
-- The API token a request acted through, when it was not a signed-in person:
-- the audit log then names the token as well as the member who created it.
ALTER TABLE audit_log ADD COLUMN actor_token_id uuid REFERENCES api_tokens (id) ON DELETE SET NULL;
CREATE INDEX audit_log_actor_token_idx ON audit_log (actor_token_id, id DESC) WHERE actor_token_id IS NOT NULL;

-- +goose Down
DROP INDEX audit_log_actor_token_idx;
ALTER TABLE audit_log DROP COLUMN actor_token_id;
