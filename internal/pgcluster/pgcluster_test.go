package pgcluster

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestClusterKeepsDataAcrossRestarts runs the same path `astralis dev` takes:
// initialise, use, stop, start again on the same directory.
func TestClusterKeepsDataAcrossRestarts(t *testing.T) {
	// Under the system temp dir, open like the harness's, so an unprivileged postgres user can reach it.
	parent, err := os.MkdirTemp("", "pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "pg")
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)

	c, err := Start(ctx, dir, 0, logger)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(c *Cluster, sql string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(c, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')")
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := pgx.Connect(ctx, c.URL("postgres")); err == nil {
		t.Fatal("server still answers after Stop")
	}

	again, err := Start(ctx, dir, 0, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Stop(ctx)
	conn, err := pgx.Connect(ctx, again.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "still here" {
		t.Fatalf("data lost across restart: %q, %v", v, err)
	}

	// The password is required: the cluster is not open to anyone on the machine.
	noPassword := "postgres://" + Superuser + "@" + again.URL("postgres")[len("postgres://"+Superuser+":"+again.password+"@"):]
	_, err = pgx.Connect(ctx, noPassword)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
		t.Fatalf("without the password: %v, want invalid_password (28P01)", err)
	}
}
