package main

import (
	"context"
	"log/slog"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/devclamd"
)

// devClamd starts a private clamd (EICAR test signature only) unless
// scan.clamd_address points at one, and returns how to stop it.
func devClamd(ctx context.Context, cfg *config.Config, logger *slog.Logger) (func(), error) {
	if cfg.Scan.ClamdAddress != "" {
		logger.Info("using clamd at scan.clamd_address", slog.String("address", cfg.Scan.ClamdAddress))
		return func() {}, nil
	}
	srv, err := devclamd.Start(ctx, devclamd.Options{Logger: logger})
	if err != nil {
		return nil, err
	}
	cfg.Scan.ClamdAddress = srv.Address()
	return func() {
		if err := srv.Close(); err != nil {
			logger.Warn("clamd stop", slog.Any("error", err))
		}
	}, nil
}
