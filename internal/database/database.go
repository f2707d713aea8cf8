// Package database opens the PostgreSQL pool and applies the embedded migrations.
package database

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/astralisops/astralis/migrations"
)

// Open connects a pool. It does not fail when the server is down: pgxpool
// connects lazily, so a process starts and /readyz reports the database until it is back.
func Open(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: unable to parse URL: %w", err)
	}
	cfg.MaxConns = maxConns
	// Days and weeks (date_trunc, ::date) are counted in UTC, as the API says,
	// whatever zone the server was set up in.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: unable to create pool: %w", err)
	}
	return pool, nil
}

// Migrate applies every pending migration. A PostgreSQL session advisory lock
// makes it safe when several replicas start at once: one migrates, the others
// wait and then find nothing to do.
func Migrate(ctx context.Context, url string, logger *slog.Logger) error {
	connConfig, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("database: unable to parse URL: %w", err)
	}
	db := stdlib.OpenDB(*connConfig)
	defer db.Close()
	return migrate(ctx, db, logger)
}

func migrate(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("database: unable to create migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("database: unable to load migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("database: unable to migrate: %w", err)
	}
	for _, r := range results {
		logger.Info("migration applied", slog.String("migration", r.Source.Path), slog.Duration("took", r.Duration))
	}
	return nil
}

// CreateIfMissing creates database name on the server adminURL points to.
func CreateIfMissing(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("database: unable to connect: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("database: unable to look up %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("database: unable to create %s: %w", name, err)
	}
	return nil
}
