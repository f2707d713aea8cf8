-- +goose Up
-- Each account a browser knows gets an id that stays when the browser's secret
-- changes (signing in to another account gives it a new secret, which keeps
-- the accounts and ids of the old one). Failed sign-ins from a known browser
-- are counted under this id, so a new secret does not start them afresh.
-- Existing rows get an id each.
ALTER TABLE known_devices ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();

-- +goose Down
ALTER TABLE known_devices DROP COLUMN id;
