-- +goose Up
-- When the sweeper made sure a 'received' request's workflow exists: each request is swept once,
-- so requests whose workflow ran (or was terminated) do not crowd out newly stranded ones.
ALTER TABLE intake_requests ADD COLUMN swept_at timestamptz;
DROP INDEX intake_requests_received_idx;
CREATE INDEX intake_requests_unswept_idx ON intake_requests (created_at) WHERE status = 'received' AND swept_at IS NULL;

-- +goose Down
DROP INDEX intake_requests_unswept_idx;
CREATE INDEX intake_requests_received_idx ON intake_requests (created_at) WHERE status = 'received';
ALTER TABLE intake_requests DROP COLUMN swept_at;
