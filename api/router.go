// Package api is the thin HTTP layer: Gin router, middleware, handlers per
// resource and the OpenAPI document that describes them.
package api

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/calsync"
	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/problem"
)

// ReadinessCheck is one dependency /readyz verifies.
type ReadinessCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// DevMailbox lists the mail delivered in development mode.
type DevMailbox interface {
	List(ctx context.Context, beforeSeq int64, limit int) ([]mail.Delivered, error)
}

// Deps is what the router needs from the process that hosts it.
type Deps struct {
	Logger          *slog.Logger
	Metrics         *prometheus.Registry
	MaxBodyBytes    int64
	Readiness       []ReadinessCheck
	Accounts        *accounts.Service
	Intake          *intake.Service
	IntakeWorkflows IntakeWorkflows
	Sessions        *scs.SessionManager
	// AllowedOrigins may make cookie-authenticated state-changing requests.
	AllowedOrigins []string
	// TrustedProxies may set X-Forwarded-For; nil trusts none, so client IPs cannot be spoofed.
	TrustedProxies []string
	// Google enables "Sign in with Google"; nil answers its routes with 404.
	Google *GoogleConfig
	// DevMailbox is set only in development mode; its route exists only then.
	DevMailbox DevMailbox
	// RoutingImportBytes is the largest routing examples import (limits.routing_import_bytes).
	RoutingImportBytes int64
	// RoutingImportTimeout is how long an import's body may take to arrive (limits.routing_import_timeout).
	RoutingImportTimeout time.Duration
	// RoutingImports is how many imports run at a time, one per organisation (limits.routing_imports).
	RoutingImports int
	// Documents, their workflows and their originals in object storage.
	Documents *documents.Service
	Bookings  *bookings.Service
	// PublicURL is where clients reach the API (links handed out start with it).
	PublicURL        string
	BookingWorkflows BookingWorkflows
	// Calendar is the Google Calendar sync (it says when it is off) and CalendarWorkflows its workflows.
	Calendar          *calsync.Service
	CalendarWorkflows CalendarWorkflows
	DocumentWorkflows DocumentWorkflows
	Originals         Originals
	// DocumentURLTTL is how long a presigned link to an original works.
	DocumentURLTTL time.Duration
	// SpoolDir holds uploads while they are checked ("" for the system's temporary directory).
	SpoolDir string
	// Console is the built operator console, served at / (nil: none, as in a binary built without it).
	Console fs.FS
}

// personOnlyRoutes are the organisation routes (under /api/v1/orgs/:org)
// only a signed-in person may use, whatever an API token's role: who belongs
// and with what rights is managed by people, so a leaked token can neither
// let anyone in nor mint its own successors.
var personOnlyRoutes = []struct {
	method, path string
	min          auth.Role
	handle       func(*orgHandler, *gin.Context)
}{
	{http.MethodPost, "/members", auth.RoleAdmin, (*orgHandler).invite},
	{http.MethodPatch, "/members/:user", auth.RoleAdmin, (*orgHandler).changeRole},
	{http.MethodDelete, "/members/:user", auth.RoleAdmin, (*orgHandler).removeMember},
	{http.MethodGet, "/invitations", auth.RoleAdmin, (*orgHandler).listInvitations},
	{http.MethodDelete, "/invitations/:id", auth.RoleAdmin, (*orgHandler).revokeInvitation},
	{http.MethodPost, "/tokens", auth.RoleClient, (*orgHandler).createToken},
	{http.MethodDelete, "/tokens/:token", auth.RoleClient, (*orgHandler).revokeToken},
}

// PersonOnlyRoutes lists the routes API tokens may not use under
// /api/v1/orgs/:org, as "METHOD /api/v1/orgs/:org/…" (what gin's Routes says).
func PersonOnlyRoutes() []string {
	out := make([]string, 0, len(personOnlyRoutes))
	for _, r := range personOnlyRoutes {
		out = append(out, r.method+" /api/v1/orgs/:org"+r.path)
	}
	return out
}

// NewHandler is the API as served: the router inside the session middleware and the security headers.
func NewHandler(deps Deps) (http.Handler, error) {
	r, err := NewRouter(deps)
	if err != nil {
		return nil, err
	}
	return serve(r, deps.Sessions), nil
}

// MetricsHandler serves the registry at /metrics, for the internal metrics
// listener only: the API listener does not serve it.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}

// NewRouter builds the Gin engine with every route and middleware. Sessions
// are loaded around it by NewHandler.
func NewRouter(deps Deps) (*gin.Engine, error) {
	if deps.Documents == nil || deps.DocumentWorkflows == nil || deps.Originals == nil || deps.DocumentURLTTL <= 0 {
		return nil, fmt.Errorf("api: documents need their service, workflows, originals and a link lifetime")
	}
	if deps.Bookings == nil || deps.BookingWorkflows == nil {
		return nil, fmt.Errorf("api: scheduling needs its service and workflows")
	}
	if deps.Calendar == nil || deps.CalendarWorkflows == nil {
		return nil, fmt.Errorf("api: calendar sync needs its service and workflows")
	}
	if deps.RoutingImportBytes <= 0 || deps.RoutingImportTimeout <= 0 || deps.RoutingImports <= 0 {
		return nil, fmt.Errorf("api: the routing import limits must be positive (bytes %d, timeout %s, at a time %d)", deps.RoutingImportBytes, deps.RoutingImportTimeout, deps.RoutingImports)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true // handlers' ctx is the request's: cancelled when the client goes away
	if err := r.SetTrustedProxies(deps.TrustedProxies); err != nil {
		return nil, fmt.Errorf("api: trusted proxies: %w", err)
	}

	httpMetrics := newHTTPMetrics(deps.Metrics)
	r.Use(
		requestID(),
		publicCORS(),
		accessLog(deps.Logger),
		httpMetrics.middleware(),
		recoverProblem(deps.Logger),
		limitBody(deps.MaxBodyBytes, map[string]int64{ // the routes whose requests may exceed the usual limit
			"/api/v1/orgs/:org/routing/examples": deps.RoutingImportBytes,
			"/api/v1/orgs/:org/documents":        deps.Documents.Limits().MaxBytes + multipartSlack,
		}),
		textInput(),
	)
	var con *console
	if deps.Console != nil {
		var err error
		if con, err = newConsole(deps.Console); err != nil {
			return nil, fmt.Errorf("api: console: %w", err)
		}
	}
	r.NoRoute(func(c *gin.Context) {
		if con != nil && con.serve(c) {
			return
		}
		respondError(c, problem.New(problem.ErrNotFound, "no such route: "+c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		writeProblem(c, problem.Problem{
			Type:   problem.TypeURI("method-not-allowed"),
			Title:  http.StatusText(http.StatusMethodNotAllowed),
			Status: http.StatusMethodNotAllowed,
			Detail: c.Request.Method + " is not allowed on " + c.Request.URL.Path,
		})
	})

	health := &healthHandler{checks: deps.Readiness}
	r.GET("/healthz", health.live)
	r.GET("/readyz", health.ready)

	authn := &authenticator{accounts: deps.Accounts, sessions: deps.Sessions, origins: deps.AllowedOrigins}
	v1 := r.Group("/api/v1", authn.middleware())
	v1.GET("/openapi.json", serveOpenAPI)
	if deps.DevMailbox != nil {
		dm := &devMailHandler{mailbox: deps.DevMailbox}
		v1.GET("/dev/mail", dm.list)
	}

	ah := &accountHandler{accounts: deps.Accounts, auth: authn}
	v1.POST("/auth/signup", ah.signUp)
	v1.POST("/auth/login", ah.signIn)
	v1.POST("/auth/logout", ah.signOut)
	v1.POST("/auth/verify", ah.verifyEmail)
	v1.POST("/auth/password/forgot", ah.forgotPassword)
	v1.POST("/auth/password/reset", ah.resetPassword)
	gh := &googleHandler{cfg: deps.Google, accounts: deps.Accounts, auth: authn}
	v1.GET("/auth/methods", gh.methods)
	v1.GET("/auth/google", gh.start)
	v1.GET("/auth/google/callback", gh.callback)
	v1.GET("/me", requireUser, ah.me)
	v1.GET("/me/activity", requireUser, requireSession, ah.myActivity)

	oh := &orgHandler{accounts: deps.Accounts}
	v1.POST("/orgs", requireUser, requireSession, oh.create)
	v1.GET("/orgs", requireUser, oh.listMine)
	v1.POST("/invitations/accept", requireUser, requireSession, oh.acceptInvitation)

	// Everything under /orgs/:org passes orgScope: membership checked, every query scoped to the org.
	org := v1.Group("/orgs/:org", requireUser, authn.orgScope)
	org.GET("", oh.get)
	org.GET("/members", requireRole(auth.RoleOperator), oh.listMembers)
	org.GET("/tokens", oh.listTokens)
	org.GET("/activity", requireRole(auth.RoleAdmin), oh.activity)
	people := org.Group("", requireSession)
	for _, route := range personOnlyRoutes {
		people.Handle(route.method, route.path, requireRole(route.min), func(c *gin.Context) { route.handle(oh, c) })
	}

	ph := &pipelineHandler{intake: deps.Intake, bookings: deps.Bookings, imports: newImportSlots(deps.RoutingImports), importTimeout: deps.RoutingImportTimeout}
	org.POST("/pipelines", requireRole(auth.RoleAdmin), ph.createPipeline)
	org.GET("/pipelines", requireRole(auth.RoleOperator), ph.listPipelines)
	org.GET("/pipelines/:key", requireRole(auth.RoleOperator), ph.getPipeline)
	org.PATCH("/pipelines/:key", requireRole(auth.RoleAdmin), ph.updatePipeline)
	org.DELETE("/pipelines/:key", requireRole(auth.RoleAdmin), ph.deletePipeline)
	org.POST("/routing/examples", requireRole(auth.RoleAdmin), ph.importExamples)
	org.POST("/routing/classify", requireRole(auth.RoleAdmin), ph.classify)
	org.GET("/routing/settings", requireRole(auth.RoleAdmin), ph.getSettings)
	org.PUT("/routing/settings", requireRole(auth.RoleAdmin), ph.putSettings)
	org.GET("/dashboard", requireRole(auth.RoleOperator), ph.dashboard)
	org.POST("/items/:id/move", requireRole(auth.RoleOperator), ph.moveItem)
	org.PATCH("/items/:id", requireRole(auth.RoleOperator), ph.updateItem)

	ih := &intakeHandler{intake: deps.Intake, workflows: deps.IntakeWorkflows}
	org.POST("/intake", ih.submit)
	org.GET("/intake", ih.list)
	org.GET("/intake/:id", ih.get)
	org.POST("/intake/:id/decision", requireRole(auth.RoleOperator), ih.decide)

	dh := &documentHandler{logger: deps.Logger, documents: deps.Documents, workflows: deps.DocumentWorkflows, originals: deps.Originals,
		urlTTL: deps.DocumentURLTTL, spoolDir: deps.SpoolDir, maxBody: deps.MaxBodyBytes}
	org.POST("/documents", dh.upload)
	org.GET("/documents", dh.list)
	org.GET("/documents/stats", requireRole(auth.RoleOperator), dh.stats)
	org.GET("/documents/settings", requireRole(auth.RoleOperator), dh.getSettings)
	org.PUT("/documents/settings", requireRole(auth.RoleAdmin), dh.putSettings)
	org.GET("/documents/:id", dh.get)
	org.GET("/documents/:id/pages/:n", dh.page)
	org.GET("/documents/:id/pages/:n/image", dh.pageImage)
	org.POST("/documents/:id/review", requireRole(auth.RoleOperator), dh.review)
	org.DELETE("/documents/:id", requireRole(auth.RoleOperator), dh.delete)
	org.PATCH("/documents/:id", requireRole(auth.RoleAdmin), dh.patch)
	org.POST("/vendors", requireRole(auth.RoleOperator), dh.importVendors)
	org.GET("/vendors", requireRole(auth.RoleOperator), dh.listVendors)

	sh := &schedulingHandler{bookings: deps.Bookings, now: time.Now, publicURL: deps.PublicURL}
	v1.GET("/calendar-feeds/:token", sh.calendarFeed)
	org.POST("/services", requireRole(auth.RoleAdmin), sh.createService)
	org.GET("/services", sh.listServices)
	org.GET("/services/:key", sh.getService)
	org.PUT("/services/:key", requireRole(auth.RoleAdmin), sh.replaceService)
	org.DELETE("/services/:key", requireRole(auth.RoleAdmin), sh.deleteService)
	org.GET("/services/:key/slots", sh.slots)
	org.POST("/services/:key/suggest", sh.suggest)
	org.GET("/operators/:user_id/availability", requireRole(auth.RoleOperator), sh.getAvailability)
	org.PUT("/operators/:user_id/availability", requireRole(auth.RoleOperator), sh.putAvailability)
	org.POST("/events", requireRole(auth.RoleOperator), sh.createEvent)
	org.GET("/events", requireRole(auth.RoleOperator), sh.listEvents)
	org.GET("/events/:id", requireRole(auth.RoleOperator), sh.getEvent)
	org.PUT("/events/:id", requireRole(auth.RoleOperator), sh.replaceEvent)
	org.DELETE("/events/:id", requireRole(auth.RoleOperator), sh.deleteEvent)
	org.GET("/calendar", requireRole(auth.RoleOperator), sh.calendar)
	org.POST("/operators/:user_id/calendar-feed", requireRole(auth.RoleOperator), sh.newCalendarFeed)
	org.DELETE("/operators/:user_id/calendar-feed", requireRole(auth.RoleOperator), sh.revokeCalendarFeed)

	bh := &bookingHandler{bookings: deps.Bookings, workflows: deps.BookingWorkflows, now: time.Now}
	// The public booking API: no session or token, so none of v1's
	// sign-in and cross-site checks; any website may call it (publicCORS).
	pub := &publicBookingHandler{bookingHandler: bh}
	public := r.Group(publicPrefix)
	public.GET("/orgs/:slug/services", pub.services)
	public.GET("/orgs/:slug/services/:key/slots", pub.slots)
	public.POST("/orgs/:slug/bookings", pub.book)
	public.GET("/bookings/:token", pub.viewLinked)
	public.GET("/bookings/:token/slots", pub.slotsLinked)
	public.POST("/bookings/:token/reschedule", pub.rescheduleLinked)
	public.POST("/bookings/:token/cancel", pub.cancelLinked)
	org.GET("/booking-page", requireRole(auth.RoleAdmin), sh.getBookingPage)
	org.PUT("/booking-page", requireRole(auth.RoleAdmin), sh.putBookingPage)
	org.POST("/bookings", bh.book)
	org.GET("/bookings", bh.list)
	org.GET("/bookings/:id", bh.get)
	org.POST("/bookings/:id/reschedule", bh.reschedule)
	org.POST("/bookings/:id/cancel", bh.cancel)
	org.POST("/bookings/:id/outcome", requireRole(auth.RoleOperator), bh.outcome)

	ch := &calendarHandler{sync: deps.Calendar, workflows: deps.CalendarWorkflows, consoleURL: deps.PublicURL}
	org.GET("/operators/:user_id/calendar", requireRole(auth.RoleOperator), ch.status)
	org.POST("/operators/:user_id/calendar/connect", requireRole(auth.RoleOperator), ch.connect)
	org.DELETE("/operators/:user_id/calendar", requireRole(auth.RoleOperator), ch.disconnect)
	org.GET("/calendar-settings", requireRole(auth.RoleOperator), ch.getSettings)
	org.PUT("/calendar-settings", requireRole(auth.RoleAdmin), ch.putSettings)
	v1.GET("/google-calendar/callback", requireUser, requireSession, ch.callback)
	// Google's pushes carry no session or token: outside v1's sign-in and cross-site checks.
	r.POST("/api/v1/webhooks/google-calendar", ch.webhook)
	return r, nil
}
