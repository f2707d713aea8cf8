package gcal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/calendar/v3"
)

// ErrGrantRevoked is OAuth's invalid_grant on refresh: the user removed our
// access or the refresh token expired. No retry helps; the operator has to
// connect the calendar again.
var ErrGrantRevoked = errors.New("gcal: the calendar's authorization was revoked or expired: connect it again")

// googleRevokeURL is Google's token revocation endpoint.
const googleRevokeURL = "https://oauth2.googleapis.com/revoke"

// OAuthConfig is the OAuth 2.0 client for reading and writing calendar
// events; empty authURL and tokenURL are Google's.
func OAuthConfig(clientID, clientSecret, redirectURL, authURL, tokenURL string) *oauth2.Config {
	endpoint := google.Endpoint
	if authURL != "" {
		endpoint.AuthURL = authURL
	}
	if tokenURL != "" {
		endpoint.TokenURL = tokenURL
	}
	return &oauth2.Config{
		ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL,
		Endpoint: endpoint,
		Scopes:   []string{calendar.CalendarEventsScope},
	}
}

// ConsentURL is where to send the operator to connect the calendar. It asks
// for offline access, for a refresh token, and for the consent prompt,
// without which Google gives no new refresh token to a user who connected
// before.
func ConsentURL(cfg *oauth2.Config, state string) string {
	return cfg.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.SetAuthURLParam("prompt", "consent"))
}

// Revoke ends the grant behind token (a refresh or access token) at
// revokeURL, Google's when empty, through httpClient (http.DefaultClient
// when nil). A token already revoked or expired is not an error: the grant
// is gone either way.
func Revoke(ctx context.Context, httpClient *http.Client, revokeURL, token string) error {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	if revokeURL == "" {
		revokeURL = googleRevokeURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, revokeURL, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return fmt.Errorf("gcal: revoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("gcal: revoke: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var answer struct {
		Error string `json:"error"`
	}
	if resp.StatusCode == http.StatusBadRequest && json.Unmarshal(body, &answer) == nil && answer.Error == "invalid_token" {
		return nil
	}
	// The body is Google's error, never the token: safe to show.
	return fmt.Errorf("gcal: revoke: %s: %s", resp.Status, strings.TrimSpace(string(body)))
}

// failed wraps a failed call's error, marking a refused refresh token as
// ErrGrantRevoked. The client library hands the token source's error up
// through the HTTP client, inside a *url.Error.
func failed(what string, err error) error {
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) && rerr.ErrorCode == "invalid_grant" {
		return fmt.Errorf("gcal: %s: %w: %w", what, ErrGrantRevoked, err)
	}
	return fmt.Errorf("gcal: %s: %w", what, err)
}
