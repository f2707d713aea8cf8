-- +goose Up
-- Documents: uploads read by the DocumentWorkflow (scan → store → OCR page by
-- page → extract → review).

-- Per organisation: what a second upload of the same file does, when a
-- document needs review, and how long originals are kept per kind.
CREATE TABLE document_settings (
    org_id           uuid             PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    duplicate_policy text             NOT NULL DEFAULT 'reject' CHECK (duplicate_policy IN ('reject', 'mark')),
    review_threshold double precision NOT NULL DEFAULT 0.8 CHECK (review_threshold BETWEEN 0 AND 1),
    -- {"receipt": 365, …}: days after which an original is deleted (absent: kept).
    retention_days   jsonb            NOT NULL DEFAULT '{}',
    updated_at       timestamptz      NOT NULL DEFAULT now()
);

CREATE TABLE documents (
    id              uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid          NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    uploaded_by     uuid          REFERENCES users (id) ON DELETE SET NULL,
    intake_id       uuid          REFERENCES intake_requests (id) ON DELETE SET NULL,
    -- One document per submitter and key, however often the upload is retried.
    idempotency_key text,
    kind            text          NOT NULL DEFAULT 'receipt' CHECK (kind IN ('receipt', 'invoice', 'form', 'other')),
    filename        text          NOT NULL DEFAULT '',
    content_type    text          NOT NULL,
    size_bytes      bigint        NOT NULL,
    sha256          bytea         NOT NULL,
    -- Set once the scan passed and the original is in object storage; false again once it is deleted.
    stored          boolean       NOT NULL DEFAULT false,
    status          text          NOT NULL DEFAULT 'received'
                    CHECK (status IN ('received', 'scanning', 'processing', 'needs_review', 'processed', 'rejected', 'failed')),
    -- Why it was rejected or failed, in words a user can act on.
    reason          text          NOT NULL DEFAULT '',
    duplicate_of    uuid          REFERENCES documents (id) ON DELETE SET NULL,
    pages_total     int           NOT NULL DEFAULT 0,
    pages_done      int           NOT NULL DEFAULT 0,
    -- Pages handed to OCR, counting repeats: a restart shows up here.
    ocr_runs        int           NOT NULL DEFAULT 0,
    -- {"total": {"value", "normalized", "confidence", "page", "box"}, …} and what produced them.
    fields          jsonb         NOT NULL DEFAULT '{}',
    extraction      jsonb         NOT NULL DEFAULT '{}',
    vendor_id       uuid,
    doc_date        date,
    total           numeric(14, 2),
    currency        text          NOT NULL DEFAULT '',
    search          tsvector,
    legal_hold      boolean       NOT NULL DEFAULT false,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    processed_at    timestamptz,
    -- The review that completed it, if one did (the accuracy statistics count these).
    reviewed_at     timestamptz,
    reviewed_by     uuid          REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (org_id, uploaded_by, idempotency_key)
);
CREATE INDEX documents_org_idx ON documents (org_id, created_at DESC, id DESC);
CREATE INDEX documents_sha256_idx ON documents (org_id, sha256);
CREATE INDEX documents_search_idx ON documents USING gin (search);

-- The upload, staged in the database until the virus scan passes: an infected
-- file never reaches object storage, and nothing accepted is lost meanwhile.
-- Chunks, so neither side holds a whole file in memory.
CREATE TABLE document_upload_chunks (
    document_id uuid  NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq         int   NOT NULL,
    data        bytea NOT NULL,
    PRIMARY KEY (document_id, seq)
);

-- Each page's words as OCR (or the PDF's text layer) found them, saved as the page finishes.
CREATE TABLE document_pages (
    document_id uuid        NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    org_id      uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    number      int         NOT NULL,
    source      text        NOT NULL CHECK (source IN ('text', 'ocr')),
    width       int         NOT NULL,
    height      int         NOT NULL,
    text        text        NOT NULL,
    -- [{"text", "confidence", "box": [x0, y0, x1, y1]}, …]
    words       jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, number)
);

-- Reviewers' corrections: who changed which field from what to what.
CREATE TABLE document_annotations (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    document_id   uuid        NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    field         text        NOT NULL,
    before_value  text        NOT NULL,
    after_value   text        NOT NULL,
    actor_user_id uuid        REFERENCES users (id) ON DELETE SET NULL,
    note          text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_annotations_doc_idx ON document_annotations (document_id, id);

-- The organisation's suppliers, in its own spelling: imported, or learned from reviews.
CREATE TABLE vendors (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id     uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    address    text        NOT NULL DEFAULT '',
    source     text        NOT NULL CHECK (source IN ('import', 'review')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX vendors_org_name_idx ON vendors (org_id, lower(name));
ALTER TABLE documents ADD CONSTRAINT documents_vendor_fk FOREIGN KEY (vendor_id) REFERENCES vendors (id) ON DELETE SET NULL;

-- +goose Down
DROP TABLE document_annotations;
DROP TABLE document_pages;
DROP TABLE document_upload_chunks;
DROP TABLE documents;
DROP TABLE vendors;
DROP TABLE document_settings;
