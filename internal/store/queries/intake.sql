-- name: GetIntake :one
SELECT * FROM intake_requests WHERE org_id = $1 AND id = $2;

-- name: LockIntake :one
SELECT * FROM intake_requests WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: SetIntakeProposal :exec
UPDATE intake_requests
SET status = $3, pipeline_id = $4, confidence = $5, reason = $6, decided_by = $7,
    priority = $8, priority_decided_by = $9, assignee_id = $10, updated_at = now()
WHERE org_id = $1 AND id = $2;

-- name: MarkIntakeSLABreached :execrows
UPDATE intake_requests SET sla_breached_at = now(), updated_at = now()
WHERE org_id = $1 AND id = $2 AND sla_breached_at IS NULL;

-- name: InsertIntakeEvent :exec
INSERT INTO intake_events (org_id, intake_id, kind, actor_user_id, pipeline_key, confidence, model, latency_ms, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: RoutingTarget :one
-- Where a routed request's item goes: its pipeline's first stage.
SELECT p.id AS pipeline_id, p.name AS pipeline_name, s.id AS stage_id
FROM pipelines p
JOIN LATERAL (
    SELECT st.id FROM pipeline_stages st WHERE st.org_id = p.org_id AND st.pipeline_id = p.id ORDER BY st.position LIMIT 1
) s ON true
WHERE p.org_id = $1 AND p.key = $2;

-- name: LastRankInStage :one
SELECT coalesce(max(rank), '')::text FROM pipeline_items WHERE org_id = $1 AND stage_id = $2;

-- name: CreateItemForIntake :exec
-- Idempotent: a retried or replayed activity finds the item already there.
INSERT INTO pipeline_items (org_id, pipeline_id, stage_id, intake_id, title, assignee_id, rank)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (intake_id) DO NOTHING;

-- name: InsertOperatorExample :exec
INSERT INTO routing_examples (org_id, pipeline_id, text, source) VALUES ($1, $2, $3, 'operator');

-- name: InsertIntake :one
-- Returns no row when the submitter used the idempotency key before in the organisation.
INSERT INTO intake_requests (org_id, created_by, idempotency_key, input_sha256, subject, body, contact_name, contact_email, source, metadata)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (org_id, created_by, idempotency_key) DO NOTHING
RETURNING *;

-- name: GetIntakeByKey :one
SELECT * FROM intake_requests WHERE org_id = $1 AND created_by = $2 AND idempotency_key = $3;

-- name: GetIntakeView :one
SELECT r.*, coalesce(p.key, '')::text AS pipeline_key
FROM intake_requests r LEFT JOIN pipelines p ON p.id = r.pipeline_id
WHERE r.org_id = $1 AND r.id = $2;

-- name: ListIntakeEvents :many
SELECT * FROM intake_events WHERE org_id = $1 AND intake_id = $2 ORDER BY id;

-- name: ListIntake :many
-- Newest first; the cursor is the (created_at, id) of the last row of the previous page.
SELECT r.*, coalesce(p.key, '')::text AS pipeline_key
FROM intake_requests r LEFT JOIN pipelines p ON p.id = r.pipeline_id
WHERE r.org_id = sqlc.arg(org_id)
  AND (sqlc.narg(created_by)::uuid IS NULL OR r.created_by = sqlc.narg(created_by))
  AND (sqlc.arg(status)::text = '' OR r.status = sqlc.arg(status)::text)
  AND (sqlc.arg(pipeline)::text = '' OR p.key = sqlc.arg(pipeline)::text)
  AND (sqlc.arg(priority)::text = '' OR r.priority = sqlc.arg(priority)::text)
  AND (sqlc.narg(assignee)::uuid IS NULL OR r.assignee_id = sqlc.narg(assignee))
  AND (sqlc.narg(since)::timestamptz IS NULL OR r.created_at >= sqlc.narg(since))
  AND (sqlc.narg(until)::timestamptz IS NULL OR r.created_at < sqlc.narg(until))
  AND (sqlc.arg(search)::text = '' OR r.subject ILIKE '%' || sqlc.arg(search)::text || '%' OR r.body ILIKE '%' || sqlc.arg(search)::text || '%')
  AND (sqlc.narg(before_at)::timestamptz IS NULL OR (r.created_at, r.id) < (sqlc.narg(before_at), sqlc.arg(before_id)::uuid))
ORDER BY r.created_at DESC, r.id DESC
LIMIT sqlc.arg(max_rows);

-- name: LeastLoadedAssignee :one
-- The OPERATOR (else ADMIN) with the fewest open items, ties broken by user id.
-- Items in the last stage of a pipeline with several stages (its "Done") are not open.
WITH done_stages AS (
    SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY pipeline_id ORDER BY position DESC) AS from_end,
               count(*) OVER (PARTITION BY pipeline_id) AS stages
        FROM pipeline_stages WHERE org_id = $1
    ) s
    WHERE from_end = 1 AND stages > 1
)
SELECT m.user_id, u.email
FROM memberships m
JOIN users u ON u.id = m.user_id
WHERE m.org_id = $1 AND m.role IN ('OPERATOR', 'ADMIN')
ORDER BY (m.role = 'OPERATOR') DESC,
    (SELECT count(*) FROM pipeline_items i
     WHERE i.org_id = $1 AND i.assignee_id = m.user_id AND i.stage_id NOT IN (SELECT id FROM done_stages)),
    m.user_id
LIMIT 1;

-- name: AssigneeByID :one
-- The member, when they may be assigned work (OPERATOR or ADMIN).
SELECT m.user_id, u.email
FROM memberships m
JOIN users u ON u.id = m.user_id
WHERE m.org_id = $1 AND m.user_id = $2 AND m.role IN ('OPERATOR', 'ADMIN');


-- name: StrandedIntake :many
-- Requests still 'received', not swept yet, stored between the two times; oldest first.
SELECT org_id, id FROM intake_requests
WHERE status = 'received' AND swept_at IS NULL AND created_at > sqlc.arg(after) AND created_at < sqlc.arg(before)
ORDER BY created_at
LIMIT 100;

-- name: MarkIntakeSwept :exec
UPDATE intake_requests SET swept_at = now() WHERE org_id = $1 AND id = $2;

-- name: SetIntakeAssignee :exec
-- An item's assignee is its request's too.
UPDATE intake_requests SET assignee_id = $3, updated_at = now() WHERE org_id = $1 AND id = $2;

-- name: LatestIntakeEvent :one
-- The request's newest event of a kind: what an earlier attempt of an activity recorded.
SELECT * FROM intake_events
WHERE org_id = $1 AND intake_id = $2 AND kind = $3
ORDER BY id DESC
LIMIT 1;
