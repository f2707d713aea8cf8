package app

import (
	"context"
	"testing"

	"github.com/astralisops/astralis/workflows"
)

// TestPruneDropsOnlyWhatExpired: a run of the prune schedule deletes expired
// sessions and known devices, spent email tokens, and old rate-limit windows
// and password reset requests, and nothing else.
func TestPruneDropsOnlyWhatExpired(t *testing.T) {
	_, s := startDev(t)
	ctx := context.Background()
	_, err := s.Pool.Exec(ctx, `
		INSERT INTO sessions (token, data, expiry) VALUES ('old', '\x00', now() - interval '1 minute'), ('live', '\x00', now() + interval '1 hour');
		INSERT INTO users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', 'p@example.com');
		INSERT INTO email_tokens (token_hash, purpose, user_id, expires_at, used_at) VALUES
			('\x01', 'verify_email', '00000000-0000-0000-0000-000000000001', now() - interval '8 days', NULL),
			('\x02', 'verify_email', '00000000-0000-0000-0000-000000000001', now() + interval '1 day', NULL),
			('\x03', 'reset_password', '00000000-0000-0000-0000-000000000001', now() + interval '1 day', now() - interval '8 days');
		INSERT INTO rate_limit_windows (key, window_start, count) VALUES ('old', now() - interval '2 days', 3), ('new', now(), 1);
		-- counted by a replica of the previous release during a rolling deploy
		INSERT INTO rate_limits (key, window_start, count) VALUES ('old', now() - interval '2 days', 3), ('new', now(), 1);
		INSERT INTO password_reset_requests (id, created_at) VALUES
			('00000000-0000-0000-0000-0000000000a1', now() - interval '2 days'), ('00000000-0000-0000-0000-0000000000a2', now());
		INSERT INTO known_devices (token_hash, user_id, expires_at) VALUES
			('\x01', '00000000-0000-0000-0000-000000000001', now() - interval '1 minute'),
			('\x02', '00000000-0000-0000-0000-000000000001', now() + interval '1 day');`)
	if err != nil {
		t.Fatal(err)
	}
	runSchedule(t, s, workflows.PruneSchedule, nil)
	var sessions, tokens, limits, resets, devices int
	err = s.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM sessions WHERE token IN ('old','live')),
		(SELECT count(*) FROM email_tokens), (SELECT count(*) FROM rate_limit_windows WHERE key IN ('old','new')) + (SELECT count(*) FROM rate_limits WHERE key IN ('old','new')),
		(SELECT count(*) FROM password_reset_requests), (SELECT count(*) FROM known_devices)`).Scan(&sessions, &tokens, &limits, &resets, &devices)
	if err != nil {
		t.Fatal(err)
	}
	if sessions != 1 || tokens != 1 || limits != 2 || resets != 1 || devices != 1 {
		t.Fatalf("after prune: %d sessions, %d email tokens, %d rate-limit windows (of two tables), %d password reset requests, %d known devices; want 1 live one of each (2 windows)",
			sessions, tokens, limits, resets, devices)
	}
}
