package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/astralisops/astralis/internal/logging"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

const requestIDHeader = "X-Request-ID"

// requestIDKey is the gin context key of the request id.
const requestIDKey = "request_id"

// A client-supplied id is kept only when it cannot corrupt logs.
var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(requestIDHeader)
		if !safeRequestID.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(requestIDKey, id)
		c.Header(requestIDHeader, id)
		// Services log with the request's context: their records name the request too.
		c.Request = c.Request.WithContext(logging.WithRequestID(c.Request.Context(), id))
		c.Next()
	}
}

func accessLog(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		var errAttr slog.Attr
		if status >= 500 {
			level = slog.LevelError
			if last := c.Errors.Last(); last != nil {
				errAttr = slog.String("error", last.Error())
			}
		}
		logger.LogAttrs(c.Request.Context(), level, "http request", // the context names the request
			slog.String("method", c.Request.Method),
			slog.String("route", routeLabel(c)),
			slog.String("path", loggedPath(c)),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", time.Since(start)),
			slog.String("client_ip", c.ClientIP()),
			errAttr,
		)
	}
}

// loggedPath is the request's path with the secret of a capability URL (a
// client's booking link, a calendar feed: the `:token` parameter) blanked out,
// so a log reader cannot use it.
func loggedPath(c *gin.Context) string {
	if token := c.Param("token"); token != "" {
		return strings.Replace(c.Request.URL.Path, token, "…", 1)
	}
	return c.Request.URL.Path
}

// routeLabel is the matched route template, so metrics and logs group by route, not by id.
// Every path that matches no route (404, 405) is one value: paths are the client's to invent.
func routeLabel(c *gin.Context) string {
	if route := c.FullPath(); route != "" {
		return route
	}
	return "unmatched"
}

// methodLabel is the request method for metrics: a client may send any token
// as a method, so anything outside the standard ones is "other".
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "astralis_http_requests_total",
			Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "astralis_http_request_duration_seconds",
			Help:    "HTTP request latency by route and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		// Every label comes from a fixed set (route templates, standard methods, status
		// codes the handlers write): nothing a client sends makes a new series.
		route, method := routeLabel(c), methodLabel(c.Request.Method)
		m.requests.WithLabelValues(route, method, strconv.Itoa(c.Writer.Status())).Inc()
		m.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	}
}

// recoverProblem turns a panic into a logged 500 problem instead of a dropped connection.
func recoverProblem(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler { // net/http's own signal to abort: let it through
				panic(rec)
			}
			logger.ErrorContext(c.Request.Context(), "panic in handler",
				slog.String("panic", fmt.Sprint(rec)),
				slog.String("stack", string(debug.Stack())),
			)
			if !c.Writer.Written() {
				respondError(c, fmt.Errorf("panic: %v", rec))
			}
			c.Abort()
		}()
		c.Next()
	}
}

// limitBody caps every request body (routes in larger have their own cap):
// a body whose Content-Length is over the cap is a 413 at once, unread, and
// the decoders turn the overflow of any other into a 413.
func limitBody(maxBytes int64, larger map[string]int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			limit := maxBytes
			if l, ok := larger[c.FullPath()]; ok {
				limit = l
			}
			if c.Request.ContentLength > limit {
				c.Header("Connection", "close") // answer at once: the server would otherwise read some of the body first
				respondError(c, tooLarge(limit))
				c.Abort()
				return
			}
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}

// textInput refuses, with a 422 naming the parameter, a query parameter or
// path segment that is not text PostgreSQL can take: invalid UTF-8 (%FF,
// overlong %C0%AF) or a NUL byte (%00). Handlers then only see text.
func textInput() gin.HandlerFunc {
	return func(c *gin.Context) {
		var fields []problem.FieldError
		bad := func(s string) bool { return !utf8.ValidString(s) || strings.ContainsRune(s, 0) }
		for name, values := range c.Request.URL.Query() {
			if bad(name) {
				fields = append(fields, problem.FieldError{Field: "query", Message: "parameter names must be UTF-8 text without NUL bytes"})
				continue
			}
			if slices.ContainsFunc(values, bad) {
				fields = append(fields, problem.FieldError{Field: name, Message: "must be UTF-8 text without NUL bytes"})
			}
		}
		for _, p := range c.Params {
			if bad(p.Value) {
				fields = append(fields, problem.FieldError{Field: p.Key, Message: "must be UTF-8 text without NUL bytes"})
			}
		}
		if len(fields) > 0 {
			slices.SortFunc(fields, func(a, b problem.FieldError) int { return strings.Compare(a.Field, b.Field) })
			respondError(c, problem.Invalid("the request has invalid parameters", fields...))
			return
		}
		c.Next()
	}
}
