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
