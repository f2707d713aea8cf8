package ratelimit

import (
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/database"
	"github.com/astralisops/astralis/internal/testenv"
)

// clockLimiter is a Limiter on a fresh database whose clock the test sets.
func clockLimiter(t *testing.T, now *time.Time) *Limiter {
	t.Helper()
	pool, err := database.Open(t.Context(), testenv.DatabaseURL(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	l := New(pool)
	l.now = func() time.Time { return *now }
	return l
}

// TestAWindowStartsAtTheFirstHit: a limit used up just before the clock's
// quarter-hour mark stays used up after it, for a whole window from the first
// hit, and Retry-After says when that ends (before: the mark freed the limit,
// so a guesser got twice the limit in two seconds).
func TestAWindowStartsAtTheFirstHit(t *testing.T) {
	t.Parallel()
	rule := Rule{Name: "test", Max: 3, Window: 15 * time.Minute}
	first := time.Now().Truncate(rule.Window).Add(rule.Window - time.Second) // a second before a mark
	now := first
	l := clockLimiter(t, &now)
	hit := func() (bool, time.Duration) {
		t.Helper()
		h, err := l.Allow(t.Context(), rule, "someone")
		if err != nil {
			t.Fatal(err)
		}
		return h.Allowed, h.RetryAfter
	}
	for i := range rule.Max {
		if ok, _ := hit(); !ok {
			t.Fatalf("hit %d of %d refused", i+1, rule.Max)
		}
	}
	if ok, retry := hit(); ok || retry != rule.Window {
		t.Fatalf("hit over the limit: allowed %v, Retry-After %s; want refused, %s", ok, retry, rule.Window)
	}
	now = first.Add(2 * time.Second) // past the mark
	if ok, retry := hit(); ok || retry != rule.Window-2*time.Second {
		t.Fatalf("hit over the limit after the clock's mark: allowed %v, Retry-After %s; want refused, %s", ok, retry, rule.Window-2*time.Second)
	}
	if full, retry, err := l.Full(t.Context(), rule, "someone"); err != nil || !full || retry != rule.Window-2*time.Second {
		t.Fatalf("Full after the mark = %v, %s, %v; want full until the window ends", full, retry, err)
	}
	if h, err := l.Allow(t.Context(), rule, "someone else"); err != nil || !h.Allowed {
		t.Fatalf("another subject = %+v, %v; want allowed", h, err)
	}

	now = first.Add(rule.Window) // the window has ended: a new one starts here
	for i := range rule.Max {
		if ok, retry := hit(); !ok || retry != rule.Window {
			t.Fatalf("hit %d of the next window: allowed %v, Retry-After %s; want allowed, %s", i+1, ok, retry, rule.Window)
		}
	}
	if ok, _ := hit(); ok {
		t.Fatal("the next window allowed more than its limit")
	}
}

// TestRefundAndResetTakeBackHits: a refund takes its hit back from the
// hit's own window only, Full counts nothing, and a reset forgets the count.
func TestRefundAndResetTakeBackHits(t *testing.T) {
	t.Parallel()
	rule := Rule{Name: "test", Max: 2, Window: time.Hour}
	now := time.Now()
	l := clockLimiter(t, &now)
	ctx := t.Context()
	allow := func() Hit {
		t.Helper()
		h, err := l.Allow(ctx, rule, "s")
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	// left fills the window and says how many hits it took: how many were left.
	left := func() int {
		t.Helper()
		n := 0
		for {
			full, _, err := l.Full(ctx, rule, "s")
			if err != nil {
				t.Fatal(err)
			}
			if full {
				return n
			}
			n++
			allow()
		}
	}
	refund := func(h Hit) {
		t.Helper()
		if err := l.Refund(ctx, rule, "s", h); err != nil {
			t.Fatal(err)
		}
	}
	first := allow()
	if n := left(); n != 1 {
		t.Fatalf("after one hit %d were left, want 1", n)
	}
	refund(first)
	if n := left(); n != 1 {
		t.Fatalf("after a refund %d were left, want 1", n)
	}
	if err := l.Reset(ctx, rule, "s"); err != nil {
		t.Fatal(err)
	}
	if n := left(); n != 2 {
		t.Fatalf("after a reset %d were left, want 2", n)
	}

	// A hit whose window ended before its refund: the refund takes nothing
	// from the window another hit has begun since.
	late := allow() // over the limit, in the full window
	now = now.Add(rule.Window)
	allow() // the next window's first hit
	refund(late)
	if n := left(); n != 1 {
		t.Fatalf("a refund of a hit in an ended window changed the next: %d left, want 1", n)
	}
}
