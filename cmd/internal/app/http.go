package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/astralisops/astralis/api"
	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/web"
)

// Router builds the API's HTTP handler.
func (s *Services) Router() (http.Handler, error) {
	deps, err := s.APIDeps()
	if err != nil {
		return nil, err
	}
	return api.NewHandler(deps)
}

// APIDeps wires the API's dependencies from the services.
func (s *Services) APIDeps() (api.Deps, error) {
	acc, err := s.accounts()
	if err != nil {
		return api.Deps{}, err
	}
	intakeService, err := s.intake()
	if err != nil {
		return api.Deps{}, err
	}
	calendar, err := s.calendar()
	if err != nil {
		return api.Deps{}, err
	}
	deps := api.Deps{
		Calendar:             calendar,
		CalendarWorkflows:    s.calendarWorkflows(),
		Logger:               s.Logger,
		Metrics:              s.Metrics,
		MaxBodyBytes:         s.Config.HTTP.MaxBodyBytes,
		Accounts:             acc,
		Intake:               intakeService,
		IntakeWorkflows:      s.intakeWorkflows(),
		Sessions:             s.sessions(),
		AllowedOrigins:       s.Config.Origins(),
		TrustedProxies:       s.Config.HTTP.TrustedProxies,
		RoutingImportBytes:   s.Config.Limits.RoutingImportBytes,
		RoutingImportTimeout: s.Config.Limits.RoutingImportTimeout,
		RoutingImports:       s.Config.Limits.RoutingImports,
		Documents:            s.documents(),
		Bookings:             s.bookings(),
		PublicURL:            strings.TrimSuffix(s.Config.HTTP.PublicURL, "/"),
		BookingWorkflows:     s.bookingWorkflows(),
		DocumentWorkflows:    s.documentWorkflows(),
		Originals:            originals{s},
		DocumentURLTTL:       s.Config.Documents.URLTTL,
		SpoolDir:             s.Config.Documents.SpoolDir,
		Console:              web.Console(),
		Readiness: []api.ReadinessCheck{
			{Name: "database", Check: s.Pool.Ping},
			{Name: "temporal", Check: func(ctx context.Context) error {
				_, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			}},
		},
	}
	if g := s.Config.Google; g.ClientID != "" {
		deps.Google = &api.GoogleConfig{
			ClientID: g.ClientID, ClientSecret: g.ClientSecret, DiscoveryURL: g.DiscoveryURL,
			CallbackURL: strings.TrimSuffix(s.Config.HTTP.PublicURL, "/") + "/api/v1/auth/google/callback",
			DoneURL:     strings.TrimSuffix(s.Config.HTTP.PublicURL, "/") + "/",
		}
	}
	if s.Config.Env == config.EnvDevelopment {
		deps.DevMailbox = mail.NewDevMailbox(s.Pool)
	}
	return deps, nil
}

// RunAPI serves the API, and /metrics on the metrics listener when
// http.metrics_addr is set, until ctx is cancelled, then drains in-flight requests.
func (s *Services) RunAPI(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.Config.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("api: unable to listen on %s: %w", s.Config.HTTP.Addr, err)
	}
	var metricsLn net.Listener
	if addr := s.Config.HTTP.MetricsAddr; addr != "" {
		if metricsLn, err = net.Listen("tcp", addr); err != nil {
			ln.Close()
			return fmt.Errorf("api: unable to listen for metrics on %s: %w", addr, err)
		}
	}
	return s.ServeAPI(ctx, ln, metricsLn)
}

// ServeAPI is RunAPI on listeners the caller opened; a nil metricsLn serves no metrics.
// The API listener never serves /metrics: they are for scrapers on an internal network.
func (s *Services) ServeAPI(ctx context.Context, ln, metricsLn net.Listener) error {
	handler, err := s.Router()
	if err != nil {
		ln.Close()
		if metricsLn != nil {
			metricsLn.Close()
		}
		return err
	}
	type server struct {
		name string
		ln   net.Listener
		srv  *http.Server
	}
	servers := []server{{"api", ln, s.httpServer(handler)}}
	if metricsLn != nil {
		servers = append(servers, server{"api metrics", metricsLn, s.httpServer(api.MetricsHandler(s.Metrics))})
	}
	errc := make(chan error, len(servers))
	for _, sv := range servers {
		go func() {
			if err := sv.srv.Serve(sv.ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s: %w", sv.name, err)
				return
			}
			errc <- nil
		}()
		s.Logger.Info(sv.name+" listening", slog.String("addr", sv.ln.Addr().String()))
	}

	var errs []error
	running := len(servers)
	select {
	case err := <-errc: // one stopped by itself: stop the other too
		running--
		errs = append(errs, err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Config.HTTP.ShutdownTimeout)
	defer cancel()
	for _, sv := range servers {
		if err := sv.srv.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, fmt.Errorf("%s: shutdown: %w", sv.name, err))
		}
	}
	for ; running > 0; running-- {
		errs = append(errs, <-errc)
	}
	return errors.Join(errs...)
}

func (s *Services) httpServer(handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
}
