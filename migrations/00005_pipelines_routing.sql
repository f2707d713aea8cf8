-- +goose Up
-- Pipelines (kanban boards with ordered stages) and what the local router learned per organisation.
CREATE TABLE pipelines (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key         text        NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    name        text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, key)
);

CREATE TABLE pipeline_stages (
    id          uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid    NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    pipeline_id uuid    NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    name        text    NOT NULL,
    position    integer NOT NULL,
    UNIQUE (pipeline_id, position)
);

-- Every routing decision the classifier learned from: the source of truth the model can be rebuilt from.
CREATE TABLE routing_examples (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    pipeline_id uuid        NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    text        text        NOT NULL,
    source      text        NOT NULL CHECK (source IN ('import', 'operator')),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX routing_examples_org_idx ON routing_examples (org_id, id);

-- The learned model (internal/routing's JSON), updated in the transaction that adds examples.
CREATE TABLE routing_models (
    org_id     uuid        PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    model      jsonb       NOT NULL,
    examples   integer     NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE routing_settings (
    org_id      uuid             PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    -- Proposals at or above this confidence are applied without an operator.
    threshold   double precision NOT NULL DEFAULT 0.8 CHECK (threshold >= 0 AND threshold <= 1),
    llm_enabled boolean          NOT NULL DEFAULT false,
    llm_model   text             NOT NULL DEFAULT '',
    updated_at  timestamptz      NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE routing_settings;
DROP TABLE routing_models;
DROP TABLE routing_examples;
DROP TABLE pipeline_stages;
DROP TABLE pipelines;
