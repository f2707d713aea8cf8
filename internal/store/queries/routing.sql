-- name: GetRoutingModelForUpdate :one
-- Locks the organisation's model so concurrent imports and decisions apply in turn.
SELECT * FROM routing_models WHERE org_id = $1 FOR UPDATE;

-- name: GetRoutingModel :one
SELECT * FROM routing_models WHERE org_id = $1;

-- name: SaveRoutingModel :exec
INSERT INTO routing_models (org_id, model, examples, updated_at) VALUES ($1, $2, $3, now())
ON CONFLICT (org_id) DO UPDATE SET model = EXCLUDED.model, examples = EXCLUDED.examples, updated_at = now();

-- name: LockRoutingModel :exec
-- Takes the per-organisation lock even before the first model row exists.
SELECT pg_advisory_xact_lock(hashtextextended('routing:' || sqlc.arg(org_id)::uuid::text, 0));

-- name: TryLockRoutingModel :one
-- Takes the same lock only if it is free: false while an import or a decision holds it.
SELECT pg_try_advisory_xact_lock(hashtextextended('routing:' || sqlc.arg(org_id)::uuid::text, 0))::bool AS locked;

-- name: InsertRoutingExamples :copyfrom
INSERT INTO routing_examples (org_id, pipeline_id, text, source) VALUES ($1, $2, $3, $4);

-- name: GetRoutingSettings :one
SELECT * FROM routing_settings WHERE org_id = $1;

-- name: SaveRoutingSettings :one
INSERT INTO routing_settings (org_id, threshold, llm_enabled, llm_model, escalate_after_seconds, updated_at) VALUES ($1, $2, $3, $4, $5, now())
ON CONFLICT (org_id) DO UPDATE SET threshold = EXCLUDED.threshold, llm_enabled = EXCLUDED.llm_enabled, llm_model = EXCLUDED.llm_model,
    escalate_after_seconds = EXCLUDED.escalate_after_seconds, updated_at = now()
RETURNING *;

-- name: GetRoutingModelVersion :one
SELECT updated_at FROM routing_models WHERE org_id = $1;
