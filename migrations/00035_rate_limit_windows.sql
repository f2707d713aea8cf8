-- +goose Up
-- A limit's window starts at its key's first hit instead of on the clock's
-- marks (every 15 minutes, hour, day), which let a guesser have a limit's
-- worth just before a mark and another just after it: one row per key. A new
-- table, so that replicas of the previous release, counting in rate_limits
-- during a rolling deploy, keep working. rate_limits is pruned with it; a
-- later release stops pruning it, and only the release after that drops it
-- (a replica of this one would fail to prune rate_limit_windows too).
CREATE TABLE rate_limit_windows (
    key          text        PRIMARY KEY,
    window_start timestamptz NOT NULL,
    count        integer     NOT NULL
);
INSERT INTO rate_limit_windows (key, window_start, count)
SELECT DISTINCT ON (key) key, window_start, count FROM rate_limits ORDER BY key, window_start DESC;

-- +goose Down
DROP TABLE rate_limit_windows;
