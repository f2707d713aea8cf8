// Package config loads the one typed configuration every binary uses:
// defaults < astralis.yaml < environment (ASTRALIS_* and the conventional names).
package config

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/viper"

	"github.com/astralisops/astralis/internal/objectstore"
	"github.com/astralisops/astralis/internal/virusscan"
)

// Config is the whole configuration. Field tags name the viper keys; the
// environment variable for a key is ASTRALIS_ plus the key upper-cased with
// dots as underscores (http.addr → ASTRALIS_HTTP_ADDR).
type Config struct {
	// Env is "development" or "production"; development enables dev-only endpoints.
	Env      string   `mapstructure:"env"`
	HTTP     HTTP     `mapstructure:"http"`
	Database Database `mapstructure:"database"`
	Temporal Temporal `mapstructure:"temporal"`
	Log      Log      `mapstructure:"log"`
	Auth     Auth     `mapstructure:"auth"`
	SMTP     SMTP     `mapstructure:"smtp"`
	Google   Google   `mapstructure:"google"`
	// GoogleCalendar is two-way sync with operators' Google Calendars.
	GoogleCalendar GoogleCalendar `mapstructure:"google_calendar"`
	OpenAI         OpenAI         `mapstructure:"openai"`
	Dev            Dev            `mapstructure:"dev"`
	Limits         Limits         `mapstructure:"limits"`
	// Storage is the S3-compatible object store documents live in; `astralis
	// dev` and `astralis testenv` start one of their own when no endpoint is set.
	Storage objectstore.Config `mapstructure:"storage"`
	Scan    Scan               `mapstructure:"scan"`
	// Documents configures uploads and how they are read.
	Documents Documents `mapstructure:"documents"`
}

// Documents bounds uploads and sets how the worker reads them.
type Documents struct {
	// MaxBytes is the largest file an upload may carry.
	MaxBytes int64 `mapstructure:"max_bytes"`
	// MaxPages is the most pages a PDF may have.
	MaxPages int `mapstructure:"max_pages"`
	// MaxPixels is the most pixels an image, or a page rendered for OCR, may have.
	MaxPixels int64 `mapstructure:"max_pixels"`
	// DPI is the resolution PDF pages without a text layer are rendered at for OCR.
	DPI int `mapstructure:"dpi"`
	// OCRWorkers is how many pages one worker reads at once; 0 is one per CPU core.
	OCRWorkers int `mapstructure:"ocr_workers"`
	// URLTTL is how long a presigned link to an original works.
	URLTTL time.Duration `mapstructure:"url_ttl"`
	// SpoolDir holds uploads while the API checks them; CacheDir the worker's
	// copies of originals while their pages are read ("" for the system's temporary directory).
	SpoolDir string `mapstructure:"spool_dir"`
	CacheDir string `mapstructure:"cache_dir"`
}

type HTTP struct {
	Addr string `mapstructure:"addr"`
	// MetricsAddr serves /metrics apart from the API, for scrapers on an internal network; empty turns it off.
	MetricsAddr string `mapstructure:"metrics_addr"`
	// PublicURL is where people reach the product; links in emails point there. Required in
	// production; development defaults it to http://<addr>.
	PublicURL string `mapstructure:"public_url"`
	// AllowedOrigins may send cookie-authenticated state-changing requests (CSRF defence); the public URL's origin always may.
	AllowedOrigins []string `mapstructure:"allowed_origins"`
	// TrustedProxies may set X-Forwarded-For (CIDRs or IPs); none by default.
	TrustedProxies  []string      `mapstructure:"trusted_proxies"`
	MaxBodyBytes    int64         `mapstructure:"max_body_bytes"`
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
}

type Database struct {
	// URL is a PostgreSQL connection URL; it may carry a password and is redacted when logged.
	URL      string `mapstructure:"url"`
	MaxConns int32  `mapstructure:"max_conns"`
}

type Temporal struct {
	Address   string `mapstructure:"address"`
	Namespace string `mapstructure:"namespace"`
	// APIKey authenticates against Temporal Cloud; setting it implies TLS.
	APIKey string `mapstructure:"api_key"`
	TLS    bool   `mapstructure:"tls"`
	// CA, client certificate and key files for mTLS to a self-hosted cluster or Temporal Cloud.
	CACertFile     string `mapstructure:"ca_cert_file"`
	ClientCertFile string `mapstructure:"client_cert_file"`
	ClientKeyFile  string `mapstructure:"client_key_file"`
	ServerName     string `mapstructure:"server_name"`
	// TaskQueuePrefix lets several deployments (or test runs) share one namespace without taking each other's tasks.
	TaskQueuePrefix string `mapstructure:"task_queue_prefix"`
}

type Log struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"` // auto (JSON unless a terminal), json or text
}

type Auth struct {
	SessionIdleTimeout time.Duration `mapstructure:"session_idle_timeout"`
	SessionLifetime    time.Duration `mapstructure:"session_lifetime"`
	// KnownDeviceLifetime is how long a browser that signed in stays exempt
	// from the account-wide sign-in limit (renewed at every sign-in).
	KnownDeviceLifetime time.Duration `mapstructure:"known_device_lifetime"`
	// KnownDeviceGrace is how long a known browser's previous cookie secret
	// stays valid after it signs in (its answer may have been lost, or another
	// tab may have signed in with the same secret).
	KnownDeviceGrace time.Duration `mapstructure:"known_device_grace"`
}

// SMTP is the outgoing mail server; with no host, development keeps mail in the dev mailbox.
type SMTP struct {
	Host     string `mapstructure:"host"`
	Port     int    `mapstructure:"port"`
	Username string `mapstructure:"username"`
	Password string `mapstructure:"password"`
	TLS      string `mapstructure:"tls"` // starttls, tls or none
	From     string `mapstructure:"from"`
}

// Google enables "Sign in with Google" when ClientID is set.
type Google struct {
	ClientID     string `mapstructure:"client_id"`
	ClientSecret string `mapstructure:"client_secret"`
	// DiscoveryURL is Google's OpenID configuration; tests point it at a fake provider.
	DiscoveryURL string `mapstructure:"discovery_url"`
}

// GoogleCalendar turns on two-way Google Calendar sync when the OAuth
// client, the token key and the webhook's public URL are all set (Enabled).
type GoogleCalendar struct {
	ClientID     string `mapstructure:"client_id"`
	ClientSecret string `mapstructure:"client_secret"`
	// TokenKey seals refresh tokens at rest: 32 bytes, base64 (openssl rand -base64 32).
	TokenKey string `mapstructure:"token_key"`
	// WebhookURL is where Google posts change notifications: the public
	// https URL of POST /api/v1/webhooks/google-calendar.
	WebhookURL string `mapstructure:"webhook_url"`
	// PollInterval is how often a calendar is read when no push arrives.
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// The Google endpoints; tests point them at a fake ("" for Google's).
	APIEndpoint string `mapstructure:"api_endpoint"`
	AuthURL     string `mapstructure:"auth_url"`
	TokenURL    string `mapstructure:"token_url"`
	RevokeURL   string `mapstructure:"revoke_url"`
}

// Enabled tells whether every setting the sync needs is there.
func (g GoogleCalendar) Enabled() bool {
	return g.ClientID != "" && g.ClientSecret != "" && g.TokenKey != "" && g.WebhookURL != ""
}

// Missing names the settings an operator must add to turn the sync on.
func (g GoogleCalendar) Missing() []string {
	var out []string
	for key, value := range map[string]string{"client_id": g.ClientID, "client_secret": g.ClientSecret, "token_key": g.TokenKey, "webhook_url": g.WebhookURL} {
		if value == "" {
			out = append(out, "google_calendar."+key)
		}
	}
	slices.Sort(out)
	return out
}

type OpenAI struct {
	APIKey  string        `mapstructure:"api_key"`
	BaseURL string        `mapstructure:"base_url"`
	Model   string        `mapstructure:"model"`
	Timeout time.Duration `mapstructure:"timeout"`
}

// Scan is the virus scanner uploads pass through.
type Scan struct {
	// ClamdAddress is "tcp://host:port" or "unix:///path"; `astralis dev` starts its own clamd when empty.
	ClamdAddress string `mapstructure:"clamd_address"`
	// Timeout bounds one scan; past it the scan counts as clamd being unavailable and is retried.
	Timeout time.Duration `mapstructure:"timeout"`
}

// Limits caps what one account, or one organisation, may do.
type Limits struct {
	// OrgsPerUser is how many organisations one user may create in all.
	OrgsPerUser int `mapstructure:"orgs_per_user"`
	// IntakePerSubmitter is how many new intake requests one member (with all
	// their tokens) may submit to one organisation per IntakePerSubmitterWindow.
	IntakePerSubmitter       int           `mapstructure:"intake_per_submitter"`
	IntakePerSubmitterWindow time.Duration `mapstructure:"intake_per_submitter_window"`
	// IntakePerOrg is how many new intake requests one organisation takes per
	// IntakePerOrgWindow from all its CLIENTs: staff (OPERATORs, ADMINs) are
	// not counted, so a CLIENT filling it cannot block them.
	IntakePerOrg       int           `mapstructure:"intake_per_org"`
	IntakePerOrgWindow time.Duration `mapstructure:"intake_per_org_window"`

	// Sign-in limits, per 15 minutes. Failures for one account from one IP
	// address stop a guesser without locking the owner out elsewhere; the
	// account-wide cap bounds guessing from many addresses. Browsers that
	// signed in to the account before are exempt from it (and from the per-IP
	// cap), limited by their own failures instead.
	SignInFailuresPerAccountAndIP int `mapstructure:"signin_failures_per_account_and_ip"`
	SignInFailuresPerAccount      int `mapstructure:"signin_failures_per_account"`
	SignInFailuresPerDevice       int `mapstructure:"signin_failures_per_device"`
	SignInAttemptsPerIP           int `mapstructure:"signin_attempts_per_ip"`

	// RoutingModelBytes is about how much memory one organisation's routing model may take.
	RoutingModelBytes int64 `mapstructure:"routing_model_bytes"`
	// RoutingCacheBytes is how much the parsed routing models kept between requests may take, in all.
	RoutingCacheBytes int64 `mapstructure:"routing_cache_bytes"`
	// RoutingImportBytes is the largest routing examples import body.
	RoutingImportBytes int64 `mapstructure:"routing_import_bytes"`
	// RoutingImportTimeout is how long an import's body may take to arrive.
	RoutingImportTimeout time.Duration `mapstructure:"routing_import_timeout"`
	// RoutingImportExamples is how many examples one import may hold.
	RoutingImportExamples int `mapstructure:"routing_import_examples"`
	// RoutingImports is how many imports one API process runs at a time (one per organisation).
	RoutingImports int `mapstructure:"routing_imports"`
}

// maxLimitWindow is the longest a limit's window may be: the Prune schedule
// deletes rate-limit windows that started more than a day ago.
const maxLimitWindow = 24 * time.Hour

// Dev configures `astralis dev`: where its embedded services keep data and listen.
type Dev struct {
	DataDir          string `mapstructure:"data_dir"`
	TemporalAddr     string `mapstructure:"temporal_addr"`
	TemporalUIAddr   string `mapstructure:"temporal_ui_addr"`
	PostgresPort     int    `mapstructure:"postgres_port"`
	EmbeddedTemporal bool   `mapstructure:"embedded_temporal"`
	// S3Addr is where the dev S3 server listens when storage.endpoint is empty (port 0 picks a free one).
	S3Addr string `mapstructure:"s3_addr"`
}

const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

var defaults = map[string]any{
	"env":                            EnvProduction,
	"http.addr":                      "127.0.0.1:8080",
	"http.metrics_addr":              "127.0.0.1:9090",
	"http.max_body_bytes":            int64(1 << 20),
	"documents.max_bytes":            int64(25 << 20),
	"documents.max_pages":            500,
	"documents.max_pixels":           int64(50_000_000),
	"documents.dpi":                  300,
	"documents.ocr_workers":          0,
	"documents.url_ttl":              5 * time.Minute,
	"documents.spool_dir":            "",
	"documents.cache_dir":            "",
	"http.shutdown_timeout":          5 * time.Second,
	"http.public_url":                "",
	"http.allowed_origins":           []string{},
	"http.trusted_proxies":           []string{},
	"auth.session_idle_timeout":      7 * 24 * time.Hour,
	"auth.session_lifetime":          30 * 24 * time.Hour,
	"smtp.host":                      "",
	"smtp.port":                      587,
	"smtp.username":                  "",
	"smtp.password":                  "",
	"smtp.tls":                       "starttls",
	"smtp.from":                      "AstralisOps <no-reply@astralis.localhost>",
	"google.client_id":               "",
	"google.client_secret":           "",
	"google.discovery_url":           "https://accounts.google.com/.well-known/openid-configuration",
	"google_calendar.client_id":      "",
	"google_calendar.client_secret":  "",
	"google_calendar.token_key":      "",
	"google_calendar.webhook_url":    "",
	"google_calendar.poll_interval":  15 * time.Minute,
	"google_calendar.api_endpoint":   "",
	"google_calendar.auth_url":       "",
	"google_calendar.token_url":      "",
	"google_calendar.revoke_url":     "",
	"database.url":                   "",
	"database.max_conns":             int32(10),
	"temporal.address":               "127.0.0.1:7233",
	"temporal.namespace":             "default",
	"temporal.api_key":               "",
	"temporal.tls":                   false,
	"temporal.ca_cert_file":          "",
	"temporal.client_cert_file":      "",
	"temporal.client_key_file":       "",
	"temporal.server_name":           "",
	"temporal.task_queue_prefix":     "",
	"log.level":                      "info",
	"log.format":                     "auto",
	"openai.api_key":                 "",
	"openai.base_url":                "",
	"openai.model":                   "gpt-4o-mini",
	"openai.timeout":                 15 * time.Second,
	"scan.clamd_address":             "",
	"scan.timeout":                   time.Minute,
	"dev.data_dir":                   ".data",
	"dev.temporal_addr":              "127.0.0.1:7233",
	"dev.temporal_ui_addr":           "127.0.0.1:8233",
	"dev.postgres_port":              54329,
	"dev.embedded_temporal":          true,
	"dev.s3_addr":                    "127.0.0.1:7070",
	"limits.orgs_per_user":           20,
	"limits.routing_model_bytes":     int64(8 << 20),
	"limits.routing_cache_bytes":     int64(64 << 20),
	"limits.routing_import_bytes":    int64(8 << 20),
	"limits.routing_import_timeout":  30 * time.Second,
	"limits.routing_import_examples": 20_000,
	"limits.routing_imports":         2,
	"storage.endpoint":               "",
	"storage.region":                 "",
	"storage.bucket":                 "astralis",
	"storage.access_key":             "",
	"storage.secret_key":             "",
	"storage.tls":                    true,
	"storage.path_style":             false,
	"storage.public_url":             "",

	"auth.known_device_lifetime":                180 * 24 * time.Hour,
	"auth.known_device_grace":                   2 * time.Minute,
	"limits.signin_failures_per_account_and_ip": 10,
	"limits.signin_failures_per_account":        100,
	"limits.signin_failures_per_device":         10,
	"limits.signin_attempts_per_ip":             100,

	// A web form or mail bridge posting as one member may send 30 at once; one organisation takes 600 an hour.
	"limits.intake_per_submitter":        30,
	"limits.intake_per_submitter_window": time.Minute,
	"limits.intake_per_org":              600,
	"limits.intake_per_org_window":       time.Hour,
}

// conventionalEnv lists the well-known variable names accepted beside ASTRALIS_*.
// The ASTRALIS_ name wins when both are set.
var conventionalEnv = map[string]string{
	"database.url":         "DATABASE_URL",
	"temporal.address":     "TEMPORAL_ADDRESS",
	"temporal.namespace":   "TEMPORAL_NAMESPACE",
	"temporal.api_key":     "TEMPORAL_API_KEY",
	"openai.api_key":       "OPENAI_API_KEY",
	"openai.base_url":      "OPENAI_BASE_URL",
	"openai.model":         "OPENAI_MODEL",
	"smtp.host":            "SMTP_HOST",
	"smtp.port":            "SMTP_PORT",
	"smtp.username":        "SMTP_USERNAME",
	"smtp.password":        "SMTP_PASSWORD",
	"google.client_id":     "GOOGLE_CLIENT_ID",
	"google.client_secret": "GOOGLE_CLIENT_SECRET",
}

// envName is a key's ASTRALIS_ variable: http.addr → ASTRALIS_HTTP_ADDR.
func envName(key string) string {
	return "ASTRALIS_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Options change where Load looks; the zero value reads ./astralis.yaml if present.
type Options struct {
	// File is an explicit config file; it must exist when set.
	File string
	// Defaults replace built-in defaults for one binary (`astralis dev` defaults to development);
	// the file and the environment still override them.
	Defaults map[string]any
}

// Defaults is the configuration as built in, before any file or
// environment: for tools and tests that need the defaults' values (the
// limits above all) without loading a configuration.
func Defaults() Config {
	v := viper.New()
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	var cfg Config
	if err := v.UnmarshalExact(&cfg); err != nil {
		panic(fmt.Sprintf("config: the built-in defaults do not decode: %v", err))
	}
	return cfg
}

// Load reads and validates the configuration. Every problem is reported, one per line.
func Load(opts Options) (Config, error) {
	v := viper.New()
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	for k, val := range opts.Defaults {
		v.SetDefault(k, val)
	}
	v.SetEnvPrefix("ASTRALIS")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	for key := range defaults {
		envs := []string{envName(key)}
		if name, ok := conventionalEnv[key]; ok {
			envs = append(envs, name)
		}
		if err := v.BindEnv(append([]string{key}, envs...)...); err != nil {
			return Config{}, fmt.Errorf("config: bind %s: %w", key, err)
		}
	}

	file := opts.File
	if file == "" {
		// Only astralis.yaml itself: viper's own search would also try to parse a file named "astralis", such as the binary.
		if _, err := os.Stat("astralis.yaml"); err == nil {
			file = "astralis.yaml"
		}
	}
	if file != "" {
		v.SetConfigFile(file)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return Config{}, fmt.Errorf("config: read %s: %w", file, err)
		}
	}

	var cfg Config
	if err := v.UnmarshalExact(&cfg); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	// Viper takes an empty variable for an unset one; for this key, empty means off.
	if val, ok := os.LookupEnv("ASTRALIS_HTTP_METRICS_ADDR"); ok && val == "" {
		cfg.HTTP.MetricsAddr = ""
	}
	if cfg.HTTP.PublicURL == "" && cfg.Env == EnvDevelopment {
		cfg.HTTP.PublicURL = defaultPublicURL(cfg.HTTP.Addr)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Validate returns one error line per problem found.
func (c Config) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if c.Env != EnvDevelopment && c.Env != EnvProduction {
		add("env: must be %q or %q, got %q", EnvDevelopment, EnvProduction, c.Env)
	}
	if d := c.Documents; d.MaxBytes <= 0 || d.MaxPages <= 0 || d.MaxPixels <= 0 || d.DPI < 72 || d.DPI > 600 || d.OCRWorkers < 0 || d.URLTTL <= 0 || d.URLTTL > 7*24*time.Hour {
		add("documents: max_bytes, max_pages and max_pixels must be positive, dpi 72–600, ocr_workers 0 or more, url_ttl up to 7 days (S3's limit)")
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Addr); err != nil {
		add("http.addr (ASTRALIS_HTTP_ADDR): %q is not host:port", c.HTTP.Addr)
	}
	if c.HTTP.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.HTTP.MetricsAddr); err != nil {
			add("http.metrics_addr (ASTRALIS_HTTP_METRICS_ADDR): %q is not host:port (empty turns metrics off)", c.HTTP.MetricsAddr)
		} else if c.HTTP.MetricsAddr == c.HTTP.Addr {
			add("http.metrics_addr (ASTRALIS_HTTP_METRICS_ADDR): must differ from http.addr: metrics are not served on the API listener")
		}
	}
	if c.HTTP.MaxBodyBytes <= 0 {
		add("http.max_body_bytes: must be positive")
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		add("http.shutdown_timeout: must be positive")
	}
	if u, err := url.Parse(c.HTTP.PublicURL); c.HTTP.PublicURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		add("http.public_url (ASTRALIS_HTTP_PUBLIC_URL): must be an absolute http(s) URL")
	}
	for _, origin := range c.HTTP.AllowedOrigins {
		if u, err := url.Parse(origin); err != nil || u.Host == "" || u.Path != "" {
			add("http.allowed_origins: %q is not an origin like https://app.example.com", origin)
		}
	}
	for _, p := range c.HTTP.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			add("http.trusted_proxies: %q is not an IP address or CIDR", p)
		}
	}
	if c.Auth.SessionIdleTimeout <= 0 || c.Auth.SessionLifetime < c.Auth.SessionIdleTimeout {
		add("auth.session_idle_timeout and auth.session_lifetime: positive, lifetime at least the idle timeout")
	}
	if c.Auth.KnownDeviceLifetime <= 0 {
		add("auth.known_device_lifetime (ASTRALIS_AUTH_KNOWN_DEVICE_LIFETIME): must be positive")
	}
	if c.Auth.KnownDeviceGrace <= 0 {
		add("auth.known_device_grace (ASTRALIS_AUTH_KNOWN_DEVICE_GRACE): must be positive")
	}
	if c.SMTP.Host != "" {
		if c.SMTP.Port < 1 || c.SMTP.Port > 65535 {
			add("smtp.port (SMTP_PORT): must be a TCP port")
		}
		switch c.SMTP.TLS {
		case "starttls", "tls", "none":
		default:
			add("smtp.tls: must be starttls, tls or none, got %q", c.SMTP.TLS)
		}
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			add("smtp.from: %q is not an email address", c.SMTP.From)
		}
	}
	if (c.Google.ClientID == "") != (c.Google.ClientSecret == "") {
		add("google.client_id and google.client_secret (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET): set both or neither")
	}
	if g := c.GoogleCalendar; g.TokenKey != "" {
		if key, err := base64.StdEncoding.DecodeString(g.TokenKey); err != nil || len(key) != 32 {
			add("google_calendar.token_key: must be 32 bytes in base64 (openssl rand -base64 32)")
		}
	}
	if g := c.GoogleCalendar; g.WebhookURL != "" {
		if u, err := url.Parse(g.WebhookURL); err != nil || u.Host == "" || (u.Scheme != "https" && c.Env == EnvProduction) {
			add("google_calendar.webhook_url: must be an absolute https URL (Google posts only to https)")
		}
	}
	if c.GoogleCalendar.PollInterval < time.Minute {
		add("google_calendar.poll_interval: must be at least a minute")
	}
	if c.Database.URL != "" {
		if u, err := url.Parse(c.Database.URL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			add("database.url (DATABASE_URL): must be a postgres:// URL")
		}
	} else if c.Env == EnvProduction {
		add("database.url (DATABASE_URL): required")
	}
	if c.Database.MaxConns < 1 {
		add("database.max_conns: must be at least 1")
	}
	if _, _, err := net.SplitHostPort(c.Temporal.Address); err != nil {
		add("temporal.address (TEMPORAL_ADDRESS): %q is not host:port", c.Temporal.Address)
	}
	if c.Temporal.Namespace == "" {
		add("temporal.namespace (TEMPORAL_NAMESPACE): required")
	}
	if (c.Temporal.ClientCertFile == "") != (c.Temporal.ClientKeyFile == "") {
		add("temporal.client_cert_file and temporal.client_key_file: set both or neither")
	}
	for key, path := range map[string]string{
		"temporal.ca_cert_file":     c.Temporal.CACertFile,
		"temporal.client_cert_file": c.Temporal.ClientCertFile,
		"temporal.client_key_file":  c.Temporal.ClientKeyFile,
	} {
		if path == "" {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			add("%s: %v", key, err)
		}
	}
	if _, err := ParseLevel(c.Log.Level); err != nil {
		add("log.level (ASTRALIS_LOG_LEVEL): %v", err)
	}
	switch c.Log.Format {
	case "auto", "json", "text":
	default:
		add("log.format (ASTRALIS_LOG_FORMAT): must be auto, json or text, got %q", c.Log.Format)
	}
	if c.OpenAI.Timeout <= 0 {
		add("openai.timeout: must be positive")
	}
	if c.Scan.ClamdAddress != "" {
		if _, _, err := virusscan.ParseAddress(c.Scan.ClamdAddress); err != nil {
			add("scan.clamd_address (ASTRALIS_SCAN_CLAMD_ADDRESS): must be tcp://host:port or unix:///path, got %q", c.Scan.ClamdAddress)
		}
	}
	if c.Scan.Timeout <= 0 {
		add("scan.timeout: must be positive")
	}
	if c.OpenAI.BaseURL != "" {
		if u, err := url.Parse(c.OpenAI.BaseURL); err != nil || u.Host == "" {
			add("openai.base_url (OPENAI_BASE_URL): must be an absolute URL")
		}
	}
	for _, l := range []struct {
		key      string
		value    int64
		smallest int64
	}{
		{"orgs_per_user", int64(c.Limits.OrgsPerUser), 1},
		{"routing_model_bytes", c.Limits.RoutingModelBytes, 64 << 10},
		{"routing_cache_bytes", c.Limits.RoutingCacheBytes, 1 << 20},
		{"routing_import_bytes", c.Limits.RoutingImportBytes, 64 << 10},
		{"routing_import_examples", int64(c.Limits.RoutingImportExamples), 1},
		{"routing_imports", int64(c.Limits.RoutingImports), 1},
		{"signin_failures_per_account_and_ip", int64(c.Limits.SignInFailuresPerAccountAndIP), 1},
		{"signin_failures_per_account", int64(c.Limits.SignInFailuresPerAccount), 1},
		{"signin_failures_per_device", int64(c.Limits.SignInFailuresPerDevice), 1},
		{"signin_attempts_per_ip", int64(c.Limits.SignInAttemptsPerIP), 1},
	} {
		if l.value < l.smallest {
			add("limits.%s (ASTRALIS_LIMITS_%s): must be at least %d, got %d", l.key, strings.ToUpper(l.key), l.smallest, l.value)
		}
	}
	for _, l := range []struct {
		key    string
		max    int
		window time.Duration
	}{
		{"limits.intake_per_submitter", c.Limits.IntakePerSubmitter, c.Limits.IntakePerSubmitterWindow},
		{"limits.intake_per_org", c.Limits.IntakePerOrg, c.Limits.IntakePerOrgWindow},
	} {
		if l.max < 1 {
			add("%s (%s): must be at least 1, got %d", l.key, envName(l.key), l.max)
		}
		if l.window < time.Second || l.window > maxLimitWindow {
			add("%s_window (%s_WINDOW): must be from 1s to 24h, got %s", l.key, envName(l.key), l.window)
		}
	}
	if c.Limits.RoutingCacheBytes < 2*c.Limits.RoutingModelBytes {
		add("limits.routing_cache_bytes (ASTRALIS_LIMITS_ROUTING_CACHE_BYTES): must be at least twice limits.routing_model_bytes (%d), got %d: a model takes up to that cap plus its pipelines' descriptions, and a cache with room for one model reloads it whenever another organisation classifies", c.Limits.RoutingModelBytes, c.Limits.RoutingCacheBytes)
	}
	if c.Limits.RoutingImportTimeout < time.Second {
		add("limits.routing_import_timeout (ASTRALIS_LIMITS_ROUTING_IMPORT_TIMEOUT): must be at least 1s, got %s", c.Limits.RoutingImportTimeout)
	}
	if c.Storage.Endpoint != "" {
		for _, problem := range c.Storage.Problems("storage.") {
			add("%s", problem)
		}
	}
	if c.Env == EnvDevelopment {
		if c.Dev.DataDir == "" {
			add("dev.data_dir: required")
		}
		for key, addr := range map[string]string{"dev.temporal_addr": c.Dev.TemporalAddr, "dev.temporal_ui_addr": c.Dev.TemporalUIAddr, "dev.s3_addr": c.Dev.S3Addr} {
			if _, _, err := net.SplitHostPort(addr); err != nil {
				add("%s: %q is not host:port", key, addr)
			}
		}
		if c.Dev.PostgresPort < 1 || c.Dev.PostgresPort > 65535 {
			add("dev.postgres_port: must be a TCP port")
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("invalid configuration:\n  - %s", strings.Join(problems, "\n  - "))
}

// defaultPublicURL is the API's own address, with a wildcard host replaced by loopback.
func defaultPublicURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "" // Validate reports the address
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// ReadyToServe adds what the API and the worker need in production to the
// format checks of Validate (one-shot commands such as migrate do not need it).
func (c Config) ReadyToServe() error {
	if c.Env != EnvProduction {
		return nil
	}
	var problems []string
	if c.HTTP.PublicURL == "" {
		problems = append(problems, "http.public_url (ASTRALIS_HTTP_PUBLIC_URL): required in production: the URL people use (links in emails, the allowed Origin)")
	}
	if c.SMTP.Host == "" {
		problems = append(problems, "smtp.host (SMTP_HOST): required in production: verification, reset and invitation mail go out through it")
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("invalid configuration:\n  - %s", strings.Join(problems, "\n  - "))
}

// ParseLevel turns a level name into a slog.Level.
func ParseLevel(name string) (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(name)); err != nil {
		return 0, fmt.Errorf("unknown level %q (debug, info, warn, error)", name)
	}
	return level, nil
}

const redacted = "[REDACTED]"

// LogValue makes the config safe to log: secrets are replaced and the
// database URL loses its password.
func (c Config) LogValue() slog.Value {
	secret := func(s string) string {
		if s == "" {
			return ""
		}
		return redacted
	}
	return slog.GroupValue(
		slog.String("env", c.Env),
		slog.String("http.addr", c.HTTP.Addr),
		slog.String("http.metrics_addr", c.HTTP.MetricsAddr),
		slog.String("database.url", RedactURL(c.Database.URL)),
		slog.String("temporal.address", c.Temporal.Address),
		slog.String("temporal.namespace", c.Temporal.Namespace),
		slog.Bool("temporal.tls", c.Temporal.TLS),
		slog.String("temporal.api_key", secret(c.Temporal.APIKey)),
		slog.String("openai.api_key", secret(c.OpenAI.APIKey)),
		slog.String("smtp.host", c.SMTP.Host),
		slog.String("smtp.password", secret(c.SMTP.Password)),
		slog.String("google.client_id", c.Google.ClientID),
		slog.String("google.client_secret", secret(c.Google.ClientSecret)),
		slog.String("google_calendar.client_id", c.GoogleCalendar.ClientID),
		slog.String("google_calendar.client_secret", secret(c.GoogleCalendar.ClientSecret)),
		slog.String("google_calendar.token_key", secret(c.GoogleCalendar.TokenKey)),
		slog.String("google_calendar.webhook_url", c.GoogleCalendar.WebhookURL),
		slog.String("openai.base_url", c.OpenAI.BaseURL),
		slog.String("openai.model", c.OpenAI.Model),
		slog.String("log.level", c.Log.Level),
		slog.String("scan.clamd_address", c.Scan.ClamdAddress),
		slog.String("storage.endpoint", c.Storage.Endpoint),
		slog.String("storage.bucket", c.Storage.Bucket),
		slog.String("storage.access_key", c.Storage.AccessKey),
		slog.String("storage.secret_key", secret(c.Storage.SecretKey)),
	)
}

// Origins are the origins allowed to make cookie-authenticated changes: the
// public URL's and the configured ones.
func (c Config) Origins() []string {
	origins := append([]string{}, c.HTTP.AllowedOrigins...)
	if u, err := url.Parse(c.HTTP.PublicURL); err == nil {
		origins = append(origins, u.Scheme+"://"+u.Host)
	}
	return origins
}

// RedactURL removes the password from a URL so it can be logged or shown.
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	q := u.Query()
	for key := range q {
		if strings.Contains(strings.ToLower(key), "password") || strings.EqualFold(key, "sslkey") {
			q.Set(key, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}
