-- +goose Up
-- How long a proposal may wait for an operator before the organisation's ADMINs are told.
ALTER TABLE routing_settings ADD COLUMN escalate_after_seconds integer NOT NULL DEFAULT 14400
    CHECK (escalate_after_seconds >= 1 AND escalate_after_seconds <= 2592000);

-- +goose Down
ALTER TABLE routing_settings DROP COLUMN escalate_after_seconds;
