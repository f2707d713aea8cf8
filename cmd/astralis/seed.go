package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/cmd/internal/app"
	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/store"
)

const (
	demoEmail   = "admin@demo.astralis.test"
	demoOrgName = "Demo Service Co"
)

// demoCredentials are kept in the data directory so every start can print them.
type demoCredentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	OrgID    string `json:"org_id"`
	OrgName  string `json:"org_name"`
}

// seedDemo creates the demo organisation and its ADMIN on the first start.
// It returns nil credentials when the demo admin exists but its password is not on file.
func seedDemo(ctx context.Context, s *app.Services, dataDir string) (*demoCredentials, error) {
	path := filepath.Join(dataDir, "demo-admin.json")
	if data, err := os.ReadFile(path); err == nil {
		var creds demoCredentials
		if err := json.Unmarshal(data, &creds); err != nil {
			return nil, fmt.Errorf("seed: %s: %w", path, err)
		}
		return &creds, nil
	}
	if _, err := store.New(s.Pool).GetUserByEmail(ctx, demoEmail); err == nil {
		return nil, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("seed: %w", err)
	}
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	creds := demoCredentials{Email: demoEmail, Password: "demo-" + hex.EncodeToString(b), OrgName: demoOrgName}
	svc, err := accounts.New(s.Pool, nil, ratelimit.New(s.Pool), s.Config.HTTP.PublicURL, s.Logger)
	if err != nil {
		return nil, err
	}
	_, org, err := svc.Bootstrap(ctx, accounts.BootstrapInput{Email: creds.Email, Password: creds.Password, Name: "Demo Admin", Org: demoOrgName, Role: "ADMIN"})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	creds.OrgID = org.ID.String()
	data, _ := json.MarshalIndent(creds, "", "  ")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return &creds, nil
}
