package api

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/astralisops/astralis/internal/mail"
)

// allRoutesDeps turns on every optional part of the router so every route is registered.
func allRoutesDeps() Deps {
	return Deps{DevMailbox: mail.NewDevMailbox(nil)}
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_]+)`)

// TestOpenAPIMatchesRoutes fails when a route is registered without being
// documented, or documented without being registered.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}

	_, r := newServer(t, allRoutesDeps())
	registered := map[string]bool{}
	for _, route := range r.Routes() {
		registered[route.Method+" "+ginParam.ReplaceAllString(route.Path, "{$1}")] = true
	}

	var missing, stale []string
	for op := range registered {
		if !documented[op] {
			missing = append(missing, op)
		}
	}
	for op := range documented {
		if !registered[op] {
			stale = append(stale, op)
		}
	}
	slices.Sort(missing)
	slices.Sort(stale)
	if len(missing) > 0 {
		t.Errorf("routes missing from api/openapi.json:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("api/openapi.json documents routes that do not exist:\n  %s", strings.Join(stale, "\n  "))
	}
	if len(registered) < 5 {
		t.Errorf("only %d routes enumerated; the walk is broken", len(registered))
	}
}

func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, Deps{})
	resp := do(t, "GET", srv.URL+"/api/v1/openapi.json", "", "")
	if resp.status != 200 || !json.Valid(resp.body) || !strings.Contains(string(resp.body), `"openapi": "3.1.0"`) {
		t.Fatalf("GET /api/v1/openapi.json = %d %.100s", resp.status, resp.body)
	}
}
