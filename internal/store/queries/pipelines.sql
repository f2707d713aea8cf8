-- name: CreatePipeline :one
-- Returns no row when the key is taken in the organisation.
INSERT INTO pipelines (org_id, key, name, description) VALUES ($1, $2, $3, $4)
ON CONFLICT (org_id, key) DO NOTHING
RETURNING *;

-- name: CreateStage :one
INSERT INTO pipeline_stages (org_id, pipeline_id, name, position) VALUES ($1, $2, $3, $4) RETURNING *;

-- name: ListPipelines :many
SELECT * FROM pipelines WHERE org_id = $1 ORDER BY created_at, key;

-- name: GetPipelineByKey :one
SELECT * FROM pipelines WHERE org_id = $1 AND key = $2;

-- name: ListStages :many
SELECT * FROM pipeline_stages WHERE org_id = $1 AND pipeline_id = $2 ORDER BY position;

-- name: ListAllStages :many
SELECT * FROM pipeline_stages WHERE org_id = $1 ORDER BY pipeline_id, position;

-- name: UpdatePipeline :one
UPDATE pipelines SET name = $3, description = $4 WHERE org_id = $1 AND key = $2 RETURNING *;

-- name: PipelineItemCount :one
SELECT count(*)::integer FROM pipeline_items i JOIN pipelines p ON p.id = i.pipeline_id WHERE p.org_id = $1 AND p.key = $2;

-- name: DeletePipeline :execrows
DELETE FROM pipelines WHERE org_id = $1 AND key = $2;
