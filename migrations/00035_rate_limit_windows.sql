-- +goose Up
-- A limit's window starts at its key's first hit instead of on the clock's
-- marks (every 15 minutes, hour, day): one row per key. With windows on the
-- marks, a guesser got a limit's worth just before a mark and another just
-- after it, and a Retry-After could be a second.
DELETE FROM rate_limits r USING rate_limits newer
WHERE newer.key = r.key AND newer.window_start > r.window_start;
ALTER TABLE rate_limits DROP CONSTRAINT rate_limits_pkey, ADD PRIMARY KEY (key);

-- +goose Down
ALTER TABLE rate_limits DROP CONSTRAINT rate_limits_pkey, ADD PRIMARY KEY (key, window_start);
