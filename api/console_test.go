package api

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
)

// TestConsoleIsServedBesideTheAPI: the console's files and its client routes
// are served at /, and nothing of the API, the health checks or a missing
// asset is answered with the app instead.
func TestConsoleIsServedBesideTheAPI(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><title>console</title>")},
		"assets/main-abc.js": {Data: []byte("console.log(1)")},
		"favicon.svg":        {Data: []byte("<svg/>")},
	}
	srv, _ := newServer(t, Deps{Console: files})
	fetch := func(method, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	for _, p := range []string{"/", "/sign-in", "/orgs/0b6c/intake/42?status=routed"} {
		resp, body := fetch("GET", p)
		if resp.StatusCode != 200 || !strings.Contains(body, "<title>console</title>") {
			t.Errorf("GET %s = %d %q, want index.html", p, resp.StatusCode, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: CSP %q", p, csp)
		}
	}
	resp, body := fetch("GET", "/assets/main-abc.js")
	if resp.StatusCode != 200 || body != "console.log(1)" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("asset = %d %q (Cache-Control %q)", resp.StatusCode, body, resp.Header.Get("Cache-Control"))
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("asset lacks the security headers")
	}
	if resp, body := fetch("GET", "/favicon.svg"); resp.StatusCode != 200 || body != "<svg/>" {
		t.Errorf("favicon = %d %q", resp.StatusCode, body)
	}
	// Not the app: the API's own 404s and routes, a missing asset, other methods.
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/no-such-thing"}, {"GET", "/api"}, {"GET", "/metrics"}, {"GET", "/assets/gone-123.js"}, {"POST", "/sign-in"}, {"GET", "/api/v1/me"},
	} {
		resp, body := fetch(c.method, c.path)
		if strings.Contains(body, "<title>console</title>") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s %s = %d %s %q, want the API's problem", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	if resp, body := fetch("GET", "/healthz"); resp.StatusCode != 200 || strings.Contains(body, "console") {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}
}
