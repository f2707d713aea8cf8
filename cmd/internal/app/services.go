// Package app assembles the API server and the worker from configuration. The
// production binaries (cmd/api, cmd/worker) and `astralis dev` share it, so the
// three run exactly the same code.
package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.temporal.io/sdk/client"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/calsync"
	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/database"
	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/llm"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/objectstore"
	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/temporalclient"
)

// Services are the long-lived dependencies of a process.
type Services struct {
	Config   config.Config
	Logger   *slog.Logger
	Metrics  *prometheus.Registry
	Pool     *pgxpool.Pool
	Temporal client.Client

	closers []io.Closer

	intakeOnce    sync.Once
	intakeService *intake.Service
	intakeErr     error // from setting its limits

	documentsOnce    sync.Once
	documentsService *documents.Service
	bookingsOnce     sync.Once
	bookingsService  *bookings.Service
	calendarOnce     sync.Once
	calendarService  *calsync.Service
	calendarErr      error
	storeMu          sync.Mutex
	store            *objectstore.Store // opened on first use
	rendererOnce     sync.Once
	renderer         *pageRenderer
	rendererErr      error // poppler missing
}

// Open creates the pool and the Temporal client. Neither connects yet, so a
// process comes up while a dependency is down and /readyz names it.
func Open(ctx context.Context, cfg config.Config, logger *slog.Logger) (*Services, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	metricsHandler, metricsCloser := temporalclient.NewMetricsHandler(reg, logger)
	s := &Services{Config: cfg, Logger: logger, Metrics: reg, closers: []io.Closer{metricsCloser}}

	var err error
	s.Pool, err = database.Open(ctx, cfg.Database.URL, cfg.Database.MaxConns)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Temporal, err = temporalclient.New(cfg.Temporal, logger, metricsHandler)
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases everything Open created.
func (s *Services) Close() {
	if s.Temporal != nil {
		s.Temporal.Close()
	}
	if s.Pool != nil {
		s.Pool.Close()
	}
	for _, c := range s.closers {
		_ = c.Close()
	}
}

// Migrate applies pending database migrations.
func (s *Services) Migrate(ctx context.Context) error {
	return database.Migrate(ctx, s.Config.Database.URL, s.Logger)
}

// accounts is the users, organisations and sessions service.
func (s *Services) accounts() (*accounts.Service, error) {
	svc, err := accounts.New(s.Pool, s.mailer(), ratelimit.New(s.Pool), s.Config.HTTP.PublicURL, s.Logger)
	if err != nil {
		return nil, err
	}
	svc.SetOrgsPerUser(s.Config.Limits.OrgsPerUser)
	l := s.Config.Limits
	err = svc.SetSignInLimits(accounts.SignInLimits{
		FailuresPerAccountAndIP: l.SignInFailuresPerAccountAndIP,
		FailuresPerAccount:      l.SignInFailuresPerAccount,
		FailuresPerDevice:       l.SignInFailuresPerDevice,
		AttemptsPerIP:           l.SignInAttemptsPerIP,
		KnownDeviceLifetime:     s.Config.Auth.KnownDeviceLifetime,
		KnownDeviceGrace:        s.Config.Auth.KnownDeviceGrace,
	})
	return svc, err
}

// intake is the pipelines and routing service; one per process, as it caches parsed models.
func (s *Services) intake() (*intake.Service, error) {
	s.intakeOnce.Do(func() {
		var router intake.LLMRouter // without an API key, routing stays local
		if c := s.Config.OpenAI; c.APIKey != "" {
			router = llm.New(llm.Config{APIKey: c.APIKey, BaseURL: c.BaseURL, Model: c.Model, Timeout: c.Timeout})
		}
		l := s.Config.Limits
		s.intakeService = intake.New(s.Pool, s.mailer(), s.Logger, s.Config.HTTP.PublicURL, router,
			intake.Limits{ModelBytes: l.RoutingModelBytes, CacheBytes: l.RoutingCacheBytes, ImportExamples: l.RoutingImportExamples})
		s.Metrics.MustRegister(s.intakeService.Metrics())
		s.intakeErr = s.intakeService.SetSubmissionLimits(intake.SubmissionLimits{
			PerSubmitter: l.IntakePerSubmitter, PerSubmitterWindow: l.IntakePerSubmitterWindow,
			PerOrg: l.IntakePerOrg, PerOrgWindow: l.IntakePerOrgWindow,
		})
	})
	return s.intakeService, s.intakeErr
}

// sessions is the browser session manager: PostgreSQL-backed, so every API replica shares it.
// Expired rows are pruned by the Prune schedule (pgxstore's own cleanup goroutine races with StopCleanup).
func (s *Services) sessions() *scs.SessionManager {
	sm := scs.New()
	sm.IdleTimeout = s.Config.Auth.SessionIdleTimeout
	sm.Store = newIdleRenewals(pgxstore.NewWithCleanupInterval(s.Pool, 0), min(time.Minute, sm.IdleTimeout/10))
	sm.Lifetime = s.Config.Auth.SessionLifetime
	sm.Cookie.Name = "astralis_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = strings.HasPrefix(s.Config.HTTP.PublicURL, "https://")
	return sm
}

// TaskQueue is the deployment's name for one of the project's task queues.
func (s *Services) TaskQueue(name string) string {
	return s.Config.Temporal.TaskQueuePrefix + name
}

// mailSender is SMTP when configured (always in production), else the dev mailbox.
func (s *Services) mailSender() activities.MailSender {
	if c := s.Config.SMTP; c.Host != "" {
		return mail.NewSMTP(mail.SMTPConfig{Host: c.Host, Port: c.Port, Username: c.Username, Password: c.Password, TLS: c.TLS, From: c.From})
	}
	return mail.NewDevMailbox(s.Pool)
}
