// Package testenv gives tests the real dependencies `astralis testenv` (run by
// `make test`) started: an isolated PostgreSQL database per test, cloned from a
// migrated template, a bucket per test on the shared S3 server, and a client
// of the shared Temporal server.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/astralisops/astralis/internal/database"
	"github.com/astralisops/astralis/migrations"
)

// Environment variables `astralis testenv` sets for the test binaries.
const (
	DatabaseURLEnv     = "TEST_DATABASE_URL"
	TemporalAddressEnv = "TEST_TEMPORAL_ADDRESS"
	// BinaryEnv is the path of the astralis binary running the harness, for tests that drive it.
	BinaryEnv = "ASTRALIS_BIN"
	// TemporalNamespace is registered on the shared test server.
	TemporalNamespace = "default"
)

func requireEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run the tests with `make test` (or `astralis testenv -- go test ./...`)", name)
	}
	return v
}

// DatabaseURL creates a fresh database for this test, migrated to the latest
// schema, and drops it when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	adminURL := requireEnv(t, DatabaseURLEnv)
	ctx := context.Background()
	template, err := ensureTemplate(ctx, adminURL)
	if err != nil {
		t.Fatalf("testenv: template database: %v", err)
	}
	name := "test_" + randomHex(8)
	if err := exec(ctx, adminURL, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{template}.Sanitize()); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(context.Background(), adminURL, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("testenv: drop database %s: %v", name, err)
		}
	})
	return withDatabase(adminURL, name)
}

// EmptyDatabaseURL creates a database with no schema at all, for migration tests.
func EmptyDatabaseURL(t testing.TB) string {
	t.Helper()
	adminURL := requireEnv(t, DatabaseURLEnv)
	name := "test_empty_" + randomHex(8)
	if err := exec(context.Background(), adminURL, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		_ = exec(context.Background(), adminURL, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
	return withDatabase(adminURL, name)
}

// AdminURL is the URL of the test server's maintenance database.
func AdminURL(t testing.TB) string {
	t.Helper()
	return requireEnv(t, DatabaseURLEnv)
}

// Pool opens a pool on a fresh database (see DatabaseURL), closed when the test ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := database.Open(context.Background(), DatabaseURL(t), 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TemporalAddress is the shared test server's frontend.
func TemporalAddress(t testing.TB) string {
	t.Helper()
	return requireEnv(t, TemporalAddressEnv)
}

// Temporal dials the shared test server; tests isolate themselves with their own task queue (TaskQueue).
func Temporal(t testing.TB) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: TemporalAddress(t), Namespace: TemporalNamespace, Logger: QuietSDKLogger{}})
	if err != nil {
		t.Fatalf("testenv: dial Temporal: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// TaskQueue is a task queue no other test uses.
func TaskQueue(t testing.TB) string {
	return strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()) + "-" + randomHex(4)
}

// ensureTemplate creates, once per schema version, a migrated database that
// tests clone. Its name carries a hash of the migrations, so a changed schema
// gets a new template; an advisory lock lets parallel test packages share it.
func ensureTemplate(ctx context.Context, adminURL string) (string, error) {
	name, err := templateName()
	if err != nil {
		return "", err
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7261001)"); err != nil {
		return "", err
	}
	defer func() { _, _ = conn.Exec(context.Background(), "SELECT pg_advisory_unlock(7261001)") }()

	var ready bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready)
	if err != nil || ready {
		return name, err
	}
	// A half-made template from an interrupted run is replaced.
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	if err := database.Migrate(ctx, withDatabase(adminURL, name), slog.New(slog.DiscardHandler)); err != nil {
		return "", err
	}
	// Marking it a template last means "exists and is a template" implies "fully migrated".
	_, err = conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" IS_TEMPLATE true")
	return name, err
}

func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%s\x00", path, data)
		return nil
	})
	if err != nil {
		return "", err
	}
	return "template_" + hex.EncodeToString(h.Sum(nil))[:12], nil
}

func exec(ctx context.Context, url, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func withDatabase(rawURL, name string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(err) // requireEnv's value was already used to connect
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// QuietSDKLogger drops the SDK's routine logs so test output shows failures only.
type QuietSDKLogger struct{}

func (QuietSDKLogger) Debug(string, ...any) {}
func (QuietSDKLogger) Info(string, ...any)  {}
func (QuietSDKLogger) Warn(string, ...any)  {}
func (QuietSDKLogger) Error(string, ...any) {}
