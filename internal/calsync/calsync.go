// Package calsync keeps operators' Google Calendars and the product in step:
// the OAuth connection (refresh tokens sealed at rest), one sync step of the
// CalendarSyncWorkflow (external events as busy time, our booking events'
// changes followed back), the push channel and its webhook, and writing
// bookings to the calendar. Every method scopes its queries by organisation.
package calsync

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/oauth2"

	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/gcal"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Config is what the sync needs from the deployment's configuration.
type Config struct {
	ClientID, ClientSecret string
	// TokenKey seals refresh tokens: 32 bytes (AES-256-GCM).
	TokenKey []byte
	// WebhookURL is where Google posts change notifications.
	WebhookURL string
	// RedirectURL is where Google sends the operator back after consent.
	RedirectURL string
	// Google's endpoints; "" for Google's own (tests use a fake).
	APIEndpoint, AuthURL, TokenURL, RevokeURL string
	// PollInterval is how often a calendar is read when no push comes.
	PollInterval time.Duration
	// HTTPClient carries every call to Google (nil: http.DefaultClient).
	HTTPClient *http.Client
}

// BookingChanger changes a booking through its workflow: the validated path
// the API uses (reminders move, the client is mailed).
type BookingChanger interface {
	Reschedule(ctx context.Context, org, booking uuid.UUID, start time.Time, updateID string) error
	Cancel(ctx context.Context, org, booking uuid.UUID, reason, updateID string) error
}

// Service is the calendar sync for every organisation. Without its
// settings it is off: it shows that, and refuses to connect.
type Service struct {
	missing  []string // the settings that would turn it on
	pool     *pgxpool.Pool
	q        *store.Queries
	cfg      Config
	oauth    *oauth2.Config
	seal     cipher.AEAD
	bookings *bookings.Service
	changer  BookingChanger
	now      func() time.Time
}

// New returns the sync service; missing names the settings absent (it is
// then off); changer may be nil in processes that do not sync (the API).
func New(pool *pgxpool.Pool, cfg Config, missing []string, bookingsService *bookings.Service, changer BookingChanger) (*Service, error) {
	s := &Service{missing: missing, pool: pool, q: store.New(pool), bookings: bookingsService, changer: changer, now: time.Now}
	if len(missing) > 0 {
		return s, nil
	}
	block, err := aes.NewCipher(cfg.TokenKey)
	if err != nil {
		return nil, fmt.Errorf("calsync: token key: %w", err)
	}
	seal, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("calsync: token key: %w", err)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 15 * time.Minute
	}
	s.cfg, s.seal = cfg, seal
	s.oauth = gcal.OAuthConfig(cfg.ClientID, cfg.ClientSecret, cfg.RedirectURL, cfg.AuthURL, cfg.TokenURL)
	return s, nil
}

// checkEnabled refuses work that needs Google when the sync is off.
func (s *Service) checkEnabled() error {
	if len(s.missing) > 0 {
		return problem.New(problem.ErrUnavailable, "Google Calendar sync is off on this server: its administrator sets "+strings.Join(s.missing, ", "))
	}
	return nil
}

// httpContext carries the configured HTTP client to the oauth2 package.
func (s *Service) httpContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, s.cfg.HTTPClient)
}

// PollInterval is how often the workflow reads the calendar without a push.
func (s *Service) PollInterval() time.Duration { return s.cfg.PollInterval }

// sealToken encrypts a refresh token for its row: the organisation and
// operator are its additional data, so a sealed token moved to another row does not open.
func (s *Service) sealToken(org, user uuid.UUID, token string) []byte {
	nonce := make([]byte, s.seal.NonceSize())
	_, _ = rand.Read(nonce)
	return s.seal.Seal(nonce, nonce, []byte(token), rowData(org, user))
}

// errSealedToken: a stored refresh token does not open with this key (the key changed).
var errSealedToken = errors.New("calsync: the refresh token does not open with this token key")

func (s *Service) openToken(org, user uuid.UUID, sealed []byte) (string, error) {
	n := s.seal.NonceSize()
	if len(sealed) < n {
		return "", errSealedToken
	}
	plain, err := s.seal.Open(nil, sealed[:n], sealed[n:], rowData(org, user))
	if err != nil {
		return "", errSealedToken
	}
	return string(plain), nil
}

func rowData(org, user uuid.UUID) []byte { return append(org[:], user[:]...) }

// client is the calendar of a connection, through an OAuth client that
// refreshes its access token from the sealed refresh token.
func (s *Service) client(ctx context.Context, conn store.CalendarConnection) (*gcal.Client, error) {
	refresh, err := s.openToken(conn.OrgID, conn.UserID, conn.RefreshToken)
	if err != nil {
		return nil, err
	}
	ctx = s.httpContext(ctx)
	httpClient := s.oauth.Client(ctx, &oauth2.Token{RefreshToken: refresh})
	return gcal.New(ctx, httpClient, s.cfg.APIEndpoint, conn.CalendarID)
}

// source names the connection's busy time in external_busy.
func source(conn store.CalendarConnection) string { return "google:" + conn.CalendarID }

var errNotConnected = problem.New(problem.ErrNotFound, "this operator has no connected Google Calendar")

func (s *Service) connection(ctx context.Context, org, user uuid.UUID) (store.CalendarConnection, error) {
	conn, err := s.q.CalendarConnection(ctx, store.CalendarConnectionParams{OrgID: org, UserID: user})
	if errors.Is(err, pgx.ErrNoRows) {
		return conn, errNotConnected
	}
	if err != nil {
		return conn, fmt.Errorf("calsync: connection: %w", err)
	}
	return conn, nil
}

func (s *Service) inTx(ctx context.Context, fn func(q *store.Queries) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(store.New(tx)) })
}
