package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/testenv"
	"github.com/astralisops/astralis/workflows"
)

// caller is an HTTP client as a browser (cookies, Origin) or a script (Bearer token) uses the API.
type caller struct {
	t      *testing.T
	base   string
	http   *http.Client
	bearer string
	// from is the client's address as a trusted proxy reports it (X-Forwarded-For), if set.
	from string
}

func newBrowser(t *testing.T, base string) *caller {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &caller{t: t, base: base, http: &http.Client{Jar: jar}}
}

// newBrowserFrom is a browser at another address, seen through a trusted proxy
// (the server must trust 127.0.0.1: see trustLocalProxy).
func newBrowserFrom(t *testing.T, base, ip string) *caller {
	b := newBrowser(t, base)
	b.from = ip
	return b
}

// trustLocalProxy makes the server believe X-Forwarded-For from the test, so callers can come from many addresses.
func trustLocalProxy(c *config.Config) { c.HTTP.TrustedProxies = []string{"127.0.0.1"} }

func newScript(t *testing.T, base, token string) *caller {
	return &caller{t: t, base: base, http: &http.Client{}, bearer: token}
}

type reply struct {
	status int
	body   []byte
	header http.Header
}

func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (c *caller) do(method, path string, body any) reply {
	c.t.Helper()
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			c.t.Fatal(err)
		}
	}
	r, err := c.send(method, path, data)
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// send is do with a body already encoded (nil: none), without failing the
// test: goroutines use it.
func (c *caller) send(method, path string, body []byte) (reply, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.from != "" {
		req.Header.Set("X-Forwarded-For", c.from)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	} else {
		req.Header.Set("Origin", c.base) // a browser on the product's own origin
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: data, header: resp.Header}, err
}

// must asserts the status and returns the reply.
func (c *caller) must(status int, method, path string, body any) reply {
	c.t.Helper()
	r := c.do(method, path, body)
	if r.status != status {
		c.t.Fatalf("%s %s = %d, want %d: %s", method, path, r.status, status, r.body)
	}
	return r
}

var tokenInLink = regexp.MustCompile(`[?&]token=([A-Za-z0-9_-]+)`)

// linkToken follows a mailed link the way the web UI does: it takes the token from it.
func linkToken(t *testing.T, m testenv.Mail) string {
	t.Helper()
	match := tokenInLink.FindStringSubmatch(m.Text)
	if match == nil {
		t.Fatalf("no link with a token in mail %q:\n%s", m.Subject, m.Text)
	}
	if !strings.Contains(m.HTML, match[1]) {
		t.Errorf("the HTML part lacks the link of the text part")
	}
	return match[1]
}

// withSMTP points the product's mail at a real SMTP server in the test.
func withSMTP(t *testing.T) (func(*config.Config), *testenv.Inbox) {
	host, port, inbox := testenv.SMTPServer(t)
	return func(c *config.Config) {
		c.SMTP = config.SMTP{Host: host, Port: port, TLS: "none", From: "AstralisOps <no-reply@astralis.test>"}
	}, inbox
}

// signUpVerified walks sign-up and the emailed verification link (which asks
// for the password again), then signs in.
func signUpVerified(t *testing.T, base string, inbox *testenv.Inbox, email, password string) *caller {
	t.Helper()
	b := newBrowser(t, base)
	b.must(202, "POST", "/api/v1/auth/signup", map[string]string{"email": email, "password": password, "name": "Test " + email})
	token := linkToken(t, inbox.WaitFor(t, email, "Confirm your email"))
	b.must(200, "POST", "/api/v1/auth/verify", map[string]string{"token": token, "password": password})
	b.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password})
	return b
}

// TestJourneyFromSignUpToAPIToken is the whole first-day journey over HTTP,
// with mail going out through the worker and a real SMTP server.
func TestJourneyFromSignUpToAPIToken(t *testing.T) {
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp)

	admin := newBrowser(t, base)
	admin.must(202, "POST", "/api/v1/auth/signup", map[string]string{"email": "Owner@Example.com", "password": "a long enough secret", "name": "Olivia Owner"})
	verifyMail := inbox.WaitFor(t, "owner@example.com", "Confirm your email")
	// Not verified yet: the right password is not enough.
	admin.must(403, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@example.com", "password": "a long enough secret"})
	admin.must(200, "POST", "/api/v1/auth/verify", map[string]string{"token": linkToken(t, verifyMail), "password": "a long enough secret"})
	admin.must(422, "POST", "/api/v1/auth/verify", map[string]string{"token": linkToken(t, verifyMail), "password": "a long enough secret"}) // single use
	// Emails compare case-insensitively.
	admin.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "OWNER@example.COM", "password": "a long enough secret"})
	var me struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}
	admin.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	if me.Email != "Owner@Example.com" || !me.EmailVerified {
		t.Fatalf("me = %+v", me)
	}

	var org struct {
		ID   string `json:"id"`
		Role string `json:"role"`
	}
	admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Acme Repairs"}).decode(t, &org)
	if org.ID == "" || org.Role != "ADMIN" {
		t.Fatalf("org = %+v", org)
	}

	// Both are invited alike, with or without an account, and join by accepting the mailed link.
	client := signUpVerified(t, base, inbox, "client@example.com", "client secret 123")
	var inv struct {
		ID   string `json:"id"`
		Role string `json:"role"`
	}
	admin.must(202, "POST", "/api/v1/orgs/"+org.ID+"/members", map[string]string{"email": "client@example.com", "role": "CLIENT"}).decode(t, &inv)
	if inv.ID == "" || inv.Role != "CLIENT" {
		t.Fatalf("invitation = %+v", inv)
	}
	clientInvite := linkToken(t, inbox.WaitFor(t, "client@example.com", "You are invited to the organisation “Acme Repairs”"))
	client.must(404, "GET", "/api/v1/orgs/"+org.ID, nil) // not a member before accepting
	client.must(200, "POST", "/api/v1/invitations/accept", map[string]string{"token": clientInvite})
	client.must(422, "POST", "/api/v1/invitations/accept", map[string]string{"token": clientInvite}) // once

	admin.must(202, "POST", "/api/v1/orgs/"+org.ID+"/members", map[string]string{"email": "operator@example.com", "role": "OPERATOR"})
	operatorInvite := linkToken(t, inbox.WaitFor(t, "operator@example.com", "You are invited to the organisation “Acme Repairs”"))
	// Someone else cannot use it, even signed in.
	client.must(403, "POST", "/api/v1/invitations/accept", map[string]string{"token": operatorInvite})
	operator := signUpVerified(t, base, inbox, "operator@example.com", "operator secret 123")
	operator.must(200, "POST", "/api/v1/invitations/accept", map[string]string{"token": operatorInvite})
	var orgs struct {
		Items []struct {
			ID   string `json:"id"`
			Role string `json:"role"`
		} `json:"items"`
	}
	operator.must(200, "GET", "/api/v1/orgs", nil).decode(t, &orgs)
	if len(orgs.Items) != 1 || orgs.Items[0].ID != org.ID || orgs.Items[0].Role != "OPERATOR" {
		t.Fatalf("operator's organisations = %+v", orgs)
	}
	client.must(200, "GET", "/api/v1/orgs/"+org.ID, nil)
	client.must(403, "GET", "/api/v1/orgs/"+org.ID+"/members", nil)

	// An API token: shown once, stored hashed, works as Bearer, bound to its org and role.
	var tok struct {
		ID    string `json:"id"`
		Token string `json:"token"`
		Role  string `json:"role"`
	}
	operator.must(422, "POST", "/api/v1/orgs/"+org.ID+"/tokens", map[string]string{"name": "too high", "role": "ADMIN"})
	operator.must(201, "POST", "/api/v1/orgs/"+org.ID+"/tokens", map[string]string{"name": "nightly import"}).decode(t, &tok)
	if !strings.HasPrefix(tok.Token, "astr_") || tok.Role != "OPERATOR" {
		t.Fatalf("token = %+v", tok)
	}
	script := newScript(t, base, tok.Token)
	var tokenMe struct {
		Email        string `json:"email"`
		Organization struct {
			ID   string `json:"id"`
			Role string `json:"role"`
		} `json:"organization"`
	}
	script.must(200, "GET", "/api/v1/me", nil).decode(t, &tokenMe)
	if tokenMe.Email != "operator@example.com" || tokenMe.Organization.ID != org.ID || tokenMe.Organization.Role != "OPERATOR" {
		t.Fatalf("token me = %+v", tokenMe)
	}
	script.must(200, "GET", "/api/v1/orgs/"+org.ID+"/members", nil)
	script.must(403, "GET", "/api/v1/orgs/"+org.ID+"/activity", nil)
	script.must(403, "POST", "/api/v1/orgs", map[string]string{"name": "not from a token"})
	script.must(403, "POST", "/api/v1/orgs/"+org.ID+"/tokens", map[string]string{"name": "token minting tokens"})
	script.must(403, "GET", "/api/v1/me/activity", nil)

	var tokens struct {
		Items []struct {
			ID         string  `json:"id"`
			LastUsedAt *string `json:"last_used_at"`
			Token      string  `json:"token"`
		} `json:"items"`
	}
	operator.must(200, "GET", "/api/v1/orgs/"+org.ID+"/tokens", nil).decode(t, &tokens)
	if len(tokens.Items) != 1 || tokens.Items[0].LastUsedAt == nil || tokens.Items[0].Token != "" {
		t.Fatalf("token list = %s", operator.do("GET", "/api/v1/orgs/"+org.ID+"/tokens", nil).body)
	}
	// Demoting the creator lowers what the token may do; revoking ends it.
	var members struct {
		Items []struct {
			UserID string `json:"user_id"`
			Email  string `json:"email"`
		} `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org.ID+"/members", nil).decode(t, &members)
	operatorID := ""
	for _, m := range members.Items {
		if m.Email == "operator@example.com" {
			operatorID = m.UserID
		}
	}
	admin.must(200, "PATCH", "/api/v1/orgs/"+org.ID+"/members/"+operatorID, map[string]string{"role": "CLIENT"})
	script.must(403, "GET", "/api/v1/orgs/"+org.ID+"/members", nil)
	operator.must(204, "DELETE", "/api/v1/orgs/"+org.ID+"/tokens/"+tok.ID, nil)
	script.must(401, "GET", "/api/v1/me", nil)

	// Everything above is in the audit log.
	var activity struct {
		Items []struct {
			Action string `json:"action"`
			IP     string `json:"ip"`
		} `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org.ID+"/activity?limit=100", nil).decode(t, &activity)
	seen := map[string]bool{}
	for _, e := range activity.Items {
		seen[e.Action] = true
		if e.IP == "" {
			t.Errorf("event %s without IP", e.Action)
		}
	}
	for _, want := range []string{"org.created", "org.member.invited", "org.member.added", "org.member.role_changed", "org.token.created", "org.token.revoked"} {
		if !seen[want] {
			t.Errorf("activity lacks %s: %v", want, seen)
		}
	}
	// My account's history holds my sign-ins, not what happened inside organisations.
	var mine struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	client.must(200, "GET", "/api/v1/me/activity", nil).decode(t, &mine)
	sawSignIn := false
	for _, e := range mine.Items {
		if strings.HasPrefix(e.Action, "org.") {
			t.Errorf("account history shows organisation event %s", e.Action)
		}
		sawSignIn = sawSignIn || e.Action == "auth.signin.succeeded"
	}
	if !sawSignIn {
		t.Errorf("account history lacks the sign-in: %+v", mine.Items)
	}
	admin.must(204, "POST", "/api/v1/auth/logout", nil)
	admin.must(401, "GET", "/api/v1/me", nil)
}

// TestPasswordReset: the mailed link works once, expires, and signs out every other session.
func TestPasswordReset(t *testing.T) {
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, smtp)
	laptop := signUpVerified(t, base, inbox, "ada@example.com", "first password 1")
	phone := newBrowser(t, base)
	phone.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "ada@example.com", "password": "first password 1"})

	stranger := newBrowser(t, base)
	stranger.must(202, "POST", "/api/v1/auth/password/forgot", map[string]string{"email": "ada@example.com"})
	token := linkToken(t, inbox.WaitFor(t, "ada@example.com", "Reset your AstralisOps password"))
	stranger.must(422, "POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "short"})
	stranger.must(204, "POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "second password 2"})
	stranger.must(422, "POST", "/api/v1/auth/password/reset", map[string]string{"token": token, "password": "third password 33"})

	laptop.must(401, "GET", "/api/v1/me", nil)
	phone.must(401, "GET", "/api/v1/me", nil)
	laptop.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "ada@example.com", "password": "first password 1"})
	laptop.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "ada@example.com", "password": "second password 2"})
	laptop.must(200, "GET", "/api/v1/me", nil)

	// An expired link no longer works.
	stranger.must(202, "POST", "/api/v1/auth/password/forgot", map[string]string{"email": "ada@example.com"})
	second := inbox.WaitForNth(t, "ada@example.com", "Reset your AstralisOps password", 2)
	if _, err := s.Pool.Exec(context.Background(), "UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'reset_password' AND used_at IS NULL"); err != nil {
		t.Fatal(err)
	}
	stranger.must(422, "POST", "/api/v1/auth/password/reset", map[string]string{"token": linkToken(t, second), "password": "fourth password 4"})
}

// TestForgotPasswordDoesTheSameWorkForEveryAddress: the API hands known and
// unknown addresses alike to a PasswordReset workflow (so its timing tells
// nothing); only the workflow finds the account, and a retried lookup mails once.
func TestForgotPasswordDoesTheSameWorkForEveryAddress(t *testing.T) {
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, smtp)
	signUpVerified(t, base, inbox, "ada@example.com", "first password 1")
	stranger := newBrowser(t, base)
	for _, email := range []string{"ada@example.com", "nobody@example.com"} {
		stranger.must(202, "POST", "/api/v1/auth/password/forgot", map[string]string{"email": email})
	}
	// The API stored one request per address before answering: the address
	// and client in the database, only the request's id in the workflow.
	ctx := t.Context()
	rows, err := s.Pool.Query(ctx, "SELECT id FROM password_reset_requests")
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 {
		t.Fatalf("%d password reset requests, want one per address, known or not", len(ids))
	}
	type request struct {
		id     uuid.UUID
		mailID string
	}
	var requests []request
	mailed := 0
	for _, id := range ids {
		// Both go through a workflow that completes; only one has a mail to send.
		wf := workflows.PasswordResetWorkflowID(id)
		if err := s.Temporal.GetWorkflow(ctx, wf, "").Get(ctx, nil); err != nil {
			t.Fatalf("workflow %s: %v", wf, err)
		}
		r := request{id: id}
		if err := s.Pool.QueryRow(ctx, "SELECT mail_id FROM password_reset_requests WHERE id = $1", id).Scan(&r.mailID); err != nil {
			t.Fatal(err)
		}
		if r.mailID != "" {
			mailed++
		}
		requests = append(requests, r)
		assertNotInHistory(t, s, wf, "ada@example.com", "nobody@example.com", "127.0.0.1")
	}
	if mailed != 1 {
		t.Errorf("%d requests mailed, want 1 (the known address)", mailed)
	}
	inbox.WaitFor(t, "ada@example.com", "Reset your AstralisOps password")
	// A retried lookup answers the first outcome: no second token, no second mail.
	acc, err := s.accounts()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range requests {
		again, err := acc.SendPasswordReset(ctx, r.id)
		if err != nil || again != r.mailID {
			t.Errorf("retry of %s = %q, %v; want %q", r.id, again, err, r.mailID)
		}
	}
	var tokens int
	if err := s.Pool.QueryRow(ctx, "SELECT count(*) FROM email_tokens WHERE purpose = 'reset_password'").Scan(&tokens); err != nil {
		t.Fatal(err)
	}
	if tokens != 1 {
		t.Errorf("%d reset tokens, want 1", tokens)
	}
}

// TestSignInAbuseIsLimited: 20 wrong passwords in a row from one address end in 429 with
// Retry-After, the audit log has them, and nothing tells whether an email exists.
func TestSignInAbuseIsLimited(t *testing.T) {
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, smtp)
	signUpVerified(t, base, inbox, "victim@example.com", "victim password 1")

	attacker := newBrowser(t, base)
	var last reply
	statuses := map[int]int{}
	for range 20 {
		last = attacker.do("POST", "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": "wrong password!"})
		statuses[last.status]++
	}
	if last.status != 429 || last.header.Get("Retry-After") == "" {
		t.Fatalf("20th wrong password: %d (Retry-After %q); statuses %v", last.status, last.header.Get("Retry-After"), statuses)
	}
	// Even the right password is refused from this address while it is locked out
	// (other addresses and known devices are not: TestWrongPasswordsDoNotLockTheOwnerOut).
	attacker.must(429, "POST", "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": "victim password 1"})

	var failed, limited int
	err := s.Pool.QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE action = 'auth.signin.failed'), count(*) FILTER (WHERE action = 'auth.signin.rate_limited')
		FROM audit_log a JOIN users u ON u.id = a.subject_user_id WHERE u.email = 'victim@example.com'`).Scan(&failed, &limited)
	if err != nil {
		t.Fatal(err)
	}
	if failed < 10 || limited < 1 {
		t.Fatalf("audit log has %d failed and %d rate-limited sign-ins", failed, limited)
	}

	// An unknown email gets exactly the answers a known one does.
	probe := newBrowser(t, base)
	signUpVerified(t, base, inbox, "client@example.com", "client password 1")
	pairs := []struct {
		path string
		body map[string]string
	}{
		{"/api/v1/auth/login", map[string]string{"password": "wrong password!"}},
		{"/api/v1/auth/password/forgot", map[string]string{}},
		{"/api/v1/auth/signup", map[string]string{"password": "some long password 9"}},
	}
	for _, p := range pairs {
		answers := map[string]string{}
		for _, email := range []string{"client@example.com", "nobody@example.com"} {
			body := map[string]string{"email": email}
			for k, v := range p.body {
				body[k] = v
			}
			r := probe.do("POST", p.path, body)
			answers[email] = fmt.Sprintf("%d %s", r.status, withoutRequestID(r.body))
		}
		if answers["client@example.com"] != answers["nobody@example.com"] {
			t.Errorf("%s tells a registered email apart:\n  known:   %s\n  unknown: %s", p.path, answers["client@example.com"], answers["nobody@example.com"])
		}
	}
}

var requestIDField = regexp.MustCompile(`"request_id":"[^"]*"`)

func withoutRequestID(body []byte) string { return requestIDField.ReplaceAllString(string(body), "") }

// TestBadInputNamesEachField: malformed, missing, oversized and wrong values are 4xx problems naming the field.
func TestBadInputNamesEachField(t *testing.T) {
	base, _ := startDev(t)
	b := newBrowser(t, base)
	cases := []struct {
		name   string
		path   string
		body   string
		status int
		fields []string
	}{
		{"malformed JSON", "/api/v1/auth/signup", `{"email":`, 422, nil},
		{"missing fields", "/api/v1/auth/signup", `{}`, 422, []string{"email", "password"}},
		{"bad email and weak password", "/api/v1/auth/signup", `{"email":"not-an-email","password":"short"}`, 422, []string{"email", "password"}},
		{"common password", "/api/v1/auth/signup", `{"email":"a@example.com","password":"password123"}`, 422, []string{"password"}},
		{"next to another site", "/api/v1/auth/signup", `{"email":"a@example.com","password":"long enough pw 1","next":"//evil.example/x"}`, 422, []string{"next"}},
		{"next not a path", "/api/v1/auth/signup", `{"email":"a@example.com","password":"long enough pw 1","next":"https://evil.example/"}`, 422, []string{"next"}},
		{"oversized name", "/api/v1/auth/signup", `{"email":"a@example.com","password":"long enough pw 1","name":"` + strings.Repeat("n", 300) + `"}`, 422, []string{"name"}},
		{"unknown field", "/api/v1/auth/signup", `{"email":"a@example.com","password":"long enough pw 1","admin":true}`, 422, []string{"admin"}},
		{"oversized body", "/api/v1/auth/login", `{"email":"` + strings.Repeat("x", 2<<20) + `"}`, 413, nil},
		{"login missing password", "/api/v1/auth/login", `{"email":"a@example.com"}`, 422, []string{"password"}},
		{"reset without token", "/api/v1/auth/password/reset", `{"password":"long enough pw 1"}`, 422, []string{"token"}},
		{"NUL in name", "/api/v1/auth/signup", `{"email":"a@example.com","password":"long enough pw 1","name":"a\u0000b"}`, 422, []string{"name"}},
		{"NUL in login email", "/api/v1/auth/login", `{"email":"a\u0000@example.com","password":"whatever password"}`, 422, []string{"email"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", base+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", base)
			resp, err := b.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var p struct {
				Status int `json:"status"`
				Errors []struct {
					Field string `json:"field"`
				} `json:"errors"`
			}
			data, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), data)
			}
			if err := json.Unmarshal(data, &p); err != nil {
				t.Fatal(err)
			}
			named := map[string]bool{}
			for _, e := range p.Errors {
				named[e.Field] = true
			}
			for _, f := range tc.fields {
				if !named[f] {
					t.Errorf("field %q not named in %s", f, data)
				}
			}
		})
	}

	// A role that does not exist.
	smtpAdjust, inbox := withSMTP(t)
	base2, _ := startDev(t, smtpAdjust)
	admin := signUpVerified(t, base2, inbox, "boss@example.com", "boss password 12")
	var org struct {
		ID string `json:"id"`
	}
	admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Roles Ltd"}).decode(t, &org)
	r := admin.must(422, "POST", "/api/v1/orgs/"+org.ID+"/members", map[string]string{"email": "x@example.com", "role": "OWNER"})
	if !strings.Contains(string(r.body), `"field":"role"`) {
		t.Errorf("unknown role not named: %s", r.body)
	}
	// A user agent that is not UTF-8 is stored cleaned, not a 500.
	req0, _ := http.NewRequest("POST", base2+"/api/v1/auth/login", strings.NewReader(`{"email":"boss@example.com","password":"wrong password 1"}`))
	req0.Header.Set("Content-Type", "application/json")
	req0.Header.Set("Origin", base2)
	req0.Header.Set("User-Agent", "bot\xff\xfe")
	resp0, err := http.DefaultClient.Do(req0)
	if err != nil {
		t.Fatal(err)
	}
	resp0.Body.Close()
	if resp0.StatusCode != 401 {
		t.Errorf("wrong password with a non-UTF-8 user agent = %d, want 401", resp0.StatusCode)
	}
	if r := admin.must(422, "POST", "/api/v1/orgs", map[string]string{"name": "line\nbreak"}); !strings.Contains(string(r.body), `"field":"name"`) {
		t.Errorf("control character in an organisation name not named: %s", r.body)
	}
	// A cookie-authenticated change from another site is refused.
	req, _ := http.NewRequest("POST", base2+"/api/v1/orgs", strings.NewReader(`{"name":"csrf"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := admin.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("cross-site POST with the session cookie = %d, want 403", resp.StatusCode)
	}
}

// TestMailSurvivesAFlakySMTPServer: temporary SMTP failures are retried by the workflow until delivered, once.
func TestMailSurvivesAFlakySMTPServer(t *testing.T) {
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, smtp)
	inbox.FailNext(2)
	newBrowser(t, base).must(202, "POST", "/api/v1/auth/signup", map[string]string{"email": "patient@example.com", "password": "patient password 1"})
	inbox.WaitFor(t, "patient@example.com", "Confirm your email")
	waitForIdleQueue(t, s, s.TaskQueue(workflows.EmailTaskQueue))
	if n := inbox.Count("patient@example.com"); n != 1 {
		t.Fatalf("delivered %d times, want once", n)
	}
}

// waitForIdleQueue waits until no workflow on the task queue is running, so "exactly once" can be counted.
func waitForIdleQueue(t *testing.T, s *Services, queue string) {
	t.Helper()
	query := fmt.Sprintf("TaskQueue = '%s' AND ExecutionStatus = 'Running'", queue)
	for range 300 {
		resp, err := s.Temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Executions) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("workflows on %s still running", queue)
}
