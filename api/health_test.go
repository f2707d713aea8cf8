package api

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/astralisops/astralis/internal/database"
	"github.com/astralisops/astralis/internal/testenv"
)

type readyBody struct {
	Status any               `json:"status"` // "ready", or the HTTP status in a problem
	Detail string            `json:"detail"`
	Checks map[string]string `json:"checks"`
}

func readyz(t *testing.T, url string) (int, readyBody) {
	t.Helper()
	resp := do(t, "GET", url+"/readyz", "", "")
	var b readyBody
	if err := json.Unmarshal(resp.body, &b); err != nil {
		t.Fatalf("readyz body: %v: %s", err, resp.body)
	}
	return resp.status, b
}

func temporalCheck(c client.Client) ReadinessCheck {
	return ReadinessCheck{Name: "temporal", Check: func(ctx context.Context) error {
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	}}
}

// TestReadyzFollowsTheDatabase takes the database away and gives it back:
// /readyz must say 503 naming it, then recover without a restart.
func TestReadyzFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	url := testenv.DatabaseURL(t)
	pool, err := database.Open(context.Background(), url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	srv, _ := newServer(t, Deps{Readiness: []ReadinessCheck{
		{Name: "database", Check: pool.Ping},
		temporalCheck(testenv.Temporal(t)),
	}})

	if status, b := readyz(t, srv.URL); status != 200 || b.Checks["database"] != "ok" || b.Checks["temporal"] != "ok" {
		t.Fatalf("healthy: readyz = %d %+v", status, b)
	}

	cfg, _ := pgx.ParseConfig(url)
	setAllowConnections(t, cfg.Database, false)
	status, b := readyz(t, srv.URL)
	if status != 503 || b.Checks["database"] != "unavailable" || b.Checks["temporal"] != "ok" {
		t.Fatalf("database gone: readyz = %d %+v", status, b)
	}
	if b.Detail != "not ready: database unreachable" {
		t.Errorf("detail = %q, want it to name the database", b.Detail)
	}

	setAllowConnections(t, cfg.Database, true)
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, b = readyz(t, srv.URL)
		if status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz did not recover: %d %+v", status, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// setAllowConnections makes a database refuse (and drop) every connection, as a stopped server would.
func setAllowConnections(t *testing.T, name string, allow bool) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testenv.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	stmt := "ALTER DATABASE " + pgx.Identifier{name}.Sanitize() + " ALLOW_CONNECTIONS "
	if allow {
		stmt += "true"
	} else {
		stmt += "false"
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
		t.Fatal(err)
	}
	if !allow {
		if _, err := conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadyzNamesTemporalWhenUnreachable(t *testing.T) {
	t.Parallel()
	pool := testenv.Pool(t)
	// A lazy client for a port nobody listens on: what the API holds while Temporal is down.
	down, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	srv, _ := newServer(t, Deps{Readiness: []ReadinessCheck{
		{Name: "database", Check: pool.Ping},
		temporalCheck(down),
	}})
	status, b := readyz(t, srv.URL)
	if status != 503 || b.Checks["temporal"] != "unavailable" || b.Checks["database"] != "ok" || b.Detail != "not ready: temporal unreachable" {
		t.Fatalf("readyz = %d %+v", status, b)
	}
	if live := do(t, "GET", srv.URL+"/healthz", "", ""); live.status != 200 {
		t.Errorf("/healthz = %d while only a dependency is down", live.status)
	}
}
