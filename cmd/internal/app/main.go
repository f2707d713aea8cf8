package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/logging"
)

// Main is the whole life of a production binary: load and validate config,
// open services, migrate, run body until SIGINT/SIGTERM. It returns the exit code.
func Main(name string, body func(s *Services, ctx context.Context) error) int {
	cfg, err := config.Load(config.Options{File: os.Getenv("ASTRALIS_CONFIG")})
	if err == nil {
		err = cfg.ReadyToServe()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		return 2
	}
	logger := logging.New(cfg.Log, os.Stderr).With(slog.String("service", name))
	slog.SetDefault(logger)
	logger.Info("starting", slog.Any("config", cfg))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	s, err := Open(ctx, cfg, logger)
	if err != nil {
		logger.Error("start-up failed", slog.Any("error", err))
		return 1
	}
	defer s.Close()
	if err := MigrateWithRetry(ctx, s); err != nil {
		logger.Error("migration failed", slog.Any("error", err))
		return 1
	}
	if err := body(s, ctx); err != nil {
		logger.Error("stopped with error", slog.Any("error", err))
		return 1
	}
	logger.Info("stopped")
	return 0
}

// MigrateWithRetry migrates, waiting for the database to come up if it is not
// reachable yet (replicas often start before it).
func MigrateWithRetry(ctx context.Context, s *Services) error {
	delay := 500 * time.Millisecond
	for {
		pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := s.Pool.Ping(pingCtx)
		cancel()
		if err == nil {
			return s.Migrate(ctx)
		}
		s.Logger.Warn("database not reachable yet; retrying", slog.Any("error", err), slog.Duration("in", delay))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 30*time.Second)
	}
}
