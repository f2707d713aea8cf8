-- +goose Up
-- When the sweeper made sure a 'received' document's workflow exists: each document is swept once,
-- so documents whose workflow ran (or was terminated) do not crowd out newly stranded ones.
ALTER TABLE documents ADD COLUMN swept_at timestamptz;
CREATE INDEX documents_unswept_idx ON documents (created_at) WHERE status = 'received' AND swept_at IS NULL;
-- What retention looks at: stored originals, oldest first.
CREATE INDEX documents_stored_idx ON documents (created_at) WHERE stored AND NOT legal_hold;

-- +goose Down
DROP INDEX documents_stored_idx;
DROP INDEX documents_unswept_idx;
ALTER TABLE documents DROP COLUMN swept_at;
