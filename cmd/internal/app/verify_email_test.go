package app

import (
	"strings"
	"testing"
)

// TestVerifyingTakesTheAccountFromWhoeverSignedUp: someone signs up with
// another person's address and a password of his choosing; the address's
// owner, following the mailed link, chooses the password, and the first one
// stops working.
func TestVerifyingTakesTheAccountFromWhoeverSignedUp(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp)
	attacker := newBrowser(t, base)
	attacker.must(202, "POST", "/api/v1/auth/signup", map[string]string{"email": "victim@example.com", "password": "attacker password 1", "name": "Victim"})
	token := linkToken(t, inbox.WaitFor(t, "victim@example.com", "Confirm your email"))

	victim := newBrowser(t, base)
	r := victim.must(422, "POST", "/api/v1/auth/verify", map[string]string{"token": token})
	if !strings.Contains(string(r.body), `"field":"password"`) {
		t.Fatalf("verification without a password does not name the field: %s", r.body)
	}
	victim.must(200, "POST", "/api/v1/auth/verify", map[string]string{"token": token, "password": "victim password 2"})

	attacker.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": "attacker password 1"})
	victim.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": "victim password 2"})
	var me struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}
	victim.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	if me.Email != "victim@example.com" || !me.EmailVerified {
		t.Fatalf("me = %+v", me)
	}
}

// TestVerificationLinkIsDeadOnceVerified: a verification link still unused
// when the address is proved another way (a password reset) no longer sets
// the password, which would be a reset that leaves the API tokens minted
// since (before: the 48-hour link answered 200 and set a third password).
func TestVerificationLinkIsDeadOnceVerified(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp)
	b := newBrowser(t, base)
	b.must(202, "POST", "/api/v1/auth/signup", map[string]string{"email": "v@example.com", "password": "first password 1", "name": "V"})
	verify := linkToken(t, inbox.WaitFor(t, "v@example.com", "Confirm your email"))
	b.must(202, "POST", "/api/v1/auth/password/forgot", map[string]string{"email": "v@example.com"})
	reset := linkToken(t, inbox.WaitFor(t, "v@example.com", "Reset your AstralisOps password"))
	b.must(204, "POST", "/api/v1/auth/password/reset", map[string]string{"token": reset, "password": "second password 2"})
	b.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "v@example.com", "password": "second password 2"})

	r := newBrowser(t, base).must(422, "POST", "/api/v1/auth/verify", map[string]string{"token": verify, "password": "third password 3"})
	if _, fields := problemFields(t, r); len(fields) != 1 || fields[0] != "token" {
		t.Errorf("an unused verification link of a verified account: %s", r.body)
	}
	newBrowser(t, base).must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "v@example.com", "password": "second password 2"})
}
