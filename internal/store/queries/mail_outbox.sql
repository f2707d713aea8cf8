-- name: EnqueueMail :one
INSERT INTO mail_outbox (to_address, subject, text_body, html_body) VALUES ($1, $2, $3, $4)
RETURNING id;

-- name: GetOutboxMail :one
SELECT * FROM mail_outbox WHERE id = $1;

-- name: DeleteOutboxMail :exec
DELETE FROM mail_outbox WHERE id = $1;

-- name: ListStaleOutboxMail :many
-- Mail whose delivery was never started (the process stopped between commit and hand-over).
SELECT id FROM mail_outbox WHERE created_at < $1 ORDER BY created_at LIMIT 100;
