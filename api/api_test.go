package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/calsync"
	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/testenv"
	"github.com/astralisops/astralis/workflows"
)

const testOrigin = "http://app.example.test"

// newServer starts the real API (router inside the session middleware and security headers) over
// HTTP; deps left empty get real parts on a fresh database.
func newServer(t *testing.T, deps Deps) (*httptest.Server, *gin.Engine) {
	t.Helper()
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Metrics == nil {
		deps.Metrics = prometheus.NewRegistry()
	}
	if deps.MaxBodyBytes == 0 {
		deps.MaxBodyBytes = 1 << 10
	}
	if deps.RoutingImportBytes == 0 {
		l := config.Defaults().Limits
		deps.RoutingImportBytes, deps.RoutingImportTimeout, deps.RoutingImports = l.RoutingImportBytes, l.RoutingImportTimeout, l.RoutingImports
	}
	var pool *pgxpool.Pool
	if deps.Accounts == nil || deps.Sessions == nil {
		pool = testenv.Pool(t)
		deps.Accounts = newAccounts(t, pool, deps.Logger)
		deps.Intake = intake.New(pool, outboxOnly{}, slog.New(slog.DiscardHandler), testOrigin, nil, routingLimits())
		deps.Sessions = scs.New()
		deps.Sessions.Store = pgxstore.NewWithCleanupInterval(pool, 0)
		deps.AllowedOrigins = []string{testOrigin}
	}
	if deps.Documents == nil {
		if pool == nil {
			pool = testenv.Pool(t)
		}
		deps.Documents = documents.New(pool, nil, nil, slog.New(slog.DiscardHandler), documents.Limits{MaxBytes: 1 << 20, MaxPages: 10, MaxPixels: 1e7})
		deps.DocumentWorkflows = noDocumentBackends{}
		deps.Originals = noDocumentBackends{}
		deps.DocumentURLTTL = time.Minute
	}
	if deps.Bookings == nil {
		if pool == nil {
			pool = testenv.Pool(t)
		}
		deps.Bookings = bookings.New(pool, testOrigin, nil)
		deps.BookingWorkflows = noDocumentBackends{}
	}
	if deps.Calendar == nil {
		var err error
		if deps.Calendar, err = calsync.New(pool, calsync.Config{}, []string{"google_calendar.client_id"}, deps.Bookings, nil); err != nil {
			t.Fatal(err)
		}
		deps.CalendarWorkflows = noDocumentBackends{}
	}
	r, err := NewRouter(deps)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(serve(r, deps.Sessions))
	t.Cleanup(srv.Close)
	return srv, r
}

// newAccounts is the real accounts service on pool, with sign-in limits no test here reaches.
func newAccounts(t *testing.T, pool *pgxpool.Pool, logger *slog.Logger) *accounts.Service {
	t.Helper()
	acc, err := accounts.New(pool, outboxOnly{}, ratelimit.New(pool), testOrigin, logger)
	if err != nil {
		t.Fatal(err)
	}
	err = acc.SetSignInLimits(accounts.SignInLimits{FailuresPerAccountAndIP: 10, FailuresPerAccount: 100, FailuresPerDevice: 10, AttemptsPerIP: 100, KnownDeviceLifetime: time.Hour, KnownDeviceGrace: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// routingLimits are the intake service's limits as configured by default.
func routingLimits() intake.Limits {
	l := config.Defaults().Limits
	return intake.Limits{ModelBytes: l.RoutingModelBytes, CacheBytes: l.RoutingCacheBytes, ImportExamples: l.RoutingImportExamples}
}

// outboxOnly leaves mail in the (real) outbox and starts no workflow: delivery
// and password resets through the worker are tested end to end in
// cmd/internal/app, these tests are about HTTP.
type outboxOnly struct{}

func (outboxOnly) Dispatch(context.Context, string) error              { return nil }
func (outboxOnly) StartPasswordReset(context.Context, uuid.UUID) error { return nil }

// noDocumentBackends stands in for the document workflows and object storage
// the router requires: the tests using newServer never reach them, so every
// call is an error.
type noDocumentBackends struct{}

var errNoDocumentBackends = errors.New("api test: no document workflows or object storage in this server")

func (noDocumentBackends) Start(context.Context, uuid.UUID, uuid.UUID) error {
	return errNoDocumentBackends
}

func (noDocumentBackends) Stop(context.Context, uuid.UUID) error { return errNoDocumentBackends }

func (noDocumentBackends) Change(context.Context, uuid.UUID, string, string, any) (workflows.BookingState, error) {
	return workflows.BookingState{}, errNoDocumentBackends
}

func (noDocumentBackends) Cancel(context.Context, uuid.UUID, uuid.UUID, string, string) (bookings.Booking, error) {
	return bookings.Booking{}, errNoDocumentBackends
}

func (noDocumentBackends) Sync(context.Context, uuid.UUID, uuid.UUID) error {
	return errNoDocumentBackends
}

func (noDocumentBackends) Review(context.Context, uuid.UUID, string, documents.Review) (workflows.DocumentState, error) {
	return workflows.DocumentState{}, errNoDocumentBackends
}

func (noDocumentBackends) URL(context.Context, uuid.UUID, string, string, time.Duration) (string, error) {
	return "", errNoDocumentBackends
}

func (noDocumentBackends) PageImage(context.Context, uuid.UUID, string, string, int) ([]byte, error) {
	return nil, errNoDocumentBackends
}

func (noDocumentBackends) Delete(context.Context, uuid.UUID, string) error {
	return errNoDocumentBackends
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, method, url, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// problemOf asserts r is a problem+json response with the given status and returns it.
func problemOf(t *testing.T, r response, status int) problem.Problem {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != problem.ContentType {
		t.Fatalf("Content-Type = %q, want %s", ct, problem.ContentType)
	}
	var p problem.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("body is not a problem: %v: %s", err, r.body)
	}
	if p.Status != status || p.Type == "" || p.Title == "" || p.RequestID == "" {
		t.Fatalf("incomplete problem: %+v", p)
	}
	if p.RequestID != r.header.Get(requestIDHeader) {
		t.Fatalf("problem request_id %q differs from %s header %q", p.RequestID, requestIDHeader, r.header.Get(requestIDHeader))
	}
	return p
}

func TestErrorsAreProblemDetails(t *testing.T) {
	t.Parallel()
	srv, r := newServer(t, Deps{})
	// Routes that exist only in this test exercise the shared middleware and decoder.
	r.GET("/test/panic", func(c *gin.Context) { panic("secret internal state") })
	r.POST("/test/echo", func(c *gin.Context) {
		var in struct {
			Name string `json:"name"`
		}
		if err := decodeJSON(c, &in); err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusOK, in)
	})

	t.Run("unknown route", func(t *testing.T) {
		p := problemOf(t, do(t, "GET", srv.URL+"/api/v1/nothing-here", "", ""), 404)
		if p.Type != problem.TypeURI("not-found") || p.Instance != "/api/v1/nothing-here" {
			t.Errorf("problem = %+v", p)
		}
	})
	t.Run("wrong method", func(t *testing.T) {
		problemOf(t, do(t, "DELETE", srv.URL+"/healthz", "", ""), 405)
	})
	t.Run("panic becomes 500 without internals", func(t *testing.T) {
		resp := do(t, "GET", srv.URL+"/test/panic", "", "")
		problemOf(t, resp, 500)
		if strings.Contains(string(resp.body), "secret internal state") {
			t.Errorf("panic value leaked to the client: %s", resp.body)
		}
		// The server survives the panic.
		if got := do(t, "GET", srv.URL+"/healthz", "", ""); got.status != 200 {
			t.Errorf("after a panic /healthz = %d", got.status)
		}
	})
	t.Run("body over the limit", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("x", 2<<10) + `"}`
		p := problemOf(t, do(t, "POST", srv.URL+"/test/echo", "application/json", big), 413)
		if !strings.Contains(p.Detail, "1024 bytes") {
			t.Errorf("detail does not state the limit: %q", p.Detail)
		}
	})
	t.Run("malformed JSON", func(t *testing.T) {
		p := problemOf(t, do(t, "POST", srv.URL+"/test/echo", "application/json", `{"name":`), 422)
		if p.Type != problem.TypeURI("invalid-input") {
			t.Errorf("type = %q", p.Type)
		}
	})
	t.Run("empty body", func(t *testing.T) {
		problemOf(t, do(t, "POST", srv.URL+"/test/echo", "application/json", ``), 422)
	})
	t.Run("unknown field is named", func(t *testing.T) {
		p := problemOf(t, do(t, "POST", srv.URL+"/test/echo", "application/json", `{"nmae":"x"}`), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "nmae" {
			t.Errorf("errors = %+v, want the unknown field named", p.Errors)
		}
	})
	t.Run("wrong type is named", func(t *testing.T) {
		p := problemOf(t, do(t, "POST", srv.URL+"/test/echo", "application/json", `{"name":5}`), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "name" {
			t.Errorf("errors = %+v, want field name", p.Errors)
		}
	})
	t.Run("wrong media type", func(t *testing.T) {
		problemOf(t, do(t, "POST", srv.URL+"/test/echo", "text/plain", `{"name":"x"}`), 415)
	})
	t.Run("valid input passes", func(t *testing.T) {
		if got := do(t, "POST", srv.URL+"/test/echo", "application/json", `{"name":"ada"}`); got.status != 200 || !strings.Contains(string(got.body), "ada") {
			t.Errorf("got %d %s", got.status, got.body)
		}
	})
}

func TestRequestIDIsKeptOrMade(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, Deps{})
	req, _ := http.NewRequest("GET", srv.URL+"/healthz", nil)
	req.Header.Set(requestIDHeader, "client-id-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get(requestIDHeader); got != "client-id-123" {
		t.Errorf("client request id not echoed: %q", got)
	}
	req.Header.Set(requestIDHeader, "bad id with spaces")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get(requestIDHeader); got == "" || strings.Contains(got, " ") {
		t.Errorf("unsafe request id not replaced: %q", got)
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	srv, _ := newServer(t, Deps{Metrics: reg})
	do(t, "GET", srv.URL+"/healthz", "", "")
	do(t, "GET", srv.URL+"/no/such/thing", "", "")
	// The API does not serve its metrics: the internal metrics listener does.
	problemOf(t, do(t, "GET", srv.URL+"/metrics", "", ""), 404)
	metrics := httptest.NewServer(MetricsHandler(reg))
	t.Cleanup(metrics.Close)
	body := string(do(t, "GET", metrics.URL+"/metrics", "", "").body)
	for _, want := range []string{
		`astralis_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`astralis_http_requests_total{method="GET",route="unmatched",status="404"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestDevMailPages(t *testing.T) {
	t.Parallel()
	mailbox := mail.NewDevMailbox(testenv.Pool(t))
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		msg := mail.Message{ID: id, To: id + "@example.com", Subject: "subject " + id, Text: "body"}
		if err := mailbox.Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	if err := mailbox.Send(ctx, mail.Message{ID: "c", To: "c@example.com", Subject: "retried", Text: "body"}); err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(t, Deps{DevMailbox: mailbox})

	var seen []string
	next := srv.URL + "/api/v1/dev/mail?limit=2"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		resp := do(t, "GET", next, "", "")
		if resp.status != 200 {
			t.Fatalf("status %d: %s", resp.status, resp.body)
		}
		var pg struct {
			Items []struct {
				ID      string `json:"id"`
				Subject string `json:"subject"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal(resp.body, &pg); err != nil {
			t.Fatal(err)
		}
		for _, it := range pg.Items {
			seen = append(seen, it.ID)
			if it.ID == "c" && it.Subject != "subject c" {
				t.Errorf("a retried delivery replaced the first: %q", it.Subject)
			}
		}
		next = ""
		if pg.NextCursor != "" {
			next = srv.URL + "/api/v1/dev/mail?limit=2&cursor=" + pg.NextCursor
		}
	}
	if got := strings.Join(seen, ""); got != "edcba" {
		t.Fatalf("pages gave %q, want every message once, newest first (edcba)", got)
	}

	p := problemOf(t, do(t, "GET", srv.URL+"/api/v1/dev/mail?limit=0", "", ""), 422)
	if len(p.Errors) != 1 || p.Errors[0].Field != "limit" {
		t.Errorf("bad limit not named: %+v", p.Errors)
	}
	p = problemOf(t, do(t, "GET", srv.URL+"/api/v1/dev/mail?cursor=bm90LWpzb24", "", ""), 422)
	if len(p.Errors) != 1 || p.Errors[0].Field != "cursor" {
		t.Errorf("bad cursor not named: %+v", p.Errors)
	}
}

func TestDevMailRouteExistsOnlyInDevelopment(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, Deps{}) // production: no mailbox
	problemOf(t, do(t, "GET", srv.URL+"/api/v1/dev/mail", "", ""), 404)
}
