package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/database"
	"github.com/astralisops/astralis/internal/logging"
)

// loadCLI is the start of every one-shot subcommand: configuration, logger, a context ended by Ctrl-C.
func loadCLI(name, configFile string) (config.Config, *slog.Logger, context.Context, context.CancelFunc, bool) {
	cfg, err := config.Load(config.Options{File: configFile})
	if err != nil {
		fmt.Fprintf(os.Stderr, "astralis %s: %v\n", name, err)
		return config.Config{}, nil, nil, nil, false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return cfg, logging.New(cfg.Log, os.Stderr), ctx, stop, true
}

func runMigrate(args []string) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	configFile := fs.String("config", os.Getenv("ASTRALIS_CONFIG"), "config file (default ./astralis.yaml when present)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, logger, ctx, stop, ok := loadCLI("migrate", *configFile)
	if !ok {
		return 2
	}
	defer stop()
	if err := database.Migrate(ctx, cfg.Database.URL, logger); err != nil {
		logger.Error("migration failed", slog.Any("error", err))
		return 1
	}
	logger.Info("database is up to date", slog.String("database", config.RedactURL(cfg.Database.URL)))
	return 0
}
