-- name: InsertDevMail :exec
-- A retried delivery carries the same message id and is stored once.
INSERT INTO dev_mail (message_id, to_address, subject, text_body, html_body, attachments)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (message_id) DO NOTHING;

-- name: ListDevMail :many
-- Newest first; before_id = 0 starts at the newest.
SELECT id, message_id, to_address, subject, text_body, html_body, attachments, created_at
FROM dev_mail
WHERE sqlc.arg(before_id)::bigint = 0 OR id < sqlc.arg(before_id)::bigint
ORDER BY id DESC
LIMIT sqlc.arg(max_rows);
