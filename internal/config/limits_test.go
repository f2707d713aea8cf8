package config

import (
	"strings"
	"testing"
	"time"
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

func TestSignInLimits(t *testing.T) {
	inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
	cfg, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := cfg.Limits
	if l.SignInFailuresPerAccountAndIP != 10 || l.SignInFailuresPerAccount != 100 || l.SignInFailuresPerDevice != 10 || l.SignInAttemptsPerIP != 100 || cfg.Auth.KnownDeviceLifetime != 180*24*time.Hour || cfg.Auth.KnownDeviceGrace != 2*time.Minute {
		t.Errorf("defaults: %+v, known devices kept %s, old secrets %s", cfg.Limits, cfg.Auth.KnownDeviceLifetime, cfg.Auth.KnownDeviceGrace)
	}
	t.Setenv("ASTRALIS_LIMITS_SIGNIN_FAILURES_PER_ACCOUNT", "500")
	t.Setenv("ASTRALIS_AUTH_KNOWN_DEVICE_LIFETIME", "720h")
	t.Setenv("ASTRALIS_AUTH_KNOWN_DEVICE_GRACE", "5m")
	if cfg, err = Load(Options{}); err != nil || cfg.Limits.SignInFailuresPerAccount != 500 || cfg.Auth.KnownDeviceLifetime != 720*time.Hour || cfg.Auth.KnownDeviceGrace != 5*time.Minute {
		t.Errorf("overrides: %+v, %s, %s, %v", cfg.Limits, cfg.Auth.KnownDeviceLifetime, cfg.Auth.KnownDeviceGrace, err)
	}
	t.Setenv("ASTRALIS_LIMITS_SIGNIN_FAILURES_PER_ACCOUNT_AND_IP", "0")
	if _, err = Load(Options{}); err == nil || !strings.Contains(err.Error(), "limits.signin_failures_per_account_and_ip (ASTRALIS_LIMITS_SIGNIN_FAILURES_PER_ACCOUNT_AND_IP): must be at least 1") {
		t.Errorf("limits.signin_failures_per_account_and_ip = 0 accepted or not named: %v", err)
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
	l := cfg.Limits
	if l.RoutingModelBytes != 8<<20 || l.RoutingCacheBytes != 64<<20 || l.RoutingImportBytes != 8<<20 || l.RoutingImportExamples != 20_000 || l.RoutingImports != 2 || l.RoutingImportTimeout != 30*time.Second {
		t.Errorf("default limits = %+v", l)
	}
	if d := Defaults().Limits; d != l {
		t.Errorf("Defaults().Limits = %+v, want what Load gives without a file or environment: %+v", d, l)
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
	t.Setenv("ASTRALIS_LIMITS_ROUTING_IMPORT_TIMEOUT", "0s")
	if _, err = Load(Options{}); err == nil || !strings.Contains(err.Error(), "limits.routing_import_timeout (ASTRALIS_LIMITS_ROUTING_IMPORT_TIMEOUT): must be at least 1s") {
		t.Errorf("limits.routing_import_timeout = 0 accepted or not named: %v", err)
	}
}

// TestRoutingCacheHoldsAModel: a model cache too small for a full model is a
// configuration error naming both limits, not a cache that never keeps a model.
func TestRoutingCacheHoldsAModel(t *testing.T) {
	inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
	t.Setenv("ASTRALIS_LIMITS_ROUTING_MODEL_BYTES", "50331648")
	_, err := Load(Options{})
	if err == nil || !strings.Contains(err.Error(), "limits.routing_cache_bytes (ASTRALIS_LIMITS_ROUTING_CACHE_BYTES): must be at least twice limits.routing_model_bytes (50331648), got 67108864") {
		t.Errorf("a 64 MiB cache for 48 MiB models: %v", err)
	}
	t.Setenv("ASTRALIS_LIMITS_ROUTING_CACHE_BYTES", "67108864")
	t.Setenv("ASTRALIS_LIMITS_ROUTING_MODEL_BYTES", "16777216")
	if _, err := Load(Options{}); err != nil {
		t.Errorf("a 64 MiB cache for 16 MiB models: %v", err)
	}
}

func TestIntakeLimits(t *testing.T) {
	inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
	cfg, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if l := cfg.Limits; l.IntakePerSubmitter != 30 || l.IntakePerSubmitterWindow != time.Minute || l.IntakePerOrg != 600 || l.IntakePerOrgWindow != time.Hour {
		t.Errorf("default intake limits = %d per %s per submitter, %d per %s per organisation; want 30 per 1m, 600 per 1h",
			l.IntakePerSubmitter, l.IntakePerSubmitterWindow, l.IntakePerOrg, l.IntakePerOrgWindow)
	}
	t.Setenv("ASTRALIS_LIMITS_INTAKE_PER_SUBMITTER", "5")
	t.Setenv("ASTRALIS_LIMITS_INTAKE_PER_SUBMITTER_WINDOW", "10s")
	t.Setenv("ASTRALIS_LIMITS_INTAKE_PER_ORG", "50")
	t.Setenv("ASTRALIS_LIMITS_INTAKE_PER_ORG_WINDOW", "24h")
	cfg, err = Load(Options{})
	if l := cfg.Limits; err != nil || l.IntakePerSubmitter != 5 || l.IntakePerSubmitterWindow != 10*time.Second || l.IntakePerOrg != 50 || l.IntakePerOrgWindow != 24*time.Hour {
		t.Errorf("from the environment: %+v, %v", cfg.Limits, err)
	}
	t.Setenv("ASTRALIS_LIMITS_INTAKE_PER_SUBMITTER", "0")
	t.Setenv("ASTRALIS_LIMITS_INTAKE_PER_ORG_WINDOW", "48h")
	_, err = Load(Options{})
	for _, want := range []string{
		"limits.intake_per_submitter (ASTRALIS_LIMITS_INTAKE_PER_SUBMITTER): must be at least 1, got 0",
		"limits.intake_per_org_window (ASTRALIS_LIMITS_INTAKE_PER_ORG_WINDOW): must be from 1s to 24h, got 48h0m0s",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("not reported: %q in %v", want, err)
		}
	}
}

// TestDefaultsHoldTheBuiltInValues: Defaults, which tests build their Config from, reads no environment.
func TestDefaultsHoldTheBuiltInValues(t *testing.T) {
	t.Setenv("ASTRALIS_LIMITS_SIGNIN_FAILURES_PER_ACCOUNT", "500")
	cfg := Defaults()
	if cfg.Limits.SignInFailuresPerAccount != 100 || cfg.Auth.KnownDeviceLifetime != 180*24*time.Hour {
		t.Errorf("Defaults: %+v, known devices kept %s", cfg.Limits, cfg.Auth.KnownDeviceLifetime)
	}
}
