package app

import (
	"strings"
	"testing"
)

// TestPasswordResetRevokesTheAccountsTokens: whoever reset the password ends
// the API tokens the account created (someone who had the old password may
// have minted them), and the organisation's audit log says why.
func TestPasswordResetRevokesTheAccountsTokens(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp)
	owner := signUpVerified(t, base, inbox, "ada@example.com", "first password 1")
	var org struct {
		ID string `json:"id"`
	}
	owner.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Fixit Shop"}).decode(t, &org)
	var tok struct {
		Token string `json:"token"`
	}
	owner.must(201, "POST", "/api/v1/orgs/"+org.ID+"/tokens", map[string]string{"name": "made with the old password"}).decode(t, &tok)
	script := newScript(t, base, tok.Token)
	script.must(200, "GET", "/api/v1/orgs/"+org.ID, nil)

	stranger := newBrowser(t, base)
	stranger.must(202, "POST", "/api/v1/auth/password/forgot", map[string]string{"email": "ada@example.com"})
	token := linkToken(t, inbox.WaitFor(t, "ada@example.com", "Reset your AstralisOps password"))
	stranger.must(204, "POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "second password 2"})

	script.must(401, "GET", "/api/v1/orgs/"+org.ID, nil)
	owner.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "ada@example.com", "password": "second password 2"})
	activity := owner.must(200, "GET", "/api/v1/orgs/"+org.ID+"/activity?action=org.token.revoked", nil)
	if !strings.Contains(string(activity.body), "password reset") {
		t.Fatalf("audit log after the reset: %s", activity.body)
	}
}
