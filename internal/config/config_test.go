package config

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// inDir runs the test in an empty directory so no stray astralis.yaml is read.
func inDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	return dir
}

// production sets what production requires besides the database.
func production(t *testing.T) {
	t.Setenv("ASTRALIS_HTTP_PUBLIC_URL", "https://ops.example.com")
	t.Setenv("SMTP_HOST", "smtp.example.com")
}

func TestLoadPrecedence(t *testing.T) {
	dir := inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://u:p@db:5432/app")

	cfg, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:8080" {
		t.Errorf("default http.addr = %q", cfg.HTTP.Addr)
	}
	if cfg.Database.URL != "postgres://u:p@db:5432/app" {
		t.Errorf("DATABASE_URL not read: %q", cfg.Database.URL)
	}

	yaml := "http:\n  addr: 0.0.0.0:9000\ntemporal:\n  namespace: from-file\nlog:\n  level: debug\n"
	if err := os.WriteFile(filepath.Join(dir, "astralis.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ASTRALIS_TEMPORAL_NAMESPACE", "from-env")
	cfg, err = Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Addr != "0.0.0.0:9000" {
		t.Errorf("file did not override default: http.addr = %q", cfg.HTTP.Addr)
	}
	if cfg.Temporal.Namespace != "from-env" {
		t.Errorf("environment did not override file: namespace = %q", cfg.Temporal.Namespace)
	}
	if cfg.Log.Level != "debug" {
		t.Errorf("file value lost: log.level = %q", cfg.Log.Level)
	}
}

func TestAstralisNameWinsOverConventionalName(t *testing.T) {
	inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://conventional/db")
	t.Setenv("ASTRALIS_DATABASE_URL", "postgres://astralis/db")
	t.Setenv("TEMPORAL_ADDRESS", "temporal.example:7233")
	cfg, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database.URL != "postgres://astralis/db" {
		t.Errorf("database.url = %q, want the ASTRALIS_ value", cfg.Database.URL)
	}
	if cfg.Temporal.Address != "temporal.example:7233" {
		t.Errorf("TEMPORAL_ADDRESS not read: %q", cfg.Temporal.Address)
	}
}

func TestValidationReportsEveryProblem(t *testing.T) {
	inDir(t)
	t.Setenv("ASTRALIS_HTTP_ADDR", "no-port")
	t.Setenv("ASTRALIS_LOG_LEVEL", "loud")
	t.Setenv("TEMPORAL_ADDRESS", "")
	t.Setenv("ASTRALIS_TEMPORAL_CLIENT_CERT_FILE", "/nonexistent/cert.pem")
	_, err := Load(Options{}) // production by default: DATABASE_URL is required
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"http.addr (ASTRALIS_HTTP_ADDR)",
		"database.url (DATABASE_URL): required",
		"log.level (ASTRALIS_LOG_LEVEL)",
		"temporal.client_cert_file and temporal.client_key_file: set both or neither",
		"temporal.client_cert_file: ",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not mention %q:\n%s", want, msg)
		}
	}
}

// TestGoogleCalendarSettings: the token key must be 32 bytes, the webhook
// an https URL in production; the sync is on only when all four are set.
func TestGoogleCalendarSettings(t *testing.T) {
	inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://app@db:5432/app")
	t.Setenv("ASTRALIS_GOOGLE_CALENDAR_TOKEN_KEY", "c2hvcnQ=")
	t.Setenv("ASTRALIS_GOOGLE_CALENDAR_WEBHOOK_URL", "http://example.com/api/v1/webhooks/google-calendar")
	_, err := Load(Options{})
	for _, want := range []string{"google_calendar.token_key: must be 32 bytes", "google_calendar.webhook_url: must be an absolute https URL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
	t.Setenv("ASTRALIS_GOOGLE_CALENDAR_TOKEN_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	t.Setenv("ASTRALIS_GOOGLE_CALENDAR_WEBHOOK_URL", "https://example.com/api/v1/webhooks/google-calendar")
	t.Setenv("ASTRALIS_GOOGLE_CALENDAR_CLIENT_ID", "id.apps.googleusercontent.com")
	cfg, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.GoogleCalendar.Enabled() || !slices.Equal(cfg.GoogleCalendar.Missing(), []string{"google_calendar.client_secret"}) {
		t.Errorf("without the client secret: enabled %v, missing %v; want off, missing the secret", cfg.GoogleCalendar.Enabled(), cfg.GoogleCalendar.Missing())
	}
	t.Setenv("ASTRALIS_GOOGLE_CALENDAR_CLIENT_SECRET", "secret")
	if cfg, err = Load(Options{}); err != nil || !cfg.GoogleCalendar.Enabled() {
		t.Errorf("with every setting: enabled %v, %v; want on", cfg.GoogleCalendar.Enabled(), err)
	}
}

func TestUnknownKeyInFileIsRejected(t *testing.T) {
	dir := inDir(t)
	path := filepath.Join(dir, "custom.yaml")
	if err := os.WriteFile(path, []byte("env: development\nhttp:\n  adress: typo:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(Options{File: path})
	if err == nil || !strings.Contains(err.Error(), "adress") {
		t.Fatalf("typo in config file not reported: %v", err)
	}
}

func TestLoggedConfigHidesSecrets(t *testing.T) {
	inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://app:db-secret-pw@db:5432/app")
	t.Setenv("OPENAI_API_KEY", "sk-very-secret")
	t.Setenv("TEMPORAL_API_KEY", "temporal-secret")
	t.Setenv("ASTRALIS_STORAGE_ENDPOINT", "nyc3.digitaloceanspaces.com")
	t.Setenv("ASTRALIS_STORAGE_ACCESS_KEY", "DO00EXAMPLE")
	t.Setenv("ASTRALIS_STORAGE_SECRET_KEY", "spaces-secret")
	t.Setenv("ASTRALIS_GOOGLE_CALENDAR_CLIENT_SECRET", "calendar-client-secret")
	t.Setenv("ASTRALIS_GOOGLE_CALENDAR_TOKEN_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	cfg, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("starting", slog.Any("config", cfg))
	out := buf.String()
	for _, secret := range []string{"db-secret-pw", "sk-very-secret", "temporal-secret", "spaces-secret", "calendar-client-secret", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="} {
		if strings.Contains(out, secret) {
			t.Errorf("log line contains secret %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "db:5432") {
		t.Errorf("redaction removed the useful part of the database URL: %s", out)
	}
}

func TestOnlyAstralisYAMLIsRead(t *testing.T) {
	dir := inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
	// `go build ./cmd/astralis` leaves a binary named astralis in the working directory.
	if err := os.WriteFile(filepath.Join(dir, "astralis"), []byte("\x7fELF\x00\x01binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(Options{}); err != nil {
		t.Fatalf("a file named astralis was taken for configuration: %v", err)
	}
}

func TestServingInProductionNeedsPublicURLAndSMTP(t *testing.T) {
	inDir(t)
	t.Setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
	cfg, err := Load(Options{}) // enough for `astralis migrate`
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.ReadyToServe()
	if err == nil || !strings.Contains(err.Error(), "http.public_url (ASTRALIS_HTTP_PUBLIC_URL): required") || !strings.Contains(err.Error(), "smtp.host (SMTP_HOST): required") {
		t.Fatalf("ReadyToServe = %v", err)
	}
	production(t)
	if cfg, err = Load(Options{}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.ReadyToServe(); err != nil {
		t.Fatal(err)
	}
}

// TestMetricsAddr: metrics have their own listener, on loopback by default;
// an empty value turns it off, even from the environment.
func TestMetricsAddr(t *testing.T) {
	inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
	cfg, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("default http.metrics_addr = %q, want 127.0.0.1:9090", cfg.HTTP.MetricsAddr)
	}
	t.Setenv("ASTRALIS_HTTP_METRICS_ADDR", "0.0.0.0:9100")
	if cfg, err = Load(Options{}); err != nil || cfg.HTTP.MetricsAddr != "0.0.0.0:9100" {
		t.Errorf("http.metrics_addr from the environment = %q (%v)", cfg.HTTP.MetricsAddr, err)
	}
	t.Setenv("ASTRALIS_HTTP_METRICS_ADDR", "")
	if cfg, err = Load(Options{}); err != nil || cfg.HTTP.MetricsAddr != "" {
		t.Errorf("an empty ASTRALIS_HTTP_METRICS_ADDR did not turn metrics off: %q (%v)", cfg.HTTP.MetricsAddr, err)
	}
	for value, want := range map[string]string{
		"no-port":        "http.metrics_addr (ASTRALIS_HTTP_METRICS_ADDR): \"no-port\" is not host:port",
		"127.0.0.1:8080": "http.metrics_addr (ASTRALIS_HTTP_METRICS_ADDR): must differ from http.addr",
	} {
		t.Setenv("ASTRALIS_HTTP_METRICS_ADDR", value)
		if _, err := Load(Options{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("http.metrics_addr %q: error %v, want it to say %q", value, err, want)
		}
	}
}

func TestStorageSettings(t *testing.T) {
	inDir(t)
	production(t)
	t.Setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
	cfg, err := Load(Options{})
	if err != nil {
		t.Fatalf("no storage endpoint must be accepted (dev and tests start their own): %v", err)
	}
	if !cfg.Storage.TLS || cfg.Storage.PathStyle || cfg.Storage.Bucket != "astralis" {
		t.Errorf("storage defaults = %+v, want https, virtual-host buckets, bucket astralis", cfg.Storage)
	}

	t.Setenv("ASTRALIS_STORAGE_ENDPOINT", "minio.internal:9000")
	t.Setenv("ASTRALIS_STORAGE_REGION", "eu-central-1")
	t.Setenv("ASTRALIS_STORAGE_BUCKET", "docs")
	t.Setenv("ASTRALIS_STORAGE_ACCESS_KEY", "access")
	t.Setenv("ASTRALIS_STORAGE_SECRET_KEY", "secret")
	t.Setenv("ASTRALIS_STORAGE_TLS", "false")
	t.Setenv("ASTRALIS_STORAGE_PATH_STYLE", "true")
	cfg, err = Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := cfg.Storage
	want.Endpoint, want.Region, want.Bucket, want.AccessKey, want.SecretKey, want.TLS, want.PathStyle =
		"minio.internal:9000", "eu-central-1", "docs", "access", "secret", false, true
	if cfg.Storage != want {
		t.Errorf("storage = %+v, want %+v", cfg.Storage, want)
	}

	t.Setenv("ASTRALIS_STORAGE_ENDPOINT", "https://nyc3.digitaloceanspaces.com")
	t.Setenv("ASTRALIS_STORAGE_SECRET_KEY", "")
	_, err = Load(Options{})
	if err == nil {
		t.Fatal("an endpoint with a scheme and no secret key was accepted")
	}
	for _, want := range []string{"storage.endpoint: \"https://nyc3.digitaloceanspaces.com\" must be host[:port]", "storage.access_key and secret_key: both required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%s", want, err)
		}
	}
}
