package app

import (
	"fmt"
	"net/http"
	"net/url"
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

// TestKnownBrowserGuessesSurviveSigningInToAnotherAccount: a browser known for
// two accounts (a shared computer) that guesses one's password is stopped
// after limits.signin_failures_per_device failures, although it signs in to
// the other account between guesses (before: every sign-in gave the browser a
// new secret, which its failures were counted under: 36 × 401, no 429).
func TestKnownBrowserGuessesSurviveSigningInToAnotherAccount(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp)
	shared := signUpVerified(t, base, inbox, "victim@example.com", "victim password 1") // known for the victim
	signUpVerified(t, base, inbox, "mallory@example.com", "mallory password 1")
	statuses := map[int]int{}
	for range 4 {
		for range 9 {
			r := shared.do("POST", "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": "wrong guess!!"})
			statuses[r.status]++
			if r.status == 429 && r.header.Get("Retry-After") == "" {
				t.Fatalf("429 without Retry-After: %s", r.body)
			}
		}
		shared.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "mallory@example.com", "password": "mallory password 1"})
	}
	if statuses[401] != 10 || statuses[429] != 26 {
		t.Errorf("36 wrong passwords for one account from a browser known for it, signing in to another account after every 9: %v, want 10 × 401 and 26 × 429", statuses)
	}
}

// TestACopiedDeviceCookieLeavesTheOwnersBrowserKnown: someone who copies a
// browser's known-device cookie and signs in to his own account with it does
// not take the owner's known browser away (before: the accounts the cookie
// knew moved to the copier's new cookie, and the owner's browser met the
// account-wide cap: 429).
func TestACopiedDeviceCookieLeavesTheOwnersBrowserKnown(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, trustLocalProxy, func(c *config.Config) { c.Limits.SignInFailuresPerAccount = 25 })
	owner := signUpVerified(t, base, inbox, "owner@example.com", "owner password 1")
	copier := signUpVerified(t, base, inbox, "copier@example.com", "copier password 1")
	authURL, err := url.Parse(base + "/api/v1/auth/login")
	if err != nil {
		t.Fatal(err)
	}
	var copied []*http.Cookie
	for _, c := range owner.http.Jar.Cookies(authURL) {
		if c.Name == "astralis_device" {
			copied = append(copied, &http.Cookie{Name: c.Name, Value: c.Value, Path: "/api/v1/auth/"})
		}
	}
	if len(copied) != 1 {
		t.Fatalf("the owner's browser has no known-device cookie")
	}
	copier.http.Jar.SetCookies(authURL, copied)
	copier.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "copier@example.com", "password": "copier password 1"})

	guessFromThreeAddresses(t, base, "owner@example.com", "203.0.113")
	owner.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 1"})
}

// guessFromThreeAddresses sends 30 wrong passwords for email, 10 from each of
// three addresses prefix.1-3: more than an account-wide cap of 25.
func guessFromThreeAddresses(t *testing.T, base, email, prefix string) {
	t.Helper()
	for i := 1; i <= 3; i++ {
		guesser := newBrowserFrom(t, base, fmt.Sprintf("%s.%d", prefix, i))
		for range 10 {
			guesser.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "wrong guess!!"})
		}
	}
}

// TestTheBrowserThatResetsThePasswordSignsIn: whoever keeps the account-wide
// cap full cannot lock the owner out: the browser that resets the password
// becomes a known device of the account and signs in while the guessing goes
// on (before: a reset forgot every known device and made none, so after the
// guessers filled the cap again no browser could sign in: 429).
func TestTheBrowserThatResetsThePasswordSignsIn(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, trustLocalProxy, func(c *config.Config) { c.Limits.SignInFailuresPerAccount = 25 })
	before := signUpVerified(t, base, inbox, "owner@example.com", "owner password 1")
	guessFromThreeAddresses(t, base, "owner@example.com", "203.0.113")

	resetter := newBrowserFrom(t, base, "198.51.100.8")
	resetter.must(202, "POST", "/api/v1/auth/password/forgot", map[string]string{"email": "owner@example.com"})
	token := linkToken(t, inbox.WaitFor(t, "owner@example.com", "Reset your AstralisOps password"))
	r := resetter.must(204, "POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "owner password 2"})
	if !slices.ContainsFunc(r.header.Values("Set-Cookie"), func(c string) bool { return strings.HasPrefix(c, "astralis_device=astrd_") }) {
		t.Errorf("the reset set no known-device cookie: %q", r.header.Values("Set-Cookie"))
	}
	guessFromThreeAddresses(t, base, "owner@example.com", "192.0.2")

	resetter.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 2"})
	// A reset forgets the account's other known browsers, so a device cookie
	// copied before it is worth nothing after it: they meet the cap like any other.
	if r := before.do("POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 2"}); r.status != 429 {
		t.Errorf("a browser known before the reset, with the cap full = %d, want 429", r.status)
	}
}

// TestIPv6GuessesAreCountedPerNetwork: one IPv6 subscriber has a whole /64 of
// addresses, so the per-address limits count the /64 (before: every address
// had its own count, and 11 wrong passwords from one /64 were 11 × 401).
func TestIPv6GuessesAreCountedPerNetwork(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, trustLocalProxy)
	signUpVerified(t, base, inbox, "owner@example.com", "owner password 1")
	statuses := map[int]int{}
	for i := 1; i <= 11; i++ {
		r := newBrowserFrom(t, base, fmt.Sprintf("2001:db8:1:2::%x", i)).do("POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "wrong guess!!"})
		statuses[r.status]++
	}
	if statuses[401] != 10 || statuses[429] != 1 {
		t.Errorf("11 wrong passwords from 11 addresses of one /64: %v, want 10 × 401 and 1 × 429", statuses)
	}
	newBrowserFrom(t, base, "2001:db8:1:3::1").must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 1"})
}

// TestSuccessfulSignInsAreNotFailures: a script that signs in without keeping
// cookies is not stopped by the account-wide failure cap (before: every
// sign-in counted, and the 26th with a cap of 25 was 429).
func TestSuccessfulSignInsAreNotFailures(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, func(c *config.Config) { c.Limits.SignInFailuresPerAccount = 25 })
	signUpVerified(t, base, inbox, "owner@example.com", "owner password 1")
	cookieless := &caller{t: t, base: base, http: &http.Client{}}
	for i := range 30 {
		if r := cookieless.do("POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 1"}); r.status != 200 {
			t.Fatalf("sign-in %d without cookies = %d, want 200: %s", i+1, r.status, r.body)
		}
	}
}
