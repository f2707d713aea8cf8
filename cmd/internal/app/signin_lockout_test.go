package app

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/auth"
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
	copyDeviceCookie(t, owner, copier)
	copier.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "copier@example.com", "password": "copier password 1"})

	guessFromThreeAddresses(t, base, "owner@example.com", "203.0.113")
	owner.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 1"})
}

// deviceCookie is the known-device secret in b's cookie jar.
func deviceCookie(t *testing.T, b *caller) string {
	t.Helper()
	authURL, err := url.Parse(b.base + "/api/v1/auth/login")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.http.Jar.Cookies(authURL) {
		if c.Name == "astralis_device" {
			return c.Value
		}
	}
	t.Fatalf("the browser has no known-device cookie")
	return ""
}

// copyDeviceCookie puts from's known-device cookie into to's jar, as someone who copied it would.
func copyDeviceCookie(t *testing.T, from, to *caller) {
	t.Helper()
	setDeviceCookie(t, to, deviceCookie(t, from))
}

// setDeviceCookie puts the known-device secret into b's cookie jar.
func setDeviceCookie(t *testing.T, b *caller, secret string) {
	t.Helper()
	authURL, err := url.Parse(b.base + "/api/v1/auth/login")
	if err != nil {
		t.Fatal(err)
	}
	b.http.Jar.SetCookies(authURL, []*http.Cookie{{Name: "astralis_device", Value: secret, Path: "/api/v1/auth/"}})
}

// TestACopiedDeviceCookieEndsWhenItsBrowserSignsIn: a known browser's cookie
// gets a new secret at every sign-in to the account, so a copy taken before
// is no longer a known device of the account once the owner has signed in
// again and auth.known_device_grace has passed (a millisecond here, over by
// the end of the guessing): it meets the account-wide cap like any other
// browser (before: the secret was kept, and the copy stayed exempt from the
// cap, guessing under the owner's browser's count, for as long as the owner
// used that browser: 401 where 429 was due).
func TestACopiedDeviceCookieEndsWhenItsBrowserSignsIn(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, trustLocalProxy, func(c *config.Config) {
		c.Limits.SignInFailuresPerAccount = 25
		c.Auth.KnownDeviceGrace = time.Millisecond
	})
	owner := signUpVerified(t, base, inbox, "owner@example.com", "owner password 1")
	thief := newBrowserFrom(t, base, "203.0.113.9")
	copyDeviceCookie(t, owner, thief)
	stolen := deviceCookie(t, owner)
	owner.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 1"})
	if deviceCookie(t, owner) == stolen {
		t.Errorf("signing in kept the browser's known-device secret")
	}

	guessFromThreeAddresses(t, base, "owner@example.com", "192.0.2")
	if r := thief.do("POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "wrong guess!!"}); r.status != 429 {
		t.Errorf("a guess with a device cookie copied before the owner signed in again, the account-wide cap full = %d, want 429", r.status)
	}
	// The owner's browser, under its new secret, is still known: failures counted before stay with it.
	owner.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 1"})
}

// TestABrowserThatMissedItsNewCookieStaysKnown: a sign-in whose answer never
// reached the browser (a client abort, a proxy timeout) leaves it with its
// old secret, which stays a known device of the account for
// auth.known_device_grace, so signing in again gets past a full account-wide
// cap (before: the account had moved to the lost secret, and the browser met
// the cap like a stranger's: 429).
func TestABrowserThatMissedItsNewCookieStaysKnown(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, trustLocalProxy, func(c *config.Config) {
		c.Limits.SignInFailuresPerAccount = 25
		c.Auth.KnownDeviceGrace = 10 * time.Minute // longer than the test takes
	})
	owner := signUpVerified(t, base, inbox, "owner@example.com", "owner password 1")
	kept := deviceCookie(t, owner)
	owner.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 1"})
	setDeviceCookie(t, owner, kept) // the answer with the new secret was lost

	guessFromThreeAddresses(t, base, "owner@example.com", "203.0.113")
	if r := owner.do("POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 1"}); r.status != 200 {
		t.Errorf("the owner's browser that missed its new cookie, the account-wide cap full = %d, want 200: %s", r.status, r.body)
	}
}

// TestTwoTabsSigningInToTwoAccountsKeepBothKnown: two tabs of one browser,
// whose cookie knows two accounts, sign in at once, one to each, with the
// same old secret; each answer sets its own new secret and the browser keeps
// one of them. Either one is a known device of both accounts (before: the
// second sign-in took the first tab's copy of its account away, and its own
// copy missed the account the first had moved: whichever cookie was kept, one
// account met the full account-wide cap: 429).
func TestTwoTabsSigningInToTwoAccountsKeepBothKnown(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, trustLocalProxy, func(c *config.Config) {
		c.Limits.SignInFailuresPerAccount = 25
		c.Auth.KnownDeviceGrace = 10 * time.Minute // longer than the test takes
	})
	passwords := map[string]string{"first@example.com": "first password 1", "second@example.com": "second password 1"}
	tabA := signUpVerified(t, base, inbox, "first@example.com", passwords["first@example.com"])
	signUpVerified(t, base, inbox, "second@example.com", passwords["second@example.com"])
	tabA.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "second@example.com", "password": passwords["second@example.com"]})
	tabB := newBrowser(t, base)
	copyDeviceCookie(t, tabA, tabB) // the same browser: one cookie

	tabA.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "first@example.com", "password": passwords["first@example.com"]})
	tabB.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "second@example.com", "password": passwords["second@example.com"]})
	kept := map[string]string{"tab A's": deviceCookie(t, tabA), "tab B's": deviceCookie(t, tabB)}

	guessFromThreeAddresses(t, base, "first@example.com", "203.0.113")
	guessFromThreeAddresses(t, base, "second@example.com", "192.0.2")
	for tab, secret := range kept {
		for email, password := range passwords {
			browser := newBrowser(t, base)
			setDeviceCookie(t, browser, secret)
			if r := browser.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}); r.status != 200 {
				t.Errorf("%s with the browser keeping %s cookie, the account-wide cap full = %d, want 200", email, tab, r.status)
			}
		}
	}
}

// TestSigningInCopiesAFewKnownAccounts: a browser's new secret knows the
// account signing in and at most 20 of those its old one knew, those signed in
// to most recently, so replaying an old secret that knows many accounts cannot
// grow the table by that many rows a sign-in (before: the new secret knew all
// 31 and the one signing in).
func TestSigningInCopiesAFewKnownAccounts(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, smtp)
	browser := signUpVerified(t, base, inbox, "owner@example.com", "owner password 1")
	old := deviceCookie(t, browser)
	if _, err := s.Pool.Exec(t.Context(), `
		WITH others AS (
			INSERT INTO users (email, name) SELECT 'other' || g || '@example.com', 'Other' FROM generate_series(1, 30) g RETURNING id, email)
		INSERT INTO known_devices (token_hash, user_id, expires_at)
		SELECT $1, id, now() + split_part(substr(email, 6), '@', 1)::int * interval '1 hour' FROM others`, auth.HashToken(old)); err != nil {
		t.Fatal(err)
	}
	signUpVerified(t, base, inbox, "second@example.com", "second password 1")
	browser.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "second@example.com", "password": "second password 1"})
	var known []string
	rows, err := s.Pool.Query(t.Context(), "SELECT u.email FROM known_devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = $1 ORDER BY u.email", auth.HashToken(deviceCookie(t, browser)))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var email string
		if err := rows.Scan(&email); err != nil {
			t.Fatal(err)
		}
		known = append(known, email)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"second@example.com", "owner@example.com"} // the owner's: signed in to last
	for i := 12; i <= 30; i++ {
		want = append(want, fmt.Sprintf("other%d@example.com", i))
	}
	slices.Sort(want)
	if !slices.Equal(known, want) {
		t.Errorf("the new secret knows %d accounts %v, want the one signing in and the 20 used most recently: %v", len(known), known, want)
	}
}

// TestAResetKeepsItsCookieWhenClearingSignInCountsFails: a reset is committed
// before the sign-in counts it clears; when clearing them fails, the reset
// still answers 204 with its known-device cookie, so the browser that reset
// signs in (before: 500 without the cookie, the password changed all the same).
func TestAResetKeepsItsCookieWhenClearingSignInCountsFails(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, smtp)
	signUpVerified(t, base, inbox, "owner@example.com", "owner password 1")
	resetter := newBrowser(t, base)
	resetter.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "wrong guess!!"}) // counts to clear
	if _, err := s.Pool.Exec(t.Context(), `
		CREATE FUNCTION refuse_clearing() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'the test refuses to clear sign-in counts'; END $$;
		CREATE TRIGGER refuse_clearing BEFORE DELETE ON rate_limit_windows FOR EACH ROW WHEN (OLD.key LIKE 'signin-%') EXECUTE FUNCTION refuse_clearing();`); err != nil {
		t.Fatal(err)
	}
	resetter.must(202, "POST", "/api/v1/auth/password/forgot", map[string]string{"email": "owner@example.com"})
	token := linkToken(t, inbox.WaitFor(t, "owner@example.com", "Reset your AstralisOps password"))
	r := resetter.do("POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "owner password 2"})
	if r.status != 204 || !slices.ContainsFunc(r.header.Values("Set-Cookie"), func(c string) bool { return strings.HasPrefix(c, "astralis_device=astrd_") }) {
		t.Fatalf("a reset whose counts could not be cleared = %d %s, cookies %q; want 204 with the known-device cookie", r.status, r.body, r.header.Values("Set-Cookie"))
	}
	if _, err := s.Pool.Exec(t.Context(), "DROP TRIGGER refuse_clearing ON rate_limit_windows"); err != nil {
		t.Fatal(err)
	}
	resetter.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "owner password 2"})
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
