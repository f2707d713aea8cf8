package accounts

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/store"
)

// Sign-in limits. Guessing is limited per account and source, so whoever
// guesses someone's password from one address only locks himself out. Failures
// for an account from everywhere together have a much higher cap, against
// guessing from many addresses; browsers that have signed in to the account
// before (known devices) are exempt from it, and from the per-address cap,
// and limited by their own failures instead. Failures per account are counted
// whether or not the account exists, so no limit tells which emails are registered.
var (
	SignInPerIP                   = ratelimit.Rule{Name: "signin-ip", Max: 100, Window: signInWindow}
	SignInFailuresPerAccountAndIP = ratelimit.Rule{Name: "signin-account-ip", Max: 10, Window: signInWindow}
	SignInFailuresPerAccount      = ratelimit.Rule{Name: "signin-account", Max: 100, Window: signInWindow}
	SignInFailuresPerDevice       = ratelimit.Rule{Name: "signin-device", Max: 10, Window: signInWindow}
)

const signInWindow = 15 * time.Minute

// DefaultKnownDeviceLifetime is auth.known_device_lifetime's default.
const DefaultKnownDeviceLifetime = 180 * 24 * time.Hour

// SignInLimits configures sign-in abuse limits (limits.signin_*, per 15
// minutes) and how long a known device is remembered
// (auth.known_device_lifetime). Zero values keep the defaults.
type SignInLimits struct {
	FailuresPerAccountAndIP int
	FailuresPerAccount      int
	FailuresPerDevice       int
	AttemptsPerIP           int
	KnownDeviceLifetime     time.Duration
}

type signInPolicy struct {
	perIP, perAccountAndIP, perAccount, perDevice ratelimit.Rule
	deviceLifetime                                time.Duration
}

var defaultSignInPolicy = signInPolicy{
	perIP: SignInPerIP, perAccountAndIP: SignInFailuresPerAccountAndIP, perAccount: SignInFailuresPerAccount, perDevice: SignInFailuresPerDevice,
	deviceLifetime: DefaultKnownDeviceLifetime,
}

// SetSignInLimits replaces the default sign-in limits with the configured ones.
func (s *Service) SetSignInLimits(l SignInLimits) {
	setMax := func(r *ratelimit.Rule, n int) {
		if n >= 1 {
			r.Max = n
		}
	}
	setMax(&s.signIn.perAccountAndIP, l.FailuresPerAccountAndIP)
	setMax(&s.signIn.perAccount, l.FailuresPerAccount)
	setMax(&s.signIn.perDevice, l.FailuresPerDevice)
	setMax(&s.signIn.perIP, l.AttemptsPerIP)
	if l.KnownDeviceLifetime > 0 {
		s.signIn.deviceLifetime = l.KnownDeviceLifetime
	}
}

// signInLimit is one limit a sign-in attempt counts against.
type signInLimit struct {
	rule    ratelimit.Rule
	subject string
	what    string // "too many <what>"
	// audited: the attempt targets an account, whose owner sees it in their history.
	audited bool
	// clearedBySuccess: a successful sign-in forgets the count. Not so per IP
	// (signing in to one's own account must not buy guesses at others) nor per
	// account (the owner signing in must not give guessers elsewhere a fresh start).
	clearedBySuccess bool
}

// signInLimits are the limits an attempt on account (lower-cased email) counts
// against: a known device's own, or those of the address it comes from.
func (s *Service) signInLimits(account, ip, device string, known bool) []signInLimit {
	if known {
		return []signInLimit{{rule: s.signIn.perDevice, subject: deviceKey(device), what: "failed sign-ins from this browser", audited: true, clearedBySuccess: true}}
	}
	return []signInLimit{
		{rule: s.signIn.perIP, subject: ip, what: "sign-in attempts from this address"},
		{rule: s.signIn.perAccountAndIP, subject: accountAndIP(account, ip), what: "failed sign-ins for this account from this address", audited: true, clearedBySuccess: true},
		{rule: s.signIn.perAccount, subject: account, what: "failed sign-ins for this account; sign in from a browser you used before, or reset the password", audited: true},
	}
}

// accountAndIP is the subject of the per-account-and-IP limit. An IP address
// has no spaces, so the pair is unambiguous.
func accountAndIP(account, ip string) string { return ip + " " + account }

// deviceKey names a known device in rate-limit keys without its secret.
func deviceKey(secret string) string { return hex.EncodeToString(auth.HashToken(secret)) }

// isKnownDevice reports whether the browser's device secret has signed in to
// userID (uuid.Nil for an unknown email: the same query runs either way).
func (s *Service) isKnownDevice(ctx context.Context, secret string, userID uuid.UUID) (bool, error) {
	if secret == "" {
		return false, nil
	}
	known, err := s.q.IsKnownDevice(ctx, store.IsKnownDeviceParams{TokenHash: auth.HashToken(secret), UserID: userID})
	if err != nil {
		return false, fmt.Errorf("accounts: known device: %w", err)
	}
	return known, nil
}

// KnownDevice is the cookie a browser keeps after signing in.
type KnownDevice struct {
	Secret  string
	Expires time.Time
}

// RememberDevice records that the browser presenting secret (empty for none)
// has signed in to userID. The browser gets a new secret, which keeps the
// accounts the old one knew: a secret planted in the browser beforehand is
// worth nothing afterwards.
func (s *Service) RememberDevice(ctx context.Context, userID uuid.UUID, secret string) (KnownDevice, error) {
	next, nextHash := auth.NewToken(auth.DeviceTokenPrefix)
	expires := time.Now().Add(s.signIn.deviceLifetime)
	err := s.inTx(ctx, func(q *store.Queries) error {
		if secret != "" {
			if err := q.RenameKnownDevice(ctx, store.RenameKnownDeviceParams{NewHash: nextHash, OldHash: auth.HashToken(secret)}); err != nil {
				return err
			}
		}
		return q.RememberDevice(ctx, store.RememberDeviceParams{TokenHash: nextHash, UserID: userID, ExpiresAt: expires})
	})
	if err != nil {
		return KnownDevice{}, fmt.Errorf("accounts: remember device: %w", err)
	}
	return KnownDevice{Secret: next, Expires: expires}, nil
}
