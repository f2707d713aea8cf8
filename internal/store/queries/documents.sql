-- name: DocumentSettings :one
-- The organisation's document settings, or the defaults when it has saved none.
SELECT coalesce(s.duplicate_policy, 'reject')::text AS duplicate_policy,
       coalesce(s.review_threshold, 0.8)::float8 AS review_threshold,
       coalesce(s.retention_days, '{}')::jsonb AS retention_days,
       coalesce(s.llm_enabled, false)::boolean AS llm_enabled
FROM (SELECT sqlc.arg(org_id)::uuid AS org_id) o
LEFT JOIN document_settings s ON s.org_id = o.org_id;

-- name: SaveDocumentSettings :exec
INSERT INTO document_settings (org_id, duplicate_policy, review_threshold, retention_days, llm_enabled)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (org_id) DO UPDATE SET duplicate_policy = EXCLUDED.duplicate_policy,
    review_threshold = EXCLUDED.review_threshold, retention_days = EXCLUDED.retention_days,
    llm_enabled = EXCLUDED.llm_enabled, updated_at = now();

-- name: InsertDocument :one
-- Returns no row when the submitter used the idempotency key before in the organisation.
INSERT INTO documents (org_id, uploaded_by, intake_id, idempotency_key, kind, filename, content_type, size_bytes, sha256, duplicate_of, pages_total)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (org_id, uploaded_by, idempotency_key) DO NOTHING
RETURNING *;

-- name: DocumentByIdempotencyKey :one
SELECT * FROM documents WHERE org_id = $1 AND uploaded_by = $2 AND idempotency_key = $3;

-- name: OriginalDocument :one
-- The organisation's first document with these bytes that still has them (not
-- rejected, not failed, its original not expired): what a second upload of
-- the same file is a duplicate of.
SELECT * FROM documents
WHERE org_id = $1 AND sha256 = $2 AND status NOT IN ('rejected', 'failed')
  AND (stored OR status IN ('received', 'scanning'))
ORDER BY created_at, id
LIMIT 1;

-- name: InsertUploadChunk :exec
INSERT INTO document_upload_chunks (document_id, seq, data) VALUES ($1, $2, $3);

-- name: UploadChunk :one
SELECT data FROM document_upload_chunks WHERE document_id = $1 AND seq = $2;

-- name: DeleteUploadChunks :exec
DELETE FROM document_upload_chunks WHERE document_id = $1;

-- name: GetDocument :one
SELECT * FROM documents WHERE org_id = $1 AND id = $2;

-- name: LockDocument :one
SELECT * FROM documents WHERE org_id = $1 AND id = $2 FOR UPDATE;

-- name: SetDocumentStatus :exec
UPDATE documents SET status = $3, reason = $4, updated_at = now() WHERE org_id = $1 AND id = $2;

-- name: FailDocument :exec
-- Only a document still being read fails: one rejected, processed or awaiting review keeps its status.
UPDATE documents SET status = 'failed', reason = $3, updated_at = now()
WHERE org_id = $1 AND id = $2 AND status IN ('received', 'scanning', 'processing');

-- name: MarkDocumentStored :exec
UPDATE documents SET stored = true, updated_at = now() WHERE org_id = $1 AND id = $2;

-- name: SetDocumentPages :exec
UPDATE documents SET pages_total = $3, updated_at = now() WHERE org_id = $1 AND id = $2;

-- name: CountOCRRun :exec
UPDATE documents SET ocr_runs = ocr_runs + 1 WHERE org_id = $1 AND id = $2;

-- name: InsertDocumentPage :execrows
-- Saved once: a page finished by an earlier attempt is kept as it was.
INSERT INTO document_pages (document_id, org_id, number, source, width, height, text, words)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (document_id, number) DO NOTHING;

-- name: CountDocumentPageDone :one
UPDATE documents SET pages_done = (SELECT count(*) FROM document_pages p WHERE p.document_id = documents.id), updated_at = now()
WHERE documents.org_id = $1 AND documents.id = $2
RETURNING pages_done;

-- name: DocumentPageNumbers :many
SELECT number FROM document_pages WHERE document_id = $1 ORDER BY number;

-- name: DocumentPages :many
SELECT * FROM document_pages WHERE org_id = $1 AND document_id = $2 ORDER BY number;

-- name: DocumentPage :one
SELECT * FROM document_pages WHERE org_id = $1 AND document_id = $2 AND number = $3;

-- name: SaveExtraction :exec
UPDATE documents
SET fields = $3, extraction = $4, vendor_id = $5, doc_date = $6, total = $7, currency = $8, status = $9,
    search = (SELECT to_tsvector('simple', coalesce(string_agg(p.text, ' ' ORDER BY p.number), '')) FROM document_pages p WHERE p.document_id = documents.id),
    processed_at = CASE WHEN $9 = 'processed' THEN now() ELSE processed_at END,
    updated_at = now()
WHERE documents.org_id = $1 AND documents.id = $2;

-- name: CompleteReview :exec
UPDATE documents
SET fields = $3, vendor_id = $4, doc_date = $5, total = $6, currency = $7, status = 'processed',
    reviewed_at = now(), reviewed_by = $8, processed_at = now(), updated_at = now()
WHERE org_id = $1 AND id = $2;

-- name: InsertAnnotation :exec
INSERT INTO document_annotations (org_id, document_id, field, before_value, after_value, actor_user_id, note)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: DocumentAnnotations :many
SELECT * FROM document_annotations WHERE org_id = $1 AND document_id = $2 ORDER BY id;

-- name: ListDocuments :many
-- Newest first, filtered; the cursor is the (created_at, id) of the last row of the previous page.
SELECT d.id, d.kind, d.filename, d.content_type, d.size_bytes, d.status, d.reason, d.duplicate_of,
       d.pages_total, d.pages_done, d.vendor_id, d.doc_date, d.total, d.currency, d.intake_id,
       d.uploaded_by, d.created_at, coalesce(v.name, '')::text AS vendor_name
FROM documents d
LEFT JOIN vendors v ON v.id = d.vendor_id
WHERE d.org_id = sqlc.arg(org_id)
  AND (sqlc.narg(uploaded_by)::uuid IS NULL OR d.uploaded_by = sqlc.narg(uploaded_by))
  AND (sqlc.narg(status)::text IS NULL OR d.status = sqlc.narg(status))
  AND (sqlc.narg(vendor_id)::uuid IS NULL OR d.vendor_id = sqlc.narg(vendor_id))
  AND (sqlc.narg(date_from)::date IS NULL OR d.doc_date >= sqlc.narg(date_from))
  AND (sqlc.narg(date_to)::date IS NULL OR d.doc_date <= sqlc.narg(date_to))
  AND (sqlc.narg(total_min)::numeric IS NULL OR d.total >= sqlc.narg(total_min))
  AND (sqlc.narg(total_max)::numeric IS NULL OR d.total <= sqlc.narg(total_max))
  AND (sqlc.narg(duplicate)::bool IS NULL OR (d.duplicate_of IS NOT NULL) = sqlc.narg(duplicate))
  AND (sqlc.narg(intake_id)::uuid IS NULL OR d.intake_id = sqlc.narg(intake_id))
  AND (sqlc.narg(query)::text IS NULL OR d.search @@ websearch_to_tsquery('simple', sqlc.narg(query)))
  AND (sqlc.narg(before_at)::timestamptz IS NULL OR (d.created_at, d.id) < (sqlc.narg(before_at), sqlc.arg(before_id)::uuid))
ORDER BY d.created_at DESC, d.id DESC
LIMIT sqlc.arg(max_rows);

-- name: DeleteDocument :one
DELETE FROM documents WHERE org_id = $1 AND id = $2 RETURNING *;

-- name: DocumentsSharingObject :one
-- Other documents of the organisation whose original is the same object: stored,
-- or about to be (an upload of the same file still before or in its scan may
-- have written the object and not yet committed that it is stored).
SELECT count(*) FROM documents
WHERE org_id = $1 AND sha256 = $2 AND id <> $3 AND (stored OR status IN ('received', 'scanning'));

-- name: UpsertVendor :one
INSERT INTO vendors (org_id, name, address, source) VALUES ($1, $2, $3, $4)
ON CONFLICT (org_id, lower(name)) DO UPDATE SET name = EXCLUDED.name,
    address = CASE WHEN EXCLUDED.address = '' THEN vendors.address ELSE EXCLUDED.address END, -- no address given keeps the known one
    source = CASE WHEN EXCLUDED.source = 'review' THEN 'review' ELSE vendors.source END, updated_at = now()
RETURNING *;

-- name: ListVendors :many
SELECT * FROM vendors WHERE org_id = $1 ORDER BY lower(name), id;

-- name: CountVendors :one
SELECT count(*) FROM vendors WHERE org_id = $1;

-- name: ReviewedFieldStats :many
-- Per week and field: how many extracted values reviewers saw, and how many
-- they accepted unchanged (no annotation for that field).
SELECT date_trunc('week', d.reviewed_at)::timestamptz AS week, f.key::text AS field,
       count(*) AS reviewed,
       count(*) FILTER (WHERE NOT EXISTS (
           SELECT 1 FROM document_annotations a WHERE a.document_id = d.id AND a.field = f.key
       )) AS accepted
FROM documents d, jsonb_object_keys(d.extraction -> 'fields') AS f(key)
WHERE d.org_id = $1 AND d.reviewed_at IS NOT NULL AND d.reviewed_at >= $2
GROUP BY 1, 2
ORDER BY 1, 2;

-- name: DocumentStatusCounts :many
-- How many of the organisation's documents uploaded since $2 are in each status.
SELECT status, count(*) AS documents
FROM documents
WHERE org_id = $1 AND created_at >= $2
GROUP BY status
ORDER BY status;

-- name: ExpiredOriginals :many
-- Stored originals past their kind's retention, not on legal hold, and not
-- being read (a document still 'processing' needs its original).
SELECT d.org_id, d.id, d.sha256 FROM documents d
JOIN document_settings s ON s.org_id = d.org_id
WHERE d.stored AND NOT d.legal_hold AND d.status <> 'processing'
  AND (s.retention_days ->> d.kind) IS NOT NULL
  AND d.created_at < now() - make_interval(days => (s.retention_days ->> d.kind)::int)
ORDER BY d.created_at
LIMIT $1;

-- name: MarkOriginalDeleted :exec
UPDATE documents SET stored = false, updated_at = now() WHERE org_id = $1 AND id = $2;

-- name: StrandedDocuments :many
-- Documents still 'received', not swept yet, stored between the two times; oldest first.
SELECT org_id, id FROM documents
WHERE status = 'received' AND swept_at IS NULL AND created_at > sqlc.arg(after) AND created_at < sqlc.arg(before)
ORDER BY created_at
LIMIT 100;

-- name: MarkDocumentSwept :exec
UPDATE documents SET swept_at = now() WHERE org_id = $1 AND id = $2;

-- name: SetDocumentLegalHold :one
-- The row lock it takes serialises it with retention, which deletes under LockDocument.
UPDATE documents SET legal_hold = $3, updated_at = now() WHERE org_id = $1 AND id = $2
RETURNING *;
