package database_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/database"
	"github.com/astralisops/astralis/internal/testenv"
)

// TestMigrateConcurrently starts several "replicas" migrating one empty
// database at once: all succeed and every migration is applied exactly once.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	url := testenv.EmptyDatabaseURL(t)
	ctx := context.Background()
	const replicas = 4
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = database.Migrate(ctx, url, slog.New(slog.DiscardHandler))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var applied, distinct int
	err = conn.QueryRow(ctx, "SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0").Scan(&applied, &distinct)
	if err != nil {
		t.Fatal(err)
	}
	if applied == 0 || applied != distinct {
		t.Fatalf("goose_db_version has %d rows for %d migrations; want each applied once", applied, distinct)
	}
	if _, err := conn.Exec(ctx, "SELECT message_id FROM dev_mail LIMIT 1"); err != nil {
		t.Fatalf("schema not in place: %v", err)
	}

	// Running again is a no-op.
	if err := database.Migrate(ctx, url, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
}

func TestCreateIfMissingIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := testenv.AdminURL(t)
	name := "test_create_if_missing"
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, admin)
		if err == nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize())
			conn.Close(ctx)
		}
	})
	for range 2 {
		if err := database.CreateIfMissing(ctx, admin, name); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDaysAreCountedInUTC: on a server set up in another zone, the pool
// still counts days in UTC, as the API documents (the dashboard's requests
// per day): 23:30 in New York on 1 January is 2 January.
func TestDaysAreCountedInUTC(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := testenv.DatabaseURL(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET timezone = %L', current_database(), 'America/New_York'); END $$"); err != nil {
		t.Fatal(err)
	}
	pool, err := database.Open(ctx, url, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var day string
	if err := pool.QueryRow(ctx, "SELECT date_trunc('day', '2026-01-01 23:30:00-05'::timestamptz)::date::text").Scan(&day); err != nil {
		t.Fatal(err)
	}
	if day != "2026-01-02" {
		t.Fatalf("23:30 in New York on 1 January falls on %s; want 2026-01-02 (UTC)", day)
	}
}
