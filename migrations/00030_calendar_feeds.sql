-- +goose Up
-- An operator's calendar feed: a secret URL calendar apps subscribe to. Only
-- the token's SHA-256 is kept; a new token replaces the old, deleting revokes.
CREATE TABLE calendar_feeds (
    org_id     uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    token_hash bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id),
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE calendar_feeds;
