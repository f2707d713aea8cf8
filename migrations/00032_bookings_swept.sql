-- +goose Up
-- When the sweeper made sure a confirmed booking's workflow exists: each booking is swept once.
ALTER TABLE bookings ADD COLUMN swept_at timestamptz;
CREATE INDEX bookings_unswept_idx ON bookings (created_at) WHERE status = 'confirmed' AND swept_at IS NULL;

-- +goose Down
DROP INDEX bookings_unswept_idx;
ALTER TABLE bookings DROP COLUMN swept_at;
