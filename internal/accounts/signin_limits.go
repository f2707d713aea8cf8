package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/store"
)

// Sign-in limits. Guessing is limited per account and source, so whoever
// guesses someone's password from one address (an IPv6 /64) only locks
// himself out. Failures for an account from everywhere together have a much
// higher cap, against guessing from many addresses; browsers that have signed
// in to the account before (known devices) are exempt from it, and from the
// per-address caps, and limited by their own failures instead. Failures per
// account are counted whether or not the account exists, so no limit tells
// which emails are registered.

const signInWindow = 15 * time.Minute

// SignInLimits are the sign-in abuse limits (limits.signin_*, each per 15
// minutes), how long a known device is remembered
// (auth.known_device_lifetime), and how long a browser's previous secret
// stays valid after it signs in (auth.known_device_grace). internal/config
// holds their defaults.
type SignInLimits struct {
	FailuresPerAccountAndIP int
	FailuresPerAccount      int
	FailuresPerDevice       int
	AttemptsPerIP           int
	KnownDeviceLifetime     time.Duration
	KnownDeviceGrace        time.Duration
}

type signInPolicy struct {
	perIP, perAccountAndIP, perAccount, perDevice ratelimit.Rule
	deviceLifetime, deviceGrace                   time.Duration
}

var errSignInNotConfigured = errors.New("accounts: sign-in limits are not set (SetSignInLimits)")

// SetSignInLimits sets the sign-in limits; each must be at least 1 and the
// lifetime and grace positive. Until they are set, sign-ins and resets fail.
func (s *Service) SetSignInLimits(l SignInLimits) error {
	if min(l.FailuresPerAccountAndIP, l.FailuresPerAccount, l.FailuresPerDevice, l.AttemptsPerIP) < 1 || l.KnownDeviceLifetime <= 0 || l.KnownDeviceGrace <= 0 {
		return fmt.Errorf("accounts: every sign-in limit must be at least 1 and the known-device lifetime and grace positive: %+v", l)
	}
	rule := func(name string, n int) ratelimit.Rule {
		return ratelimit.Rule{Name: name, Max: n, Window: signInWindow}
	}
	s.signIn = signInPolicy{
		perIP:           rule("signin-ip", l.AttemptsPerIP),
		perAccountAndIP: rule("signin-account-ip", l.FailuresPerAccountAndIP),
		perAccount:      rule("signin-account", l.FailuresPerAccount),
		perDevice:       rule("signin-device", l.FailuresPerDevice),
		deviceLifetime:  l.KnownDeviceLifetime,
		deviceGrace:     l.KnownDeviceGrace,
	}
	return nil
}

func (p signInPolicy) configured() bool { return p.deviceLifetime > 0 }

// signInLimit is one limit a sign-in attempt counts against.
type signInLimit struct {
	rule    ratelimit.Rule
	subject string
	what    string // "too many <what>"
	// audited: the attempt targets an account, whose owner sees it in their history.
	audited bool
	// onSuccess is what a successful sign-in does to the count; zero: nothing,
	// it counts like any attempt (per address: a limit of attempts).
	onSuccess successEffect
}

type successEffect int

const (
	// refundHit: the success's own hit is taken back, the failures stay (account-wide:
	// the owner signing in must not give guessers elsewhere a fresh start).
	refundHit successEffect = iota + 1
	// clearCount: the success forgets the count, which only this source (its
	// address, or its browser) adds to.
	clearCount
)

// signInLimits are the limits an attempt on account (lower-cased email) counts
// against: those of the known device knownAs (uuid.Nil: the browser is not
// known for the account), or those of the client's address.
func (s *Service) signInLimits(account string, c Client, knownAs uuid.UUID) []signInLimit {
	if knownAs != uuid.Nil {
		return []signInLimit{{rule: s.signIn.perDevice, subject: knownAs.String(), what: "failed sign-ins from this browser", audited: true, onSuccess: clearCount}}
	}
	return []signInLimit{
		{rule: s.signIn.perIP, subject: c.source(), what: "sign-in attempts from this address"},
		{rule: s.signIn.perAccountAndIP, subject: accountAndSource(account, c), what: "failed sign-ins for this account from this address", audited: true, onSuccess: clearCount},
		{rule: s.signIn.perAccount, subject: account, what: "failed sign-ins for this account; sign in from a browser you used before, or reset the password", audited: true, onSuccess: refundHit},
	}
}

// accountAndSource is the subject of the per-account-and-address limit. A
// source has no spaces, so the pair is unambiguous.
func accountAndSource(account string, c Client) string {
	return c.source() + " " + strings.ToLower(account)
}

// knownDeviceID is the id under which the browser presenting secret knows
// userID, or uuid.Nil when it does not (also for an unknown email, userID
// uuid.Nil: the same query runs either way). The id stays when the browser's
// secret changes, so its failures are counted under it.
func (s *Service) knownDeviceID(ctx context.Context, secret string, userID uuid.UUID) (uuid.UUID, error) {
	if secret == "" {
		return uuid.Nil, nil
	}
	id, err := s.q.KnownDeviceID(ctx, store.KnownDeviceIDParams{TokenHash: auth.HashToken(secret), UserID: userID})
	if isNoRows(err) {
		return uuid.Nil, nil
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("accounts: known device: %w", err)
	}
	return id, nil
}

// KnownDevice is the cookie a browser keeps after signing in.
type KnownDevice struct {
	Secret  string
	Expires time.Time
}

// RememberDevice records that the browser presenting secret (empty for none)
// has signed in to userID, and returns the cookie it keeps.
func (s *Service) RememberDevice(ctx context.Context, userID uuid.UUID, secret string) (KnownDevice, error) {
	var d KnownDevice
	err := s.inTx(ctx, func(q *store.Queries) error {
		var err error
		d, err = s.rememberDevice(ctx, q, userID, secret)
		return err
	})
	return d, err
}

// maxCopiedDevices is how many of the accounts a browser's old secret knows
// its new one knows too: those signed in to most recently. Replaying an old
// secret that knows many accounts adds at most this many rows a sign-in.
const maxCopiedDevices = 20

// rememberDevice makes the browser presenting secret a known device of userID,
// with q, under a new secret at every sign-in. An account the browser knows
// is known to the new secret under its id (its failures stay counted under
// it), and every other secret knowing that account and id ends within the
// grace period: a copy of the cookie taken before is worth nothing for the
// account soon after its browser signs in again, while the browser itself
// stays known if it never received the new secret (a lost answer) or another
// tab signed in with the same old secret meanwhile. Any other account gets a
// new id: a secret planted in the browser beforehand does not become known
// for userID. The new secret also knows the accounts the old one used most
// recently (maxCopiedDevices), under their ids and until their ends, which
// the old secret keeps: whoever else holds it (a copy) takes nothing from
// this browser by signing in to another account with it.
func (s *Service) rememberDevice(ctx context.Context, q *store.Queries, userID uuid.UUID, secret string) (KnownDevice, error) {
	if !s.signIn.configured() {
		return KnownDevice{}, errSignInNotConfigured
	}
	now := time.Now()
	expires := now.Add(s.signIn.deviceLifetime)
	next, nextHash := auth.NewToken(auth.DeviceTokenPrefix)
	renewed := false
	if secret != "" {
		oldHash := auth.HashToken(secret)
		id, err := q.RenewKnownDevice(ctx, store.RenewKnownDeviceParams{NewHash: nextHash, ExpiresAt: expires, OldHash: oldHash, UserID: userID})
		switch {
		case err == nil:
			renewed = true
			if err := q.EndKnownDeviceCopies(ctx, store.EndKnownDeviceCopiesParams{GraceUntil: now.Add(s.signIn.deviceGrace), UserID: userID, ID: id, KeepHash: nextHash}); err != nil {
				return KnownDevice{}, fmt.Errorf("accounts: end known device copies: %w", err)
			}
		case !isNoRows(err):
			return KnownDevice{}, fmt.Errorf("accounts: renew known device: %w", err)
		}
		if err := q.CopyKnownDevices(ctx, store.CopyKnownDevicesParams{NewHash: nextHash, OldHash: oldHash, MaxRows: maxCopiedDevices}); err != nil {
			return KnownDevice{}, fmt.Errorf("accounts: copy known devices: %w", err)
		}
	}
	if !renewed {
		if err := q.RememberDevice(ctx, store.RememberDeviceParams{TokenHash: nextHash, UserID: userID, ExpiresAt: expires}); err != nil {
			return KnownDevice{}, fmt.Errorf("accounts: remember device: %w", err)
		}
	}
	return KnownDevice{Secret: next, Expires: expires}, nil
}
