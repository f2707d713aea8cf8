// Package temporalclient is the one place the Temporal SDK client is configured:
// address, namespace, TLS or API key (Temporal Cloud, self-hosted) and Prometheus metrics.
package temporalclient

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
	sdklog "go.temporal.io/sdk/log"

	"github.com/astralisops/astralis/internal/config"
)

// New returns a lazy client: it connects on first use, so a binary starts while
// Temporal is still coming up and /readyz says which dependency is missing.
func New(cfg config.Temporal, logger *slog.Logger, metrics client.MetricsHandler) (client.Client, error) {
	opts, err := Options(cfg, logger, metrics)
	if err != nil {
		return nil, err
	}
	c, err := client.NewLazyClient(opts)
	if err != nil {
		return nil, fmt.Errorf("temporal: unable to create client: %w", err)
	}
	return c, nil
}

// Options builds the SDK client options from configuration.
func Options(cfg config.Temporal, logger *slog.Logger, metrics client.MetricsHandler) (client.Options, error) {
	opts := client.Options{
		HostPort:       cfg.Address,
		Namespace:      cfg.Namespace,
		Logger:         sdklog.NewStructuredLogger(logger.With(slog.String("component", "temporal-sdk"))),
		MetricsHandler: metrics,
	}
	tlsConfig, err := tlsConfig(cfg)
	if err != nil {
		return client.Options{}, err
	}
	opts.ConnectionOptions.TLS = tlsConfig
	if cfg.APIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.APIKey)
	}
	return opts, nil
}

func tlsConfig(cfg config.Temporal) (*tls.Config, error) {
	useTLS := cfg.TLS || cfg.APIKey != "" || cfg.CACertFile != "" || cfg.ClientCertFile != ""
	if !useTLS {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName}
	if cfg.CACertFile != "" {
		pem, err := os.ReadFile(cfg.CACertFile)
		if err != nil {
			return nil, fmt.Errorf("temporal: unable to read CA certificate: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("temporal: no certificate found in %s", cfg.CACertFile)
		}
		tc.RootCAs = pool
	}
	if cfg.ClientCertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.ClientCertFile, cfg.ClientKeyFile)
		if err != nil {
			return nil, fmt.Errorf("temporal: unable to load client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// NewMetricsHandler reports SDK metrics (workflow and activity latencies, task
// queue polls, failures) into reg, which /metrics serves.
func NewMetricsHandler(reg *prometheus.Registry, logger *slog.Logger) (client.MetricsHandler, io.Closer) {
	// The reporter registers into reg only; tally's Configuration would also claim /metrics on http.DefaultServeMux.
	reporter := tallyprom.NewReporter(tallyprom.Options{
		Registerer:       reg,
		Gatherer:         reg,
		DefaultTimerType: tallyprom.HistogramTimerType,
		OnRegisterError: func(err error) {
			logger.Warn("temporal metric not registered", slog.Any("error", err))
		},
	})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
	}, time.Second)
	return sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope)), closer
}
