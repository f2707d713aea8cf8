-- +goose Up
-- Who set a request's priority: the rules, the model or an operator ('' while it is the default).
ALTER TABLE intake_requests ADD COLUMN priority_decided_by text NOT NULL DEFAULT ''
    CHECK (priority_decided_by IN ('', 'model', 'rules', 'operator'));
CREATE INDEX intake_requests_priority_idx ON intake_requests (org_id, priority, created_at DESC);

-- +goose Down
DROP INDEX intake_requests_priority_idx;
ALTER TABLE intake_requests DROP COLUMN priority_decided_by;
