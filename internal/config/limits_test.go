package config

import (
	"strings"
	"testing"
)

func TestOrgsPerUser(t *testing.T) {
	inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
	cfg, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Limits.OrgsPerUser != 20 {
		t.Errorf("default limits.orgs_per_user = %d, want 20", cfg.Limits.OrgsPerUser)
	}
	t.Setenv("ASTRALIS_LIMITS_ORGS_PER_USER", "3")
	if cfg, err = Load(Options{}); err != nil || cfg.Limits.OrgsPerUser != 3 {
		t.Errorf("ASTRALIS_LIMITS_ORGS_PER_USER=3: %d, %v", cfg.Limits.OrgsPerUser, err)
	}
	t.Setenv("ASTRALIS_LIMITS_ORGS_PER_USER", "0")
	if _, err = Load(Options{}); err == nil || !strings.Contains(err.Error(), "limits.orgs_per_user (ASTRALIS_LIMITS_ORGS_PER_USER): must be at least 1") {
		t.Errorf("limits.orgs_per_user = 0 accepted or not named: %v", err)
	}
}
