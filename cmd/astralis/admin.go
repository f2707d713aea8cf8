package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/database"
	"github.com/astralisops/astralis/internal/ratelimit"
)

const adminUsage = `usage: astralis admin create-user --email EMAIL --password PASSWORD --org ORG [--role ADMIN] [--name NAME]

  --org is an existing organisation's id to join, or the name of a new organisation (then --role must be ADMIN).
  An existing account with that email is reused as it is (its password is not changed).
`

func runAdmin(args []string) int {
	if len(args) == 0 || args[0] != "create-user" {
		fmt.Fprint(os.Stderr, adminUsage)
		return 2
	}
	fs := flag.NewFlagSet("admin create-user", flag.ContinueOnError)
	var in accounts.BootstrapInput
	fs.StringVar(&in.Email, "email", "", "email address (signs in with it)")
	fs.StringVar(&in.Password, "password", "", "password (at least 10 characters)")
	fs.StringVar(&in.Name, "name", "", "display name")
	fs.StringVar(&in.Org, "org", "", "organisation id to join, or name of a new organisation")
	fs.StringVar(&in.Role, "role", "ADMIN", "ADMIN, OPERATOR or CLIENT")
	configFile := fs.String("config", os.Getenv("ASTRALIS_CONFIG"), "config file")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cfg, logger, ctx, stop, ok := loadCLI("admin", *configFile)
	if !ok {
		return 2
	}
	defer stop()
	if err := database.Migrate(ctx, cfg.Database.URL, logger); err != nil {
		logger.Error("migration failed", slog.Any("error", err))
		return 1
	}
	pool, err := database.Open(ctx, cfg.Database.URL, 2)
	if err != nil {
		logger.Error("database", slog.Any("error", err))
		return 1
	}
	defer pool.Close()
	// Bootstrap sends no mail, so no mailer is needed.
	svc, err := accounts.New(pool, nil, ratelimit.New(pool), cfg.HTTP.PublicURL, logger)
	if err != nil {
		logger.Error("accounts", slog.Any("error", err))
		return 1
	}
	user, org, err := svc.Bootstrap(ctx, in)
	if err != nil {
		fmt.Fprintf(os.Stderr, "astralis admin create-user: %v\n", describe(err))
		return 1
	}
	fmt.Printf("user %s (%s) is %s of %q (organisation id %s)\n", user.Email, user.ID, org.Role, org.Name, org.ID)
	return 0
}
