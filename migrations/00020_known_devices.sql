-- +goose Up
-- Browsers that have signed in to an account. A sign-in from one of them is
-- limited on its own, so failures from elsewhere cannot lock the owner out.
-- Only the SHA-256 of the cookie's secret is stored; one secret may stand for
-- several accounts signed in from the same browser.
CREATE TABLE known_devices (
    token_hash   bytea       NOT NULL,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX known_devices_user_idx ON known_devices (user_id);
CREATE INDEX known_devices_expires_idx ON known_devices (expires_at);

-- +goose Down
DROP TABLE known_devices;
