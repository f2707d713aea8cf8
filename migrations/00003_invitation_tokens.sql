-- +goose Up
-- Invitations are accepted explicitly, with the token mailed to the invited address
-- (only its SHA-256 is stored), by a signed-in account that proved that address.
ALTER TABLE invitations ADD COLUMN token_hash bytea UNIQUE;

-- +goose Down
ALTER TABLE invitations DROP COLUMN token_hash;
