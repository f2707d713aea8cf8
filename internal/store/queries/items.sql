-- name: ListPipelineItems :many
SELECT * FROM pipeline_items WHERE org_id = $1 AND pipeline_id = $2 ORDER BY rank, id;

-- name: LockItem :one
SELECT * FROM pipeline_items WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: GetItem :one
SELECT * FROM pipeline_items WHERE org_id = $1 AND id = $2;

-- name: GetStage :one
SELECT * FROM pipeline_stages WHERE org_id = $1 AND id = $2;

-- name: LockStage :exec
-- Moves into one stage take turns, so two cannot pick the same gap.
SELECT pg_advisory_xact_lock(hashtextextended('stage:' || sqlc.arg(stage_id)::uuid::text, 0));

-- name: RankAfter :one
-- The first rank after the given one in the stage ("" when none), skipping the moved item.
SELECT coalesce(min(rank), '')::text FROM pipeline_items
WHERE org_id = $1 AND stage_id = $2 AND rank > sqlc.arg(rank)::text AND id <> sqlc.arg(moving)::uuid;

-- name: RankBefore :one
SELECT coalesce(max(rank), '')::text FROM pipeline_items
WHERE org_id = $1 AND stage_id = $2 AND rank < sqlc.arg(rank)::text AND id <> sqlc.arg(moving)::uuid;

-- name: LastRankExcept :one
SELECT coalesce(max(rank), '')::text FROM pipeline_items WHERE org_id = $1 AND stage_id = $2 AND id <> sqlc.arg(moving)::uuid;

-- name: MoveItem :one
UPDATE pipeline_items SET stage_id = $3, pipeline_id = $4, rank = $5, updated_at = now()
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: UpdateItem :one
UPDATE pipeline_items SET title = $3, assignee_id = $4, due_at = $5, updated_at = now()
WHERE org_id = $1 AND id = $2
RETURNING *;

-- name: GetPipelineByID :one
SELECT * FROM pipelines WHERE org_id = $1 AND id = $2;
