-- name: HitRateLimit :one
-- Counts one hit in the key's window and returns its total and start. A
-- window starts at its key's first hit; a hit once it has ended (it started
-- at or before @ended_if_started_by) starts a new one at @now.
INSERT INTO rate_limit_windows AS r (key, window_start, count) VALUES (@key, @now, 1)
ON CONFLICT (key) DO UPDATE SET
    window_start = CASE WHEN r.window_start <= @ended_if_started_by THEN excluded.window_start ELSE r.window_start END,
    count        = CASE WHEN r.window_start <= @ended_if_started_by THEN 1 ELSE r.count + 1 END
RETURNING window_start, count;

-- name: ClearRateLimit :exec
DELETE FROM rate_limit_windows WHERE key = $1;

-- name: DeleteExpiredRateLimits :exec
-- Also prunes rate_limits, where replicas of the previous release counted
-- during a rolling deploy (see migration 00035).
WITH previous_release AS (DELETE FROM rate_limits WHERE rate_limits.window_start < $1)
DELETE FROM rate_limit_windows WHERE rate_limit_windows.window_start < $1;

-- name: RefundRateLimit :exec
-- Takes back one hit of the key's window that started at @window_start (an
-- attempt that turned out not to count), if that window is still the key's.
UPDATE rate_limit_windows SET count = count - 1
WHERE key = @key AND window_start = @window_start AND count > 0;

-- name: RateLimitWindow :one
-- The key's current window: its hits so far, without counting one (0 when
-- there is none), and its start.
SELECT coalesce(max(count), 0)::int AS count, coalesce(max(window_start), @now)::timestamptz AS window_start
FROM rate_limit_windows WHERE key = @key AND window_start > @ended_if_started_by;
