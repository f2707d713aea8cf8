-- name: HitRateLimit :one
-- Counts one hit in the key's window and returns its total and start. A
-- window starts at its key's first hit; a hit once it has ended (it started
-- at or before @ended_if_started_by) starts a new one at @now.
INSERT INTO rate_limits AS r (key, window_start, count) VALUES (@key, @now, 1)
ON CONFLICT (key) DO UPDATE SET
    window_start = CASE WHEN r.window_start <= @ended_if_started_by THEN excluded.window_start ELSE r.window_start END,
    count        = CASE WHEN r.window_start <= @ended_if_started_by THEN 1 ELSE r.count + 1 END
RETURNING window_start, count;

-- name: ClearRateLimit :exec
DELETE FROM rate_limits WHERE key = $1;

-- name: DeleteExpiredRateLimits :exec
DELETE FROM rate_limits WHERE window_start < $1;

-- name: RefundRateLimit :exec
-- Takes back one hit of the key's current window (an attempt that turned out not to count).
UPDATE rate_limits SET count = count - 1
WHERE key = @key AND window_start > @ended_if_started_by AND count > 0;

-- name: RateLimitWindow :one
-- The key's current window: its hits so far, without counting one (0 when
-- there is none), and its start.
SELECT coalesce(max(count), 0)::int AS count, coalesce(max(window_start), @now)::timestamptz AS window_start
FROM rate_limits WHERE key = @key AND window_start > @ended_if_started_by;
