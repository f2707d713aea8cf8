package gcal

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/astralisops/astralis/internal/gcal/gcaltest"
)

const redirectURL = "https://app.example/oauth/google/callback"

// noRedirects stops at the consent page's 302, as the operator's browser
// would leave for our callback.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// consent follows authURL to the fake's consent and returns the code it
// sends back to the callback.
func consent(t *testing.T, authURL, state string) string {
	t.Helper()
	resp, err := noRedirects.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("consent: %s to %q; want a 302 to the callback", resp.Status, resp.Header.Get("Location"))
	}
	if got := back.Scheme + "://" + back.Host + back.Path; got != redirectURL || back.Query().Get("state") != state || back.Query().Get("code") == "" {
		t.Fatalf("consent sent back to %s; want %s with state %q and a code", back, redirectURL, state)
	}
	return back.Query().Get("code")
}

// connect is the whole consent: the token for the calendar, with a refresh token.
func connect(t *testing.T, cfg *oauth2.Config) *oauth2.Token {
	t.Helper()
	tok, err := cfg.Exchange(context.Background(), consent(t, ConsentURL(cfg, "state-1"), "state-1"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token %+v; want an access and a refresh token", tok)
	}
	return tok
}

func oauthClient(t *testing.T, fake *gcaltest.Server, cfg *oauth2.Config, tok *oauth2.Token) *Client {
	t.Helper()
	c, err := New(context.Background(), cfg.Client(context.Background(), tok), fake.URL, "primary")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConnectThenRevokedGrant: the consent's code becomes tokens once and
// those read the calendar; once the user removes the access, every call
// made from the refresh token is ErrGrantRevoked, permanent, and names no
// secret.
func TestConnectThenRevokedGrant(t *testing.T) {
	ctx := context.Background()
	fake := gcaltest.New(t)
	fake.RequireAuth()
	cfg := OAuthConfig(fake.ClientID, fake.ClientSecret, redirectURL, fake.AuthURL, fake.TokenURL)
	now := time.Now()
	fake.Put(gcaltest.Event{ID: "dentist", Start: at(now), End: at(now.Add(time.Hour))})

	if _, _, err := newClient(t, fake).Sync(ctx, "", now); err == nil || errors.Is(err, ErrGrantRevoked) {
		t.Fatalf("a call without a token: %v; want a 401, not ErrGrantRevoked", err)
	}
	code := consent(t, ConsentURL(cfg, "state-1"), "state-1")
	tok, err := cfg.Exchange(ctx, code)
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("exchange: %+v, %v; want a refresh token", tok, err)
	}
	if _, err := cfg.Exchange(ctx, code); err == nil {
		t.Fatal("a code was exchanged twice")
	}
	connected := oauthClient(t, fake, cfg, tok)
	events, _, err := connected.Sync(ctx, "", now)
	if err != nil || len(events) != 1 || events[0].ID != "dentist" {
		t.Fatalf("sync through OAuth: %+v, %v", events, err)
	}

	// An access token that stopped working is a 401: transient, not a revoked grant.
	fake.ExpireAccessTokens()
	if _, _, err := connected.Sync(ctx, "", now); err == nil || errors.Is(err, ErrGrantRevoked) || IsPermanent(err) {
		t.Fatalf("an expired access token: %v; want a transient 401", err)
	}
	connected = oauthClient(t, fake, cfg, &oauth2.Token{RefreshToken: tok.RefreshToken})
	if _, _, err := connected.Sync(ctx, "", now); err != nil {
		t.Fatalf("a client refreshing its access token: %v", err)
	}

	fake.RevokeGrants()
	if _, _, err := connected.Sync(ctx, "", now); err == nil || errors.Is(err, ErrGrantRevoked) {
		t.Fatalf("the cached access token after the revocation: %v; want a 401, not ErrGrantRevoked (no refresh was tried)", err)
	}
	// A worker starts from the stored refresh token only.
	fresh := oauthClient(t, fake, cfg, &oauth2.Token{RefreshToken: tok.RefreshToken})
	booking := uuid.New()
	calls := map[string]func() error{
		"sync":   func() error { _, _, err := fresh.Sync(ctx, "", now); return err },
		"put":    func() error { return fresh.PutBookingEvent(ctx, booking, now, now.Add(time.Hour), "Consultation") },
		"delete": func() error { return fresh.DeleteBookingEvent(ctx, booking) },
		"watch": func() error {
			_, err := fresh.Watch(ctx, "channel-1", "", "https://app.example/gcal/push", time.Hour)
			return err
		},
		"stop": func() error { return fresh.StopChannel(ctx, "channel-1", "resource-1") },
	}
	secrets := append(fake.RefreshTokens(), fake.AccessTokens()...)
	for name, call := range calls {
		err := call()
		if !errors.Is(err, ErrGrantRevoked) || !IsPermanent(err) {
			t.Errorf("%s with a revoked grant: %v; want ErrGrantRevoked, permanent", name, err)
			continue
		}
		for _, secret := range append(secrets, fake.ClientSecret) {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: the error %q shows a secret", name, err)
			}
		}
	}
}

// TestConsentAsksForWhatTheCalendarNeeds: without offline access the
// consent is refused; a second connection gets a refresh token again only
// because ConsentURL prompts for consent.
func TestConsentAsksForWhatTheCalendarNeeds(t *testing.T) {
	fake := gcaltest.New(t)
	cfg := OAuthConfig(fake.ClientID, fake.ClientSecret, redirectURL, fake.AuthURL, fake.TokenURL)
	resp, err := noRedirects.Get(cfg.AuthCodeURL("state-1"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a consent without offline access: %s; want 400", resp.Status)
	}
	first := connect(t, cfg)
	again := connect(t, cfg)
	if again.RefreshToken == "" || again.RefreshToken == first.RefreshToken {
		t.Fatalf("reconnecting: refresh token %q (first %q); want a new one", again.RefreshToken, first.RefreshToken)
	}
	withoutPrompt, err := cfg.Exchange(context.Background(), consent(t, cfg.AuthCodeURL("state-2", oauth2.AccessTypeOffline), "state-2"))
	if err != nil || withoutPrompt.RefreshToken != "" {
		t.Fatalf("the fake should give no refresh token to a returning user without prompt=consent: %+v, %v", withoutPrompt, err)
	}
	basic := *cfg
	basic.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	connect(t, &basic)
	wrongSecret := *cfg
	wrongSecret.ClientSecret = "guess"
	if _, err := wrongSecret.Exchange(context.Background(), consent(t, ConsentURL(cfg, "state-3"), "state-3")); err == nil {
		t.Fatal("a code was exchanged with the wrong client secret")
	}
	if google := OAuthConfig("id", "secret", redirectURL, "", ""); google.Endpoint.TokenURL != "https://oauth2.googleapis.com/token" || !strings.HasPrefix(google.Endpoint.AuthURL, "https://accounts.google.com/") {
		t.Errorf("the default endpoint %+v is not Google's", google.Endpoint)
	}
}

// TestRevokeEndsTheGrant: after Revoke the refresh token is refused; a
// second Revoke of it is not an error, a failing endpoint is.
func TestRevokeEndsTheGrant(t *testing.T) {
	ctx := context.Background()
	fake := gcaltest.New(t)
	cfg := OAuthConfig(fake.ClientID, fake.ClientSecret, redirectURL, fake.AuthURL, fake.TokenURL)
	tok := connect(t, cfg)
	for range 2 {
		if err := Revoke(ctx, nil, fake.RevokeURL, tok.RefreshToken); err != nil {
			t.Fatal(err)
		}
	}
	fresh := oauthClient(t, fake, cfg, &oauth2.Token{RefreshToken: tok.RefreshToken})
	if _, _, err := fresh.Sync(ctx, "", time.Now()); !errors.Is(err, ErrGrantRevoked) {
		t.Fatalf("sync after Revoke: %v; want ErrGrantRevoked", err)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "backend error", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	if err := Revoke(ctx, down.Client(), down.URL, tok.RefreshToken); err == nil {
		t.Fatal("a 503 from the revoke endpoint was taken for success")
	}
}
