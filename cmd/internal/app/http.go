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
	deps := api.Deps{
		Logger:          s.Logger,
		Metrics:         s.Metrics,
		MaxBodyBytes:    s.Config.HTTP.MaxBodyBytes,
		Accounts:        acc,
		Intake:          s.intake(),
		IntakeWorkflows: s.intakeWorkflows(),
		Sessions:        s.sessions(),
		AllowedOrigins:  s.Config.Origins(),
		TrustedProxies:  s.Config.HTTP.TrustedProxies,
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

// RunAPI serves HTTP until ctx is cancelled, then drains in-flight requests.
func (s *Services) RunAPI(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.Config.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("api: unable to listen on %s: %w", s.Config.HTTP.Addr, err)
	}
	return s.ServeAPI(ctx, ln)
}

// ServeAPI is RunAPI on a listener the caller opened.
func (s *Services) ServeAPI(ctx context.Context, ln net.Listener) error {
	handler, err := s.Router()
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.Logger.Info("api listening", slog.String("addr", ln.Addr().String()))

	select {
	case err := <-errc:
		return fmt.Errorf("api: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Config.HTTP.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("api: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("api: %w", err)
	}
	return nil
}
