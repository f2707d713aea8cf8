package api

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/testenv"
)

// tchars are the characters an HTTP method (a token) may hold.
const tchars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~"

// pathChars need no escaping in a path.
const pathChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

func randomToken(rng *rand.Rand, n int) string   { return randomString(rng, tchars, n) }
func randomSegment(rng *rand.Rand, n int) string { return randomString(rng, pathChars, n) }

func randomString(rng *rand.Rand, chars string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[rng.IntN(len(chars))]
	}
	return string(b)
}

// randomMethod is a standard method now and then, else a made-up one (sometimes 20 KB long).
func randomMethod(rng *rand.Rand, i int) string {
	switch {
	case i%97 == 0:
		return randomToken(rng, 20<<10)
	case i%5 == 0:
		return standardMethods[rng.IntN(len(standardMethods))]
	default:
		return randomToken(rng, 1+rng.IntN(40))
	}
}

var standardMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

// randomPath hits unknown routes, known ones with made-up parameters, and /healthz.
func randomPath(rng *rand.Rand) string {
	switch rng.IntN(4) {
	case 0:
		return "/" + randomSegment(rng, 1+rng.IntN(60))
	case 1:
		return "/api/v1/" + randomSegment(rng, 1+rng.IntN(60))
	case 2:
		return "/api/v1/orgs/" + randomSegment(rng, 8) + "/intake/" + randomSegment(rng, 8)
	default:
		return "/healthz"
	}
}

// TestMetricsLabelsStayBounded: made-up methods and paths must not each become
// series of their own (the probe grew /metrics from 0.5 MB to 60 MB with 200
// requests). Every label value comes from a fixed set, and /metrics stays small.
func TestMetricsLabelsStayBounded(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	srv, r := newServer(t, Deps{Metrics: reg})
	routes := map[string]bool{"unmatched": true}
	for _, rt := range r.Routes() {
		routes[rt.Path] = true
	}
	methods := append([]string{"other"}, standardMethods...)

	rng := rand.New(rand.NewPCG(1, 13))
	for i := range 400 {
		req, err := http.NewRequest(randomMethod(rng, i), srv.URL+randomPath(rng), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := 0
	for _, mf := range families {
		for _, m := range mf.GetMetric() {
			series++
			for _, l := range m.GetLabel() {
				v := l.GetValue()
				switch l.GetName() {
				case "method":
					if !slices.Contains(methods, v) {
						t.Errorf("%s has method=%.40q: not one of %v", mf.GetName(), v, methods)
					}
				case "route":
					if !routes[v] {
						t.Errorf("%s has route=%.60q: not a route template", mf.GetName(), v)
					}
				case "cause": // promhttp's own error counter
					if v != "encoding" && v != "gathering" {
						t.Errorf("%s has cause=%.40q", mf.GetName(), v)
					}
				case "status":
					if code, err := strconv.Atoi(v); err != nil || code < 100 || code > 599 {
						t.Errorf("%s has status=%.40q", mf.GetName(), v)
					}
				default:
					t.Errorf("%s has a label %q this test does not know: is it bounded?", mf.GetName(), l.GetName())
				}
			}
		}
	}
	// 10 methods × the few routes and statuses hit, two metrics.
	if series > 200 {
		t.Errorf("%d series after 400 requests with random methods and paths, want at most 200", series)
	}
	rec := httptest.NewRecorder()
	MetricsHandler(reg).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics = %d", rec.Code)
	}
	t.Logf("after 400 requests with random methods and paths: %d series, /metrics %d bytes", series, rec.Body.Len())
	if size := rec.Body.Len(); size > 128<<10 {
		t.Errorf("/metrics is %d bytes after 400 requests with random methods and paths, want at most 128 KiB", size)
	}
}

// securityDeps are real accounts and sessions on a fresh database, which the test signs in with.
func securityDeps(t *testing.T) Deps {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	pool := testenv.Pool(t)
	acc := newAccounts(t, pool, logger)
	sessions := scs.New()
	sessions.Store = pgxstore.NewWithCleanupInterval(pool, 0)
	return Deps{
		Logger: logger, Metrics: prometheus.NewRegistry(), Accounts: acc, Sessions: sessions, AllowedOrigins: []string{testOrigin},
		Intake: intake.New(pool, outboxOnly{}, logger, testOrigin, nil, routingLimits()),
	}
}

// TestSecurityHeaders: every answer tells browsers not to sniff, frame or leak
// it, and no answer to a signed-in caller (cookie or token) may be stored by a cache.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	deps := securityDeps(t)
	ctx := context.Background()
	const email, password = "headers@example.com", "a long enough secret"
	user, org, err := deps.Accounts.Bootstrap(ctx, accounts.BootstrapInput{Email: email, Password: password, Name: "Hedda", Org: "Header Co", Role: "ADMIN"})
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(t, deps)

	send := func(method, path, body string, header http.Header) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "frame-ancestors 'none'",
		"Referrer-Policy":         "strict-origin-when-cross-origin",
	}
	check := func(name string, resp *http.Response, status int, authenticated bool) {
		t.Helper()
		if resp.StatusCode != status {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, status)
		}
		for k, v := range want {
			if got := resp.Header.Values(k); len(got) != 1 || got[0] != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got, v)
			}
		}
		if noStore := slices.Contains(resp.Header.Values("Cache-Control"), "no-store"); authenticated && !noStore {
			t.Errorf("%s: Cache-Control = %q, want no-store on an authenticated answer", name, resp.Header.Values("Cache-Control"))
		}
	}

	check("GET /healthz", send("GET", "/healthz", "", nil), 200, false)
	check("GET /api/v1/openapi.json", send("GET", "/api/v1/openapi.json", "", nil), 200, false)
	check("unknown route", send("GET", "/nothing-here", "", nil), 404, false)
	check("made-up method", send("FOO123", "/healthz", "", nil), 405, false)
	check("trailing-slash redirect", send("GET", "/api/v1/me/", "", nil), 301, false)

	login := send("POST", "/api/v1/auth/login", `{"email":"`+email+`","password":"`+password+`"}`,
		http.Header{"Origin": {testOrigin}, "Content-Type": {"application/json"}})
	check("sign-in", login, 200, true)
	var cookie *http.Cookie
	for _, c := range login.Cookies() {
		if c.Name == deps.Sessions.Cookie.Name {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatalf("sign-in set no session cookie: %v", login.Header)
	}
	withCookie := http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}, "Origin": {testOrigin}}
	check("cookie GET /api/v1/me", send("GET", "/api/v1/me", "", withCookie), 200, true)
	check("cookie GET /api/v1/orgs/{org}", send("GET", "/api/v1/orgs/"+org.ID.String(), "", withCookie), 200, true)

	tok, err := deps.Accounts.CreateAPIToken(ctx, org.ID, user.ID, "ADMIN", accounts.CreateTokenInput{Name: "headers", Role: "OPERATOR"}, accounts.Client{})
	if err != nil {
		t.Fatal(err)
	}
	withToken := http.Header{"Authorization": {"Bearer " + tok.Token}}
	check("token GET /api/v1/orgs/{org}", send("GET", "/api/v1/orgs/"+org.ID.String(), "", withToken), 200, true)
	check("token GET /api/v1/orgs/{org}/intake", send("GET", "/api/v1/orgs/"+org.ID.String()+"/intake", "", withToken), 200, true)
	check("token on a session-only route", send("GET", "/api/v1/me/activity", "", withToken), 403, true)
	check("revoked or unknown token", send("GET", "/api/v1/me", "", http.Header{"Authorization": {"Bearer astr_unknown"}}), 401, true)

	// Health and metrics still work; metrics only on their own listener.
	check("GET /readyz", send("GET", "/readyz", "", nil), 200, false)
	check("GET /metrics on the API", send("GET", "/metrics", "", nil), 404, false)
	metrics := httptest.NewServer(MetricsHandler(deps.Metrics))
	t.Cleanup(metrics.Close)
	resp, err := http.Get(metrics.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `astralis_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
		t.Errorf("metrics listener: GET /metrics = %d %.300s", resp.StatusCode, body)
	}
}
