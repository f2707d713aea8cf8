-- +goose Up
-- Mail queued by a workflow's activity is delivered by that workflow, which
-- retries for a day: the outbox sweep must not start a second delivery of it
-- meanwhile (both could send when the mail server comes back).
ALTER TABLE mail_outbox ADD COLUMN delivered_by_workflow boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN delivered_by_workflow;
