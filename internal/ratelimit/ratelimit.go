// Package ratelimit counts attempts in windows stored in PostgreSQL, so every
// API replica sees the same counts. A key's window starts at its first hit and
// lasts the rule's Window; the first hit after it starts the next. (Windows on
// the clock's marks let a limit's worth through on each side of a mark.)
package ratelimit

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Rule allows Max hits per Window for one key.
type Rule struct {
	Name   string
	Max    int
	Window time.Duration
}

// Limiter applies rules against the rate_limit_windows table.
type Limiter struct {
	q   *store.Queries
	now func() time.Time
}

func New(pool *pgxpool.Pool) *Limiter {
	return &Limiter{q: store.New(pool), now: time.Now}
}

// InTx counts hits inside tx: they commit or roll back with it, so a caller
// that refuses an over-limit change leaves no hit behind.
func (l *Limiter) InTx(tx pgx.Tx) *Limiter {
	return &Limiter{q: l.q.WithTx(tx), now: l.now}
}

func (r Rule) key(subject string) string { return r.Name + ":" + subject }

// endedIfStartedBy is the latest start of a window of r that has ended at now.
func endedIfStartedBy(r Rule, now time.Time) time.Time { return now.Add(-r.Window) }

// retryAfter is how long until the window of r that started at start ends.
func retryAfter(r Rule, start, now time.Time) time.Duration {
	return max(start.Add(r.Window).Sub(now), time.Second)
}

// Hit is one counted hit.
type Hit struct {
	// Allowed: the hit is within the limit.
	Allowed bool
	// RetryAfter is how long until the hit's window ends.
	RetryAfter time.Duration
	// window is when the hit's window started: Refund takes the hit back from it.
	window time.Time
}

// Allow counts a hit and reports whether it is within the limit, and how long
// until its window ends.
func (l *Limiter) Allow(ctx context.Context, r Rule, subject string) (Hit, error) {
	now := l.now()
	w, err := l.q.HitRateLimit(ctx, store.HitRateLimitParams{Key: r.key(subject), Now: now, EndedIfStartedBy: endedIfStartedBy(r, now)})
	if err != nil {
		return Hit{}, fmt.Errorf("ratelimit: %w", err)
	}
	return Hit{Allowed: int(w.Count) <= r.Max, RetryAfter: retryAfter(r, w.WindowStart, now), window: w.WindowStart}, nil
}

// Refused is the answer to a request over a limit: 429 with Retry-After
// (retry: until the window ends) and detail saying which limit.
func Refused(retry time.Duration, detail string) error {
	return &problem.Error{Kind: problem.ErrRateLimited, Detail: detail, RetryAfter: retry}
}

// Check counts a hit and refuses it (Refused, with detail) when it is over the limit.
func (l *Limiter) Check(ctx context.Context, r Rule, subject, detail string) error {
	hit, err := l.Allow(ctx, r, subject)
	if err != nil {
		return err
	}
	if !hit.Allowed {
		return Refused(hit.RetryAfter, detail)
	}
	return nil
}

// Full reports, without counting a hit, whether subject has used up r in the
// current window, and how long until it ends. It is a cheap early refusal
// only: the hit Allow counts decides.
func (l *Limiter) Full(ctx context.Context, r Rule, subject string) (bool, time.Duration, error) {
	now := l.now()
	w, err := l.q.RateLimitWindow(ctx, store.RateLimitWindowParams{Key: r.key(subject), Now: now, EndedIfStartedBy: endedIfStartedBy(r, now)})
	if err != nil {
		return false, 0, fmt.Errorf("ratelimit: %w", err)
	}
	return int(w.Count) >= r.Max, retryAfter(r, w.WindowStart, now), nil
}

// Reset forgets subject's hits (a successful sign-in clears its failures).
func (l *Limiter) Reset(ctx context.Context, r Rule, subject string) error {
	if err := l.q.ClearRateLimit(ctx, r.key(subject)); err != nil {
		return fmt.Errorf("ratelimit: %w", err)
	}
	return nil
}

// Refund takes hit, of subject under r, back: an attempt counted before it
// was known not to count (a successful sign-in in a limit of failures).
// Counting first and refunding after keeps parallel attempts from slipping
// past the limit. Once the hit's window has ended there is nothing to take
// back: a window begun since keeps its count.
func (l *Limiter) Refund(ctx context.Context, r Rule, subject string, hit Hit) error {
	if err := l.q.RefundRateLimit(ctx, store.RefundRateLimitParams{Key: r.key(subject), WindowStart: hit.window}); err != nil {
		return fmt.Errorf("ratelimit: %w", err)
	}
	return nil
}

// Source is the subject of a per-address limit for a client's IP address: an
// IPv4 address itself, an IPv6 address's /64 network, since one subscriber
// commonly holds a whole /64 to take addresses from.
func Source(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	network, err := addr.Prefix(64)
	if err != nil {
		return ip
	}
	return network.String()
}
