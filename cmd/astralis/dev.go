package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/cmd/internal/app"
	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/database"
	"github.com/astralisops/astralis/internal/devs3"
	"github.com/astralisops/astralis/internal/devtemporal"
	"github.com/astralisops/astralis/internal/logging"
	"github.com/astralisops/astralis/internal/objectstore"
	"github.com/astralisops/astralis/internal/ocr"
	"github.com/astralisops/astralis/internal/pgcluster"
	"github.com/astralisops/astralis/web"
	"github.com/astralisops/astralis/workflows"
)

const devDatabase = "astralis"

func runDev(args []string) int {
	// Before anything else: the worker's OCR pool runs here (see ocr.EnsureOpenMPThreadLimit).
	if err := ocr.EnsureOpenMPThreadLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "astralis dev:", err)
		return 1
	}
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	noTemporal := fs.Bool("no-temporal", false, "connect to the Temporal at TEMPORAL_ADDRESS instead of starting the embedded server")
	configFile := fs.String("config", os.Getenv("ASTRALIS_CONFIG"), "config file (default ./astralis.yaml when present)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(config.Options{File: *configFile, Defaults: map[string]any{"env": config.EnvDevelopment}})
	if err != nil {
		fmt.Fprintf(os.Stderr, "astralis dev: %v\n", err)
		return 2
	}
	logger := logging.New(cfg.Log, os.Stderr)
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()

	var cleanups []func()
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}()
	if err := os.MkdirAll(cfg.Dev.DataDir, 0o755); err != nil {
		logger.Error("cannot create data directory", slog.Any("error", err))
		return 1
	}

	// The embedded server logs warnings only (debug when asked), and nothing
	// but errors while it shuts down, when every poller complains.
	temporalLevel := new(slog.LevelVar)
	temporalLevel.Set(slog.LevelWarn)
	if level := logLevel(cfg.Log); level < slog.LevelInfo {
		temporalLevel.Set(level)
	}
	go func() {
		<-ctx.Done()
		temporalLevel.Set(slog.LevelError)
	}()

	var temporalUI string
	if *noTemporal || !cfg.Dev.EmbeddedTemporal {
		logger.Info("using external Temporal", slog.String("address", cfg.Temporal.Address))
	} else {
		srv, err := devtemporal.Start(devtemporal.Options{
			FrontendAddr: cfg.Dev.TemporalAddr,
			UIAddr:       cfg.Dev.TemporalUIAddr,
			DatabaseFile: filepath.Join(cfg.Dev.DataDir, "temporal.db"),
			Namespaces:   []string{cfg.Temporal.Namespace},
			// New namespaces get them at once; the worker adds any missing to an existing one.
			SearchAttributes: workflows.SearchAttributes,
			Logger:           logging.WithLevel(cfg.Log.Format, temporalLevel, os.Stderr),
		})
		if err != nil {
			logger.Error("embedded Temporal failed to start", slog.Any("error", err))
			return 1
		}
		cleanups = append(cleanups, func() {
			if err := srv.Stop(); err != nil {
				logger.Warn("Temporal stop", slog.Any("error", err))
			}
		})
		cfg.Temporal.Address = srv.FrontendAddr()
		temporalUI = srv.UIURL()
	}

	storageNote := "(storage.endpoint)"
	if cfg.Storage.Endpoint == "" {
		s3, err := devs3.Start(ctx, devs3.Options{Dir: filepath.Join(cfg.Dev.DataDir, "s3"), Addr: cfg.Dev.S3Addr, Logger: logger})
		if err != nil {
			logger.Error("dev S3 server failed to start", slog.Any("error", err))
			return 1
		}
		cleanups = append(cleanups, func() {
			if err := s3.Stop(); err != nil {
				logger.Warn("S3 server stop", slog.Any("error", err))
			}
		})
		cfg.Storage = devStorage(cfg.Storage.Bucket, s3)
		storageNote = "(versitygw over " + filepath.Join(cfg.Dev.DataDir, "s3", "buckets") + ", keys made per run)"
	} else {
		logger.Info("using configured object storage", slog.String("endpoint", cfg.Storage.Endpoint), slog.String("bucket", cfg.Storage.Bucket))
	}

	dbURL, dbNote, stopDB, err := devDatabaseURL(ctx, cfg, logger)
	if err != nil {
		logger.Error("no database", slog.Any("error", err))
		return 1
	}
	if stopDB != nil {
		cleanups = append(cleanups, stopDB)
	}
	cfg.Database.URL = dbURL

	stopClamd, err := devClamd(ctx, &cfg, logger)
	if err != nil {
		logger.Error("clamd failed to start", slog.Any("error", err))
		return 1
	}
	cleanups = append(cleanups, stopClamd)

	s, err := app.Open(ctx, cfg, logger)
	if err != nil {
		logger.Error("start-up failed", slog.Any("error", err))
		return 1
	}
	cleanups = append(cleanups, s.Close)
	if err := app.MigrateWithRetry(ctx, s); err != nil {
		logger.Error("migration failed", slog.Any("error", err))
		return 1
	}
	demo, err := seedDemo(ctx, s, cfg.Dev.DataDir)
	if err != nil {
		logger.Error("demo data", slog.Any("error", err))
		return 1
	}

	var (
		wg     sync.WaitGroup
		errMu  sync.Mutex
		runErr error
	)
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	for name, run := range map[string]func(context.Context) error{"api": s.RunAPI, "worker": s.RunWorker} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(runCtx); err != nil {
				errMu.Lock()
				runErr = errors.Join(runErr, fmt.Errorf("%s: %w", name, err))
				errMu.Unlock()
				cancelRun() // one part failing stops the whole dev stack
			}
		}()
	}

	printBanner(cfg, temporalUI, dbNote, storageNote, demo)
	wg.Wait()
	if runErr != nil {
		logger.Error("stopped with error", slog.Any("error", runErr))
		return 1
	}
	logger.Info("shutting down")
	return 0
}

// devDatabaseURL uses DATABASE_URL when it answers, else a private cluster under the data directory.
// It returns the URL, a note for the banner, and how to stop what it started.
func devDatabaseURL(ctx context.Context, cfg config.Config, logger *slog.Logger) (string, string, func(), error) {
	if cfg.Database.URL != "" {
		pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
		conn, err := pgx.Connect(pingCtx, cfg.Database.URL)
		cancel()
		if err == nil {
			_ = conn.Close(ctx)
			logger.Info("using DATABASE_URL", slog.String("database", config.RedactURL(cfg.Database.URL)))
			return cfg.Database.URL, "(DATABASE_URL)", nil, nil
		}
		logger.Warn("DATABASE_URL not reachable; starting a private PostgreSQL instead", slog.Any("error", err))
	}
	cluster, err := pgcluster.Start(ctx, filepath.Join(cfg.Dev.DataDir, "pg"), cfg.Dev.PostgresPort, logger)
	if err != nil {
		return "", "", nil, err
	}
	stop := func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := cluster.Stop(stopCtx); err != nil {
			logger.Warn("PostgreSQL stop", slog.Any("error", err))
		}
	}
	if err := database.CreateIfMissing(ctx, cluster.URL("postgres"), devDatabase); err != nil {
		stop()
		return "", "", nil, err
	}
	return cluster.URL(devDatabase), "(password in " + cluster.PasswordFile() + ")", stop, nil
}

// devStorage points the services at the dev S3 server: plain HTTP on
// loopback, the bucket in the path (no wildcard DNS for 127.0.0.1).
func devStorage(bucket string, s3 *devs3.Server) objectstore.Config {
	return objectstore.Config{
		Endpoint:  s3.Endpoint(),
		Region:    s3.Region(),
		Bucket:    bucket,
		AccessKey: s3.AccessKey(),
		SecretKey: s3.SecretKey(),
		PathStyle: true,
	}
}

func storageURL(cfg objectstore.Config) string {
	if cfg.TLS {
		return "https://" + cfg.Endpoint
	}
	return "http://" + cfg.Endpoint
}

func logLevel(cfg config.Log) slog.Level {
	level, _ := config.ParseLevel(cfg.Level)
	return level
}

func printBanner(cfg config.Config, temporalUI, dbNote, storageNote string, demo *demoCredentials) {
	fmt.Fprintf(os.Stderr, `
  AstralisOps is running (development mode). Ctrl-C stops everything.

%[2]s
    API             http://%[1]s/api/v1   (health: http://%[1]s/readyz)
    OpenAPI         http://%[1]s/api/v1/openapi.json
    Dev mailbox     http://%[1]s/api/v1/dev/mail
`, cfg.HTTP.Addr, consoleLine(cfg))
	if cfg.HTTP.MetricsAddr != "" {
		fmt.Fprintf(os.Stderr, "    Metrics         http://%s/metrics\n", cfg.HTTP.MetricsAddr)
	}
	fmt.Fprintf(os.Stderr, "    Temporal        %s  namespace %s\n", cfg.Temporal.Address, cfg.Temporal.Namespace)
	if temporalUI != "" {
		fmt.Fprintf(os.Stderr, "    Temporal Web UI %s/namespaces/%s/workflows\n", temporalUI, cfg.Temporal.Namespace)
	}
	fmt.Fprintf(os.Stderr, "    PostgreSQL      %s %s\n", config.RedactURL(cfg.Database.URL), dbNote)
	fmt.Fprintf(os.Stderr, "    clamd           %s\n", cfg.Scan.ClamdAddress)
	fmt.Fprintf(os.Stderr, "    Object storage  %s  bucket %s %s\n", storageURL(cfg.Storage), cfg.Storage.Bucket, storageNote)
	if demo != nil {
		fmt.Fprintf(os.Stderr, "\n    Demo sign-in    %s / %s  (ADMIN of %q, id %s)\n", demo.Email, demo.Password, demo.OrgName, demo.OrgID)
		fmt.Fprintf(os.Stderr, "                    curl -c jar -H 'Origin: %s' -H 'Content-Type: application/json' -d '{\"email\":\"%s\",\"password\":\"%s\"}' http://%s/api/v1/auth/login\n",
			strings.TrimSuffix(cfg.HTTP.PublicURL, "/"), demo.Email, demo.Password, cfg.HTTP.Addr)
	}
	fmt.Fprintln(os.Stderr)
}

// consoleLine says where the console is: at the public URL, since the API
// accepts sign-ins and changes only from that origin (its CSRF check).
func consoleLine(cfg config.Config) string {
	if web.Console() == nil {
		return "    Console         not built into this binary (make dev builds it: make web)"
	}
	return "    Console         " + strings.TrimSuffix(cfg.HTTP.PublicURL, "/") + "/"
}
