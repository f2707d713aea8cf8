-- name: HitRateLimit :one
-- Counts one hit in the current window and returns the window's total.
INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
RETURNING count;

-- name: ClearRateLimit :exec
DELETE FROM rate_limits WHERE key = $1;

-- name: DeleteExpiredRateLimits :exec
DELETE FROM rate_limits WHERE window_start < $1;

-- name: RefundRateLimit :exec
-- Takes back one hit of the window (an attempt that turned out not to count).
UPDATE rate_limits SET count = count - 1 WHERE key = $1 AND window_start = $2 AND count > 0;

-- name: RateLimitCount :one
-- The hits of a window so far, without counting one (0 when there are none).
SELECT coalesce(sum(count), 0)::int AS count FROM rate_limits WHERE key = $1 AND window_start = $2;
