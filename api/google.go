package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/markbates/goth/providers/openidConnect"

	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/problem"
)

// GoogleConfig enables "Sign in with Google" (OpenID Connect through goth).
type GoogleConfig struct {
	ClientID     string
	ClientSecret string
	DiscoveryURL string
	// CallbackURL is this API's /api/v1/auth/google/callback as the browser reaches it.
	CallbackURL string
	// DoneURL is where the browser goes once signed in.
	DoneURL string
}

// Session keys of a sign-in in progress; they live in the one scs session, not a second cookie store.
const (
	sessionOAuthState = "google_state"
	sessionOAuthData  = "google_session"
	sessionOAuthNext  = "google_next" // the console page to return to (an invitation's, say)
)

type googleHandler struct {
	cfg      *GoogleConfig
	accounts *accounts.Service
	auth     *authenticator

	mu       sync.Mutex
	provider *openidConnect.Provider
}

// providerFor builds the provider on first use: it reads Google's discovery
// document, which start-up must not depend on.
func (h *googleHandler) providerFor() (*openidConnect.Provider, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.provider != nil {
		return h.provider, nil
	}
	p, err := openidConnect.New(h.cfg.ClientID, h.cfg.ClientSecret, h.cfg.CallbackURL, h.cfg.DiscoveryURL, "openid", "email", "profile")
	if err != nil {
		return nil, fmt.Errorf("google: discovery: %w", err)
	}
	h.provider = p
	return p, nil
}

func (h *googleHandler) configured(c *gin.Context) (*openidConnect.Provider, bool) {
	if h.cfg == nil {
		respondError(c, problem.New(problem.ErrNotFound, "Google sign-in is not configured (GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET)"))
		return nil, false
	}
	p, err := h.providerFor()
	if err != nil {
		respondError(c, fmt.Errorf("%w: %w", problem.ErrUnavailable, err))
		return nil, false
	}
	return p, true
}

// methods tells a sign-in page which ways to sign in this server offers, so
// it shows no Google button that would only answer "not configured".
func (h *googleHandler) methods(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"password": true, "google": h.cfg != nil})
}

// start redirects the browser to Google with a fresh state bound to this session.
func (h *googleHandler) start(c *gin.Context) {
	p, ok := h.configured(c)
	if !ok {
		return
	}
	// Each start writes a session row for an anonymous caller: bound how many.
	if err := h.accounts.AllowGoogleStart(c, clientOf(c)); err != nil {
		respondError(c, err)
		return
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	state := base64.RawURLEncoding.EncodeToString(b)
	sess, err := p.BeginAuth(state)
	if err != nil {
		respondError(c, err)
		return
	}
	authURL, err := sess.GetAuthURL()
	if err != nil {
		respondError(c, err)
		return
	}
	h.auth.sessions.Put(c, sessionOAuthState, state)
	h.auth.sessions.Put(c, sessionOAuthData, sess.Marshal())
	// Each start says afresh where to return: an abandoned one's page is not followed later.
	if next := c.Query("next"); auth.SitePath(next) {
		h.auth.sessions.Put(c, sessionOAuthNext, next)
	} else {
		h.auth.sessions.Remove(c, sessionOAuthNext)
	}
	c.Redirect(http.StatusFound, authURL)
}

// callback finishes the sign-in Google redirected back with.
func (h *googleHandler) callback(c *gin.Context) {
	p, ok := h.configured(c)
	if !ok {
		return
	}
	want := h.auth.sessions.PopString(c, sessionOAuthState)
	data := h.auth.sessions.PopString(c, sessionOAuthData)
	next := h.auth.sessions.PopString(c, sessionOAuthNext)
	got := c.Query("state")
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		respondError(c, problem.New(problem.ErrUnauthenticated, "the sign-in state does not match: start again from /api/v1/auth/google"))
		return
	}
	if e := c.Query("error"); e != "" {
		respondError(c, problem.New(problem.ErrUnauthenticated, "Google did not sign you in: "+e))
		return
	}
	sess, err := p.UnmarshalSession(data)
	if err != nil {
		respondError(c, err)
		return
	}
	if _, err := sess.Authorize(p, c.Request.URL.Query()); err != nil {
		respondError(c, problem.New(problem.ErrUnauthenticated, "Google did not accept the sign-in code"))
		return
	}
	gu, err := p.FetchUser(sess)
	if err != nil {
		respondError(c, problem.New(problem.ErrUnauthenticated, "Google's answer could not be verified"))
		return
	}
	user, err := h.accounts.SignInWithGoogle(c, accounts.GoogleProfile{
		Subject:       gu.UserID,
		Email:         gu.Email,
		EmailVerified: claimTrue(gu.RawData["email_verified"]),
		Name:          gu.Name,
	}, clientOf(c))
	if err != nil {
		respondError(c, err)
		return
	}
	if err := h.auth.signIn(c, user); err != nil {
		respondError(c, err)
		return
	}
	done := h.cfg.DoneURL
	if next != "" {
		done = strings.TrimSuffix(done, "/") + next
	}
	c.Redirect(http.StatusSeeOther, done)
}

// claimTrue reads a boolean claim, which some providers send as a string.
func claimTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}
