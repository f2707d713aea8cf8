-- name: EnqueueMail :one
INSERT INTO mail_outbox (to_address, subject, text_body, html_body, delivered_by_workflow, attachments) VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;

-- name: GetOutboxMail :one
SELECT * FROM mail_outbox WHERE id = $1;

-- name: DeleteOutboxMail :exec
DELETE FROM mail_outbox WHERE id = $1;

-- name: ListStaleOutboxMail :many
-- Mail whose delivery was never started (the process stopped between commit
-- and hand-over), or whose workflow has stopped retrying it.
SELECT id FROM mail_outbox
WHERE created_at < sqlc.arg(handed_over_before)
  AND (NOT delivered_by_workflow OR created_at < sqlc.arg(workflow_gave_up_before))
ORDER BY created_at
LIMIT 100;
