// Package accounts is identity and tenancy: users and their credentials,
// organisations, memberships and roles, invitations and API tokens. Every
// security-relevant change is written to the audit log in the same transaction.
package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/store"
)

// Mailer hands mail to workflows: delivery of a message already in the outbox
// (SendEmail), and forgot-password requests (PasswordReset).
type Mailer interface {
	Dispatch(ctx context.Context, outboxID string) error
	// StartPasswordReset hands stored forgot-password request id to its workflow.
	StartPasswordReset(ctx context.Context, id uuid.UUID) error
}

// Client says where a request came from, for the audit log and abuse limits.
type Client struct {
	IP        string
	UserAgent string
}

// source is what per-address abuse limits count the client as: its IPv4
// address, or its IPv6 address's /64.
func (c Client) source() string { return ratelimit.Source(c.IP) }

// Service implements the account and organisation use cases.
type Service struct {
	pool      *pgxpool.Pool
	q         *store.Queries
	mailer    Mailer
	limiter   *ratelimit.Limiter
	publicURL *url.URL
	logger    *slog.Logger
	// orgsPerUser caps the organisations one user creates (limits.orgs_per_user).
	orgsPerUser int
	// signIn holds the sign-in limits and how long known devices are remembered (SetSignInLimits).
	signIn signInPolicy
}

// How long emailed links stay valid.
const (
	VerifyTokenTTL = 48 * time.Hour
	ResetTokenTTL  = time.Hour
	InvitationTTL  = 14 * 24 * time.Hour
)

// Abuse limits, per address (Client.source) or per email; the sign-in limits are in signin_limits.go.
var (
	SignUpPerIP        = ratelimit.Rule{Name: "signup-ip", Max: 20, Window: time.Hour}
	ResetPerIP         = ratelimit.Rule{Name: "reset-ip", Max: 20, Window: time.Hour}
	ResetMailPerEmail  = ratelimit.Rule{Name: "reset-email", Max: 3, Window: time.Hour}
	VerifyAttemptPerIP = ratelimit.Rule{Name: "verify-ip", Max: 50, Window: time.Hour}
	// Mails to one address about sign-up attempts; more are dropped silently.
	SignUpMailPerEmail = ratelimit.Rule{Name: "signup-email", Max: 3, Window: time.Hour}
)

func New(pool *pgxpool.Pool, mailer Mailer, limiter *ratelimit.Limiter, publicURL string, logger *slog.Logger) (*Service, error) {
	u, err := url.Parse(publicURL)
	if err != nil {
		return nil, fmt.Errorf("accounts: public URL: %w", err)
	}
	return &Service{pool: pool, q: store.New(pool), mailer: mailer, limiter: limiter, publicURL: u, logger: logger, orgsPerUser: DefaultOrgsPerUser}, nil
}

// inTx runs fn in a transaction with queries bound to it.
func (s *Service) inTx(ctx context.Context, fn func(q *store.Queries) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(store.New(tx)) })
}

// link builds a link into the web UI with a query.
func (s *Service) link(path string, query url.Values) string {
	u := *s.publicURL
	u.Path = path
	u.RawQuery = query.Encode()
	return u.String()
}

// enqueue renders a mail into the outbox with q, normally inside the
// transaction of the change that causes it, so the two commit together.
func (s *Service) enqueue(ctx context.Context, q *store.Queries, by mail.Deliverer, template, to string, data any) (string, error) {
	msg, err := mail.Render(template, to, data)
	if err != nil {
		return "", err
	}
	return mail.Enqueue(ctx, q, msg, by)
}

// dispatch starts delivery of committed outbox mail (see mail.DispatchCommitted).
func (s *Service) dispatch(ctx context.Context, ids ...string) {
	mail.DispatchCommitted(ctx, s.mailer, s.logger, ids...)
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

func formatTTL(d time.Duration) string {
	if d >= 24*time.Hour {
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	if d >= time.Hour {
		return fmt.Sprintf("%d hour(s)", int(d/time.Hour))
	}
	return d.String()
}
