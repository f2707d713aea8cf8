package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/devclamd"
	"github.com/astralisops/astralis/internal/devs3"
	"github.com/astralisops/astralis/internal/devtemporal"
	"github.com/astralisops/astralis/internal/logging"
	"github.com/astralisops/astralis/internal/pgcluster"
	"github.com/astralisops/astralis/internal/testenv"
	"github.com/astralisops/astralis/workflows"
)

// runTestEnv starts one PostgreSQL (unless TEST_DATABASE_URL is set), one
// S3-compatible server (unless TEST_S3_ENDPOINT is set) and one
// in-memory Temporal server, runs the given command with their addresses in
// the environment, and stops them. Every test package shares them.
func runTestEnv(args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: astralis testenv -- COMMAND [ARGS…]")
		return 2
	}
	logger := logging.New(config.Log{Level: "info", Format: "text"}, os.Stderr).With(slog.String("component", "testenv"))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	env := os.Environ()
	if self, err := os.Executable(); err == nil {
		env = append(env, testenv.BinaryEnv+"="+self)
	}
	dir, err := os.MkdirTemp("", "astralis-testenv-")
	if err != nil {
		logger.Error("temp dir", slog.Any("error", err))
		return 1
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil { // the unprivileged postgres user must reach it
		logger.Error("temp dir", slog.Any("error", err))
		return 1
	}
	if os.Getenv(testenv.DatabaseURLEnv) == "" {
		cluster, err := pgcluster.Start(ctx, dir+"/data", 0, logger)
		if err != nil {
			logger.Error("PostgreSQL failed to start", slog.Any("error", err))
			return 1
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := cluster.Stop(stopCtx); err != nil {
				logger.Warn("PostgreSQL stop", slog.Any("error", err))
			}
		}()
		env = append(env, testenv.DatabaseURLEnv+"="+cluster.URL("postgres"))
	}
	if os.Getenv(testenv.S3EndpointEnv) == "" {
		s3, err := devs3.Start(ctx, devs3.Options{Dir: dir + "/s3", Addr: "127.0.0.1:0", Logger: logger})
		if err != nil {
			logger.Error("S3 server failed to start", slog.Any("error", err))
			return 1
		}
		defer func() {
			if err := s3.Stop(); err != nil {
				logger.Warn("S3 server stop", slog.Any("error", err))
			}
		}()
		env = append(env,
			testenv.S3EndpointEnv+"="+s3.Endpoint(),
			testenv.S3RegionEnv+"="+s3.Region(),
			testenv.S3AccessKeyEnv+"="+s3.AccessKey(),
			testenv.S3SecretKeyEnv+"="+s3.SecretKey(),
		)
	}

	clamd, err := devclamd.Start(ctx, devclamd.Options{Logger: logger})
	if err != nil {
		logger.Error("clamd failed to start", slog.Any("error", err))
		return 1
	}
	defer clamd.Close()
	env = append(env, testenv.ClamdAddressEnv+"="+clamd.Address())

	// The server's own logs stay off: every test that stops its worker makes it complain, and
	// tests assert what matters. ASTRALIS_TEST_SERVER_LOG=debug|info|warn|error turns them on.
	serverLevel := new(slog.LevelVar)
	serverLevel.Set(slog.LevelError + 4)
	if name := os.Getenv("ASTRALIS_TEST_SERVER_LOG"); name != "" {
		level, err := config.ParseLevel(name)
		if err != nil {
			logger.Error("ASTRALIS_TEST_SERVER_LOG", slog.Any("error", err))
			return 2
		}
		serverLevel.Set(level)
	}
	srv, err := devtemporal.Start(devtemporal.Options{
		FrontendAddr: "127.0.0.1:0",
		// A file in WAL mode takes concurrent test packages better than a shared-cache memory database.
		DatabaseFile:     dir + "/temporal.db",
		Namespaces:       []string{testenv.TemporalNamespace},
		SearchAttributes: workflows.SearchAttributes,
		Logger:           logging.WithLevel("text", serverLevel, os.Stderr),
	})
	if err != nil {
		logger.Error("Temporal failed to start", slog.Any("error", err))
		return 1
	}
	defer func() {
		serverLevel.Set(slog.LevelError + 4)
		if err := srv.Stop(); err != nil {
			logger.Warn("Temporal stop", slog.Any("error", err))
		}
	}()
	env = append(env, testenv.TemporalAddressEnv+"="+srv.FrontendAddr())
	// Tesseract's OpenMP reads this as the test binaries load: one thread per client of the OCR pool.
	env = append(env, "OMP_THREAD_LIMIT=1")
	logger.Info("test dependencies up", slog.String("temporal", srv.FrontendAddr()))

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return exit.ExitCode()
		}
		logger.Error("command failed to run", slog.Any("error", err))
		return 1
	}
	return 0
}
