-- +goose Up
-- Intake requests, the history of their routing, and the pipeline items they become.
CREATE TABLE intake_requests (
    id              uuid             PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid             NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_by      uuid             REFERENCES users (id) ON DELETE SET NULL,
    -- The same key (or source message id) never creates a second request.
    idempotency_key text,
    subject         text             NOT NULL,
    body            text             NOT NULL,
    contact_name    text             NOT NULL DEFAULT '',
    contact_email   text             NOT NULL DEFAULT '',
    source          text             NOT NULL DEFAULT 'api',
    metadata        jsonb            NOT NULL DEFAULT '{}',
    status          text             NOT NULL DEFAULT 'received'
                    CHECK (status IN ('received', 'routed', 'awaiting_approval', 'rejected')),
    pipeline_id     uuid             REFERENCES pipelines (id) ON DELETE SET NULL,
    priority        text             NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id     uuid             REFERENCES users (id) ON DELETE SET NULL,
    confidence      double precision,
    reason          text             NOT NULL DEFAULT '',
    decided_by      text             NOT NULL DEFAULT '' CHECK (decided_by IN ('', 'model', 'rules', 'operator')),
    sla_breached_at timestamptz,
    created_at      timestamptz      NOT NULL DEFAULT now(),
    updated_at      timestamptz      NOT NULL DEFAULT now(),
    UNIQUE (org_id, idempotency_key)
);
CREATE INDEX intake_requests_org_idx ON intake_requests (org_id, created_at DESC, id);

-- Every proposal and decision (model, rules, operator) with its model, confidence and latency.
CREATE TABLE intake_events (
    id            bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        uuid             NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    intake_id     uuid             NOT NULL REFERENCES intake_requests (id) ON DELETE CASCADE,
    kind          text             NOT NULL,
    actor_user_id uuid             REFERENCES users (id) ON DELETE SET NULL,
    pipeline_key  text             NOT NULL DEFAULT '',
    confidence    double precision,
    model         text             NOT NULL DEFAULT '',
    latency_ms    double precision,
    detail        jsonb            NOT NULL DEFAULT '{}',
    created_at    timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX intake_events_intake_idx ON intake_events (intake_id, id);

CREATE TABLE pipeline_items (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    pipeline_id uuid        NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    stage_id    uuid        NOT NULL REFERENCES pipeline_stages (id) ON DELETE CASCADE,
    -- One item per intake request, however often routing is retried.
    intake_id   uuid        UNIQUE REFERENCES intake_requests (id) ON DELETE SET NULL,
    title       text        NOT NULL,
    assignee_id uuid        REFERENCES users (id) ON DELETE SET NULL,
    due_at      timestamptz,
    -- Order within a stage: a fractional rank key, so a move writes one row.
    rank        text        NOT NULL COLLATE "C",
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pipeline_items_stage_idx ON pipeline_items (stage_id, rank);

-- +goose Down
DROP TABLE pipeline_items;
DROP TABLE intake_events;
DROP TABLE intake_requests;
