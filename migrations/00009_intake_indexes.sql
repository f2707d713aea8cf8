-- +goose Up
-- The sweeper looks for requests stored but still 'received' (their workflow may never have started).
CREATE INDEX intake_requests_received_idx ON intake_requests (created_at) WHERE status = 'received';
-- Routing counts each member's open items to find the least loaded.
CREATE INDEX pipeline_items_assignee_idx ON pipeline_items (org_id, assignee_id, stage_id);

-- +goose Down
DROP INDEX pipeline_items_assignee_idx;
DROP INDEX intake_requests_received_idx;
