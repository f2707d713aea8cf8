// Package api is the thin HTTP layer: Gin router, middleware, handlers per
// resource and the OpenAPI document that describes them.
package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

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
	Logger       *slog.Logger
	Metrics      *prometheus.Registry
	MaxBodyBytes int64
	Readiness    []ReadinessCheck
	// DevMailbox is set only in development mode; its route exists only then.
	DevMailbox DevMailbox
}

// NewRouter builds the HTTP handler with every route and middleware.
func NewRouter(deps Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true // handlers' ctx is the request's: cancelled when the client goes away

	httpMetrics := newHTTPMetrics(deps.Metrics)
	r.Use(
		requestID(),
		accessLog(deps.Logger),
		httpMetrics.middleware(),
		recoverProblem(deps.Logger),
		limitBody(deps.MaxBodyBytes),
	)
	r.NoRoute(func(c *gin.Context) {
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
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(deps.Metrics, promhttp.HandlerOpts{Registry: deps.Metrics})))

	v1 := r.Group("/api/v1")
	v1.GET("/openapi.json", serveOpenAPI)
	if deps.DevMailbox != nil {
		dm := &devMailHandler{mailbox: deps.DevMailbox}
		v1.GET("/dev/mail", dm.list)
	}
	return r
}
