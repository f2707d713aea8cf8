package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/astralisops/astralis/internal/config"
)

// TestWrongPasswordsDoNotLockTheOwnerOut: guessing someone's password locks
// out the guesser's address, not the owner. Guessing from many addresses
// reaches the account-wide cap, which still lets the owner in from a browser
// that signed in before, and a password reset works throughout.
func TestWrongPasswordsDoNotLockTheOwnerOut(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, trustLocalProxy, func(c *config.Config) {
		c.Limits.SignInFailuresPerAccount = 25 // reached from three addresses instead of ten
	})
	owner := signUpVerified(t, base, inbox, "owner@example.com", "owner password 1") // now a known device
	login := func(b *caller, password string) reply {
		return b.do("POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": password})
	}

	// One address guessing: refused after 10 failures, even with the right password.
	attacker := newBrowserFrom(t, base, "203.0.113.1")
	statuses := map[int]int{}
	var last reply
	for range 12 {
		last = login(attacker, "wrong password!")
		statuses[last.status]++
	}
	if last.status != 429 || last.header.Get("Retry-After") == "" || statuses[401] != 10 {
		t.Fatalf("12 wrong passwords from one address: statuses %v, last %d (Retry-After %q)", statuses, last.status, last.header.Get("Retry-After"))
	}
	if r := login(attacker, "owner password 1"); r.status != 429 {
		t.Fatalf("right password from the guessing address = %d, want 429", r.status)
	}
	// The owner, elsewhere, on a browser never used before, is not locked out.
	r := login(newBrowserFrom(t, base, "198.51.100.7"), "owner password 1")
	if r.status != 200 {
		t.Fatalf("the owner from another address after someone's 12 wrong passwords = %d, want 200: %s", r.status, r.body)
	}
	// The sign-in made that browser a known device, with a cookie scripts on the page cannot read.
	if !slices.ContainsFunc(r.header.Values("Set-Cookie"), func(c string) bool {
		return strings.HasPrefix(c, "astralis_device=astrd_") && strings.Contains(c, "HttpOnly") && strings.Contains(c, "Path=/api/v1/auth/")
	}) {
		t.Errorf("no known-device cookie set at sign-in: %q", r.header.Values("Set-Cookie"))
	}

	// Many addresses guessing reach the account-wide cap: a new browser is refused...
	for i := 2; i <= 4; i++ {
		guesser := newBrowserFrom(t, base, fmt.Sprintf("203.0.113.%d", i))
		for range 10 {
			login(guesser, "wrong password!")
		}
	}
	newcomer := newBrowserFrom(t, base, "198.51.100.8")
	if r := login(newcomer, "owner password 1"); r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("a new browser after 40 wrong passwords from 4 addresses = %d (Retry-After %q), want 429", r.status, r.header.Get("Retry-After"))
	}
	// ...but the browser the owner signed in with before is not.
	owner.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 1"})
	owner.must(200, "GET", "/api/v1/me", nil)

	// A password reset is not blocked by sign-in limits, and afterwards a new browser signs in.
	newcomer.must(202, "POST", "/api/v1/auth/password/forgot", map[string]string{"email": "owner@example.com"})
	token := linkToken(t, inbox.WaitFor(t, "owner@example.com", "Reset your AstralisOps password"))
	newcomer.must(204, "POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "owner password 2"})
	newcomer.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 2"})

	// A known browser guessing is limited too, by its own failures.
	for range 10 {
		newcomer.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "wrong password!"})
	}
	if r := login(newcomer, "wrong password!"); r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("11th wrong password from a known browser = %d (Retry-After %q), want 429", r.status, r.header.Get("Retry-After"))
	}
}
