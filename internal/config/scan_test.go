package config

import (
	"strings"
	"testing"
	"time"
)

func TestScanSettings(t *testing.T) {
	inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
	cfg, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Scan.ClamdAddress != "" || cfg.Scan.Timeout != time.Minute {
		t.Errorf("defaults: %+v, want no address (dev starts its own) and a one-minute timeout", cfg.Scan)
	}

	t.Setenv("ASTRALIS_SCAN_CLAMD_ADDRESS", "tcp://clamd:3310")
	t.Setenv("ASTRALIS_SCAN_TIMEOUT", "2m")
	if cfg, err = Load(Options{}); err != nil {
		t.Fatal(err)
	}
	if cfg.Scan.ClamdAddress != "tcp://clamd:3310" || cfg.Scan.Timeout != 2*time.Minute {
		t.Errorf("from the environment: %+v", cfg.Scan)
	}

	t.Setenv("ASTRALIS_SCAN_CLAMD_ADDRESS", "clamd:3310")
	t.Setenv("ASTRALIS_SCAN_TIMEOUT", "0s")
	_, err = Load(Options{})
	for _, want := range []string{"scan.clamd_address (ASTRALIS_SCAN_CLAMD_ADDRESS)", "scan.timeout: must be positive"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
}
