-- +goose Up
-- Whether the organisation lets a configured model read its documents' text (off until it says so, as for routing).
ALTER TABLE document_settings ADD COLUMN llm_enabled boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE document_settings DROP COLUMN llm_enabled;
