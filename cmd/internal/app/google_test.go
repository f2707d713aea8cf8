package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/astralisops/astralis/internal/config"
)

// fakeGoogle is an OpenID Connect provider speaking Google's wire protocol:
// discovery, the authorization redirect and the token endpoint with an id_token.
type fakeGoogle struct {
	srv *httptest.Server

	mu            sync.Mutex
	subject       string
	email         string
	emailVerified bool
	codes         map[string]bool
}

const fakeClientID = "astralis-test.apps.googleusercontent.com"

func newFakeGoogle(t *testing.T) *fakeGoogle {
	g := &fakeGoogle{codes: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                 g.srv.URL,
			"authorization_endpoint": g.srv.URL + "/o/oauth2/v2/auth",
			"token_endpoint":         g.srv.URL + "/token",
			"jwks_uri":               g.srv.URL + "/certs",
		})
	})
	// The person consents at once: back to the app with a code and the app's state.
	mux.HandleFunc("GET /o/oauth2/v2/auth", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != fakeClientID || q.Get("response_type") != "code" {
			http.Error(w, "bad authorization request", http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		code := "code-" + g.subject
		g.codes[code] = true
		g.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		if !g.codes[r.PostForm.Get("code")] {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		delete(g.codes, r.PostForm.Get("code"))
		claims, _ := json.Marshal(map[string]any{
			"iss": g.srv.URL, "aud": fakeClientID, "sub": g.subject, "email": g.email,
			"email_verified": g.emailVerified, "name": "Grace Google", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
		})
		enc := base64.RawURLEncoding.EncodeToString
		idToken := enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc(claims) + "." + enc([]byte("signature"))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + g.subject, "token_type": "Bearer", "expires_in": 3600, "id_token": idToken})
	})
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGoogle) as(subject, email string, verified bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.subject, g.email, g.emailVerified = subject, email, verified
}

// googleSignIn follows the redirects a browser would, stopping when the API sends it back to the web UI.
func googleSignIn(t *testing.T, b *caller) reply {
	t.Helper()
	b.http.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/" {
			return http.ErrUseLastResponse
		}
		return nil
	}
	defer func() { b.http.CheckRedirect = nil }()
	return b.do("GET", "/api/v1/auth/google", nil)
}

func TestGoogleSignIn(t *testing.T) {
	t.Parallel()
	google := newFakeGoogle(t)
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, smtp, func(c *config.Config) {
		c.Google = config.Google{ClientID: fakeClientID, ClientSecret: "test-secret", DiscoveryURL: google.srv.URL + "/.well-known/openid-configuration"}
	})

	// The console's sign-in page offers Google, as this server has it.
	b := newChromium(t)
	b.do("open the sign-in page", chromedp.Navigate(base+"/sign-in"))
	b.waitFor("Google offered", `document.querySelector("main a[href='/api/v1/auth/google']")?.textContent === "Sign in with Google"`)
	b.checkAccessible("sign in with Google offered")
	// Sent to sign in on the way to a page, Google's button goes there too.
	b.do("sign in on the way to an invitation", chromedp.Navigate(base+"/sign-in?next=%2Faccept-invitation%3Ftoken%3Dabc"))
	b.waitFor("Google offered on the way", `document.querySelector("main a.button-link")?.getAttribute("href") === "/api/v1/auth/google?next=%2Faccept-invitation%3Ftoken%3Dabc"`)

	// A new person with a verified Google email gets an account and a session.
	google.as("g-100", "grace@example.com", true)
	newcomer := newBrowser(t, base)
	if r := googleSignIn(t, newcomer); r.status != http.StatusSeeOther {
		t.Fatalf("callback = %d: %s", r.status, r.body)
	}
	var me struct {
		ID            string `json:"id"`
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}
	newcomer.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	if me.Email != "grace@example.com" || !me.EmailVerified {
		t.Fatalf("me = %+v", me)
	}
	// Signing in again finds the same account by its Google subject.
	again := newBrowser(t, base)
	googleSignIn(t, again)
	var me2 struct {
		ID string `json:"id"`
	}
	again.must(200, "GET", "/api/v1/me", nil).decode(t, &me2)
	if me2.ID != me.ID {
		t.Fatalf("second sign-in made another account")
	}

	// A start with next (an invitation's page, say) comes back there; a next that would leave the site does not.
	for next, want := range map[string]string{
		"/accept-invitation?token=abc": "/accept-invitation?token=abc",
		"//evil.example/x":             "/",
		"/\\evil.example/x":            "/",
		"https://evil.example/":        "/",
	} {
		b := newBrowser(t, base)
		b.http.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if !strings.HasPrefix(req.URL.Path, "/api/") && req.URL.Host != google.srv.Listener.Addr().String() {
				return http.ErrUseLastResponse
			}
			return nil
		}
		r := b.do("GET", "/api/v1/auth/google?"+url.Values{"next": {next}}.Encode(), nil)
		if got := r.header.Get("Location"); r.status != http.StatusSeeOther || got != base+want {
			t.Errorf("Google sign-in with next %q ends at %d %q, want %q", next, r.status, got, base+want)
		}
	}

	// An existing password account is linked when Google vouches for the email.
	local := signUpVerified(t, base, inbox, "linus@example.com", "linus password 1")
	var localMe struct {
		ID string `json:"id"`
	}
	local.must(200, "GET", "/api/v1/me", nil).decode(t, &localMe)
	google.as("g-200", "Linus@Example.com", true)
	linked := newBrowser(t, base)
	googleSignIn(t, linked)
	var linkedMe struct {
		ID string `json:"id"`
	}
	linked.must(200, "GET", "/api/v1/me", nil).decode(t, &linkedMe)
	if linkedMe.ID != localMe.ID {
		t.Fatalf("Google sign-in for an existing email made a new account")
	}

	// An unverified Google email is neither linked nor signed in.
	signUpVerified(t, base, inbox, "mallory-target@example.com", "target password 1")
	google.as("g-300", "mallory-target@example.com", false)
	attacker := newBrowser(t, base)
	if r := googleSignIn(t, attacker); r.status != http.StatusForbidden {
		t.Fatalf("unverified Google email: %d %s", r.status, r.body)
	}
	attacker.must(401, "GET", "/api/v1/me", nil)
	var links int
	if err := s.Pool.QueryRow(context.Background(), "SELECT count(*) FROM user_identities WHERE subject = 'g-300'").Scan(&links); err != nil || links != 0 {
		t.Fatalf("unverified identity linked: %d %v", links, err)
	}

	// A callback with another state than the one this browser started with is refused.
	google.as("g-100", "grace@example.com", true)
	forged := newBrowser(t, base)
	forged.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if r := forged.do("GET", "/api/v1/auth/google", nil); r.status != http.StatusFound {
		t.Fatalf("start = %d", r.status)
	}
	forged.must(401, "GET", "/api/v1/auth/google/callback?state=forged&code=code-g-100", nil)
	forged.must(401, "GET", "/api/v1/me", nil)
	// Nor does a callback with no sign-in started at all.
	newBrowser(t, base).must(401, "GET", "/api/v1/auth/google/callback?state=x&code=code-g-100", nil)
}

// TestGoogleSignInNotConfigured: without Google's settings the start is a 404
// and the console's sign-in page offers no Google button that would lead to it.
func TestGoogleSignInNotConfigured(t *testing.T) {
	t.Parallel()
	base, _ := startDev(t)
	newBrowser(t, base).must(404, "GET", "/api/v1/auth/google", nil)
	b := newChromium(t)
	b.do("open the sign-in page", chromedp.Navigate(base+"/sign-in"))
	b.waitFor("the sign-in page and its methods", `!!document.querySelector("main a[href='/forgot-password']") &&
		performance.getEntriesByType("resource").some(e => e.name.endsWith("/api/v1/auth/methods"))`)
	// Two frames after the answer arrived, the page has rendered what it said.
	if eval[bool](b, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(!!document.querySelector("a[href='/api/v1/auth/google']")))))`) {
		t.Error("the sign-in page offers Google on a server without it")
	}
}

// TestGoogleSignInEndsAPasswordSetBySomeoneElse: someone signs up with
// another person's address and a password of his choosing; when the owner
// signs in with Google (which vouches for the address), that password stops working.
func TestGoogleSignInEndsAPasswordSetBySomeoneElse(t *testing.T) {
	t.Parallel()
	google := newFakeGoogle(t)
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, func(c *config.Config) {
		c.Google = config.Google{ClientID: fakeClientID, ClientSecret: "test-secret", DiscoveryURL: google.srv.URL + "/.well-known/openid-configuration"}
	})
	attacker := newBrowser(t, base)
	attacker.must(202, "POST", "/api/v1/auth/signup", map[string]string{"email": "grace@example.com", "password": "attacker password 1", "name": "Grace"})
	verify := linkToken(t, inbox.WaitFor(t, "grace@example.com", "Confirm your email"))

	google.as("g-400", "grace@example.com", true)
	owner := newBrowser(t, base)
	if r := googleSignIn(t, owner); r.status != http.StatusSeeOther {
		t.Fatalf("callback = %d: %s", r.status, r.body)
	}
	owner.must(200, "GET", "/api/v1/me", nil)
	attacker.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "grace@example.com", "password": "attacker password 1"})
	// Google proved the address: the verification link of that sign-up sets no password any more.
	owner.must(422, "POST", "/api/v1/auth/verify", map[string]string{"token": verify, "password": "a password of hers"})
}
