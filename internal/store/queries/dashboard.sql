-- name: DashboardStages :many
SELECT p.key AS pipeline, s.name AS stage, s.position, count(i.id)::integer AS items
FROM pipeline_stages s
JOIN pipelines p ON p.id = s.pipeline_id
LEFT JOIN pipeline_items i ON i.stage_id = s.id
WHERE s.org_id = $1
GROUP BY p.key, p.created_at, s.name, s.position
ORDER BY p.created_at, p.key, s.position;

-- name: DashboardVolume :many
SELECT date_trunc('day', created_at)::date AS day, count(*)::integer AS requests
FROM intake_requests
WHERE org_id = $1 AND created_at >= $2
GROUP BY 1 ORDER BY 1;

-- name: DashboardDecisions :one
-- How requests were routed: by the model, approved as proposed, reassigned by an
-- operator, or rejected; and how long operators took (from proposal to decision).
WITH proposed AS (
    SELECT DISTINCT ON (e.intake_id) e.intake_id, e.pipeline_key, e.created_at
    FROM intake_events e WHERE e.org_id = sqlc.arg(org_id) AND e.kind = 'proposed' ORDER BY e.intake_id, e.id
), decided AS (
    SELECT DISTINCT ON (e.intake_id) e.intake_id, e.kind, e.pipeline_key, e.detail->>'decided_by' AS decided_by, e.created_at
    FROM intake_events e WHERE e.org_id = sqlc.arg(org_id) AND e.kind IN ('routed', 'rejected') ORDER BY e.intake_id, e.id
)
SELECT
    count(*) FILTER (WHERE d.kind = 'routed' AND d.decided_by = 'model')::integer AS auto_routed,
    count(*) FILTER (WHERE d.kind = 'routed' AND d.decided_by = 'operator' AND d.pipeline_key = p.pipeline_key)::integer AS approved,
    count(*) FILTER (WHERE d.kind = 'routed' AND d.decided_by = 'operator' AND d.pipeline_key <> p.pipeline_key)::integer AS reassigned,
    count(*) FILTER (WHERE d.kind = 'rejected')::integer AS rejected,
    coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d.created_at - p.created_at))
        FILTER (WHERE d.kind = 'rejected' OR d.decided_by = 'operator'), 0)::double precision AS wait_p50_seconds,
    coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM d.created_at - p.created_at))
        FILTER (WHERE d.kind = 'rejected' OR d.decided_by = 'operator'), 0)::double precision AS wait_p90_seconds
FROM decided d JOIN proposed p USING (intake_id);

-- name: DashboardQueue :one
SELECT
    count(*) FILTER (WHERE status = 'awaiting_approval')::integer AS awaiting,
    count(*) FILTER (WHERE sla_breached_at IS NOT NULL)::integer AS sla_breaches
FROM intake_requests WHERE org_id = $1;
