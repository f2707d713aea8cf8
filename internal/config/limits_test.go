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

func TestRoutingLimits(t *testing.T) {
	inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
	cfg, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := Limits{OrgsPerUser: 20, RoutingModelBytes: 8 << 20, RoutingCacheBytes: 64 << 20, RoutingImportBytes: 8 << 20, RoutingImportExamples: 20_000, RoutingImports: 2}
	if cfg.Limits != want {
		t.Errorf("default limits = %+v, want %+v", cfg.Limits, want)
	}
	t.Setenv("ASTRALIS_LIMITS_ROUTING_CACHE_BYTES", "16777216")
	t.Setenv("ASTRALIS_LIMITS_ROUTING_IMPORTS", "1")
	if cfg, err = Load(Options{}); err != nil || cfg.Limits.RoutingCacheBytes != 16<<20 || cfg.Limits.RoutingImports != 1 {
		t.Errorf("environment overrides: %+v, %v", cfg.Limits, err)
	}
	t.Setenv("ASTRALIS_LIMITS_ROUTING_MODEL_BYTES", "1000")
	if _, err = Load(Options{}); err == nil || !strings.Contains(err.Error(), "limits.routing_model_bytes (ASTRALIS_LIMITS_ROUTING_MODEL_BYTES): must be at least 65536") {
		t.Errorf("limits.routing_model_bytes = 1000 accepted or not named: %v", err)
	}
}
