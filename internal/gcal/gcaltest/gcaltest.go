// Package gcaltest is a fake Google Calendar for tests: an HTTP server
// speaking the Calendar API v3's JSON (events list with pages and sync
// tokens, insert, update, delete, watch, channels.stop, the 409/404/410
// errors), for the real client library through option.WithEndpoint. The same
// server is Google's OAuth 2.0 for it (a consent page that agrees at once,
// the token and revoke endpoints) and sends push notifications to the
// addresses of watch channels.
//
// Authorization: a Calendar API request that carries a bearer token must
// carry a live one (401 otherwise); one with no Authorization header is let
// through until RequireAuth is called, so tests using http.DefaultClient need
// no OAuth.
package gcaltest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/api/calendar/v3"
)

// Event is a stored event in the API's own JSON shape.
type Event struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Status  string `json:"status"`
	Summary string `json:"summary,omitempty"`
	Updated string `json:"updated,omitempty"` // when it last changed, as Google stamps it (milliseconds)
	// ExtendedProperties are kept as the client sent them (private and shared maps).
	ExtendedProperties map[string]map[string]string `json:"extendedProperties,omitempty"`
	Transparency       string                       `json:"transparency,omitempty"`
	Start              *DateTime                    `json:"start,omitempty"`
	End                *DateTime                    `json:"end,omitempty"`
	version            int
}

// DateTime is an event's start or end: a dateTime, or a date for all-day events.
type DateTime struct {
	DateTime string `json:"dateTime,omitempty"`
	Date     string `json:"date,omitempty"`
}

// Channel is a watch channel as the fake keeps it.
type Channel struct {
	ID, Token, Address      string
	ResourceID, ResourceURI string
	Expiration              time.Time
}

type channel struct {
	Channel
	messages int // the last X-Goog-Message-Number sent
}

// defaultChannelTTL is Google's when the watch request gives none.
const defaultChannelTTL = 7 * 24 * time.Hour

// accessTokenLifetime is the expires_in of every access token, in seconds.
const accessTokenLifetime = 3600

// grant is one user's consent to the client; revoking it kills its refresh
// token and every access token made from it.
type grant struct{ revoked bool }

type authCode struct {
	redirectURI string
	consent     bool // prompt=consent: Google gives a refresh token again
}

// Server is the fake calendar service; every calendar id shares one calendar.
type Server struct {
	URL string // the endpoint to give option.WithEndpoint
	// AuthURL, TokenURL and RevokeURL are Google's OAuth 2.0 endpoints, for
	// ClientID and ClientSecret.
	AuthURL, TokenURL, RevokeURL string
	ClientID, ClientSecret       string
	srv                          *httptest.Server

	mu        sync.Mutex
	events    map[string]*Event
	version   int
	minToken  int // sync tokens below this are gone (410)
	listCalls int
	// fullListCalls counts the list requests without a sync token.
	fullListCalls int
	listDelay     time.Duration
	inserts       map[string]int

	requireAuth bool
	codes       map[string]authCode
	// refuseConsent: the user on the consent page does not allow access.
	refuseConsent bool
	refresh       map[string]*grant
	access        map[string]*grant // live access tokens
	issuedRefresh []string
	issuedAccess  []string

	channels     map[string]*channel
	pushesPaused bool
	pushes       sync.WaitGroup
	hooks        *http.Client
}

// New starts a fake calendar, stopped when the test ends (after the push
// notifications under way are sent).
func New(t testing.TB) *Server {
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Start starts a fake calendar outside a test (a crash test's); Close stops it.
func Start() *Server {
	s := &Server{
		events: map[string]*Event{}, inserts: map[string]int{},
		codes: map[string]authCode{}, refresh: map[string]*grant{}, access: map[string]*grant{},
		channels: map[string]*channel{}, hooks: &http.Client{Timeout: 5 * time.Second},
		ClientID: "gcaltest-client.apps.googleusercontent.com", ClientSecret: "gcaltest-client-secret",
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/calendar/v3/"
	s.AuthURL = s.srv.URL + "/o/oauth2/auth"
	s.TokenURL = s.srv.URL + "/token"
	s.RevokeURL = s.srv.URL + "/revoke"
	return s
}

// Close waits for the push notifications under way and stops the server.
func (s *Server) Close() {
	s.pushes.Wait()
	s.srv.Close()
}

// RequireAuth makes every Calendar API request need a live access token.
func (s *Server) RequireAuth() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requireAuth = true
}

// Put adds or changes an event as the calendar's owner would.
func (s *Server) Put(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put(e)
}

func (s *Server) put(e Event) {
	s.version++
	e.Kind, e.version, e.Updated = "calendar#event", s.version, stamp()
	if e.Status == "" {
		e.Status = "confirmed"
	}
	s.events[e.ID] = &e
	s.changed()
}

// Delete cancels an event as the calendar's owner would.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.events[id]; ok {
		s.cancel(e)
	}
}

func (s *Server) cancel(e *Event) {
	s.version++
	e.Status, e.version, e.Updated = "cancelled", s.version, stamp()
	s.changed()
}

// stamp is Google's updated time: now, to the millisecond.
func stamp() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// Get returns an event as stored.
func (s *Server) Get(id string) (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.events[id]
	if !ok {
		return Event{}, false
	}
	return *e, true
}

// Events returns every stored event, cancelled ones included, by id.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, 0, len(s.events))
	for _, e := range s.events {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b Event) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Inserts is how many events.insert requests named the event id, the
// refused ones (409) included.
func (s *Server) Inserts(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inserts[id]
}

// ExpireSyncTokens makes every sync token given so far answer 410.
func (s *Server) ExpireSyncTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.minToken = s.version + 1
}

// FullListCalls is how many events.list requests came without a sync token (the pages of full syncs).
func (s *Server) FullListCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fullListCalls
}

// ListCalls is how many events.list requests were answered.
func (s *Server) ListCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listCalls
}

// SetListDelay makes every events.list page wait d before it answers, to
// catch a client in the middle of a sync; other requests go on meanwhile.
func (s *Server) SetListDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listDelay = d
}

// RevokeGrants is the user removing the client's access: every refresh
// token answers invalid_grant from now on and every access token 401.
func (s *Server) RevokeGrants() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, g := range s.refresh {
		g.revoked = true
	}
	clear(s.access)
}

// ExpireAccessTokens ends every access token given so far (401); refresh
// tokens still work.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
}

// RefreshTokens returns every refresh token issued, in order, so tests can
// check they never show up where they should not.
func (s *Server) RefreshTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.issuedRefresh)
}

// AccessTokens returns every access token issued, in order.
func (s *Server) AccessTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.issuedAccess)
}

// Channels returns the watch channels not stopped nor expired, by id.
func (s *Server) Channels() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Channel
	for _, c := range s.channels {
		if c.Expiration.After(time.Now()) {
			out = append(out, c.Channel)
		}
	}
	slices.SortFunc(out, func(a, b Channel) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// PausePushes stops (true) or resumes (false) the push notifications of
// changes and of new channels, as when Google's pushes get lost; Notify
// still sends.
func (s *Server) PausePushes(paused bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pushesPaused = paused
}

// RefuseConsent makes the user on the consent page deny access (true) or
// allow it (false, the default): Google then redirects with error=access_denied.
func (s *Server) RefuseConsent(refuse bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseConsent = refuse
}

// Notify sends an "exists" notification to every live channel now, paused or not.
func (s *Server) Notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.push("exists", nil)
}

// changed tells the channels that the calendar changed.
func (s *Server) changed() {
	if !s.pushesPaused {
		s.push("exists", nil)
	}
}

// push sends a notification to every live channel, or to only, in the
// background: the lock is not held while sending, and a failed delivery is
// dropped as Google would after its retries.
func (s *Server) push(state string, only *channel) {
	type message struct {
		address string
		header  http.Header
	}
	var batch []message
	for _, c := range s.channels {
		if only != nil && c != only || !c.Expiration.After(time.Now()) {
			continue
		}
		c.messages++
		h := http.Header{}
		h.Set("X-Goog-Channel-ID", c.ID)
		if c.Token != "" {
			h.Set("X-Goog-Channel-Token", c.Token)
		}
		h.Set("X-Goog-Channel-Expiration", c.Expiration.UTC().Format(http.TimeFormat))
		h.Set("X-Goog-Resource-ID", c.ResourceID)
		h.Set("X-Goog-Resource-URI", c.ResourceURI)
		h.Set("X-Goog-Resource-State", state)
		h.Set("X-Goog-Message-Number", strconv.Itoa(c.messages))
		batch = append(batch, message{c.Address, h})
	}
	if len(batch) == 0 {
		return
	}
	s.pushes.Add(1)
	go func() {
		defer s.pushes.Done()
		for _, m := range batch {
			req, err := http.NewRequest(http.MethodPost, m.address, nil)
			if err != nil {
				continue
			}
			req.Header = m.header
			if resp, err := s.hooks.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		}
	}()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/o/oauth2/auth":
		s.authorize(w, r)
		return
	case "/token":
		s.token(w, r)
		return
	case "/revoke":
		s.revoke(w, r)
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
		apiError(w, http.StatusUnauthorized, "authError", "Invalid Credentials")
		return
	}
	if r.URL.Path == "/calendar/v3/channels/stop" && r.Method == http.MethodPost {
		s.stop(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/calendar/v3/calendars/")
	if !ok {
		apiError(w, http.StatusNotFound, "notFound", "Not Found")
		return
	}
	calendarID, tail, _ := strings.Cut(rest, "/")
	if tail == "events" && r.Method == http.MethodGet {
		s.mu.Lock()
		delay := s.listDelay
		s.mu.Unlock()
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case tail == "events" && r.Method == http.MethodGet:
		s.list(w, r)
	case tail == "events" && r.Method == http.MethodPost:
		var e Event
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			apiError(w, http.StatusBadRequest, "invalid", err.Error())
			return
		}
		s.inserts[e.ID]++
		if _, exists := s.events[e.ID]; exists {
			apiError(w, http.StatusConflict, "duplicate", "The requested identifier already exists.")
			return
		}
		s.put(e)
		writeJSON(w, s.events[e.ID])
	case tail == "events/watch" && r.Method == http.MethodPost:
		s.watch(w, r, calendarID)
	case strings.HasPrefix(tail, "events/"):
		id := strings.TrimPrefix(tail, "events/")
		e, exists := s.events[id]
		switch {
		case !exists:
			apiError(w, http.StatusNotFound, "notFound", "Not Found")
		case r.Method == http.MethodGet: // a deleted event too, as "cancelled"
			writeJSON(w, e)
		case r.Method == http.MethodDelete && e.Status == "cancelled":
			apiError(w, http.StatusGone, "deleted", "Resource has been deleted")
		case r.Method == http.MethodDelete:
			s.cancel(e)
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodPut:
			var upd Event
			if err := json.NewDecoder(r.Body).Decode(&upd); err != nil {
				apiError(w, http.StatusBadRequest, "invalid", err.Error())
				return
			}
			upd.ID = id
			s.put(upd)
			writeJSON(w, s.events[id])
		default:
			apiError(w, http.StatusMethodNotAllowed, "methodNotAllowed", "Method Not Allowed")
		}
	default:
		apiError(w, http.StatusNotFound, "notFound", "Not Found")
	}
}

// authorized: a bearer token must be live; no token at all passes unless
// RequireAuth was called.
func (s *Server) authorized(r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	header := r.Header.Get("Authorization")
	if header == "" {
		return !s.requireAuth
	}
	token, bearer := strings.CutPrefix(header, "Bearer ")
	g, live := s.access[token]
	return bearer && live && !g.revoked
}

// list answers events.list: a full listing (live events) or, with a sync
// token, what changed since it (deletions included), a page at a time; the
// last page carries the next sync token.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.listCalls++
	q := r.URL.Query()
	if q.Get("syncToken") == "" {
		s.fullListCalls++
	}
	since := -1
	if tok := q.Get("syncToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "v"))
		if err != nil || n < s.minToken {
			apiError(w, http.StatusGone, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
			return
		}
		since = n
	}
	var matched []*Event
	for _, e := range s.events {
		if since < 0 && e.Status != "cancelled" || since >= 0 && e.version > since {
			matched = append(matched, e)
		}
	}
	slices.SortFunc(matched, func(a, b *Event) int { return strings.Compare(a.ID, b.ID) })
	size := 250
	if n, err := strconv.Atoi(q.Get("maxResults")); err == nil && n > 0 {
		size = n
	}
	offset, _ := strconv.Atoi(q.Get("pageToken"))
	end := min(offset+size, len(matched))
	page := map[string]any{"kind": "calendar#events", "items": matched[min(offset, end):end]}
	if end < len(matched) {
		page["nextPageToken"] = strconv.Itoa(end)
	} else {
		page["nextSyncToken"] = fmt.Sprintf("v%d", s.version)
	}
	writeJSON(w, page)
}

// watch answers events.watch: the channel is kept until stopped or expired
// (its params.ttl in seconds, else Google's week) and gets the "sync"
// notification at once.
func (s *Server) watch(w http.ResponseWriter, r *http.Request, calendarID string) {
	var req struct {
		ID      string            `json:"id"`
		Token   string            `json:"token"`
		Type    string            `json:"type"`
		Address string            `json:"address"`
		Params  map[string]string `json:"params"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	if req.ID == "" || req.Type != "web_hook" || req.Address == "" {
		apiError(w, http.StatusBadRequest, "required", "A channel id, type web_hook and an address are required.")
		return
	}
	if _, taken := s.channels[req.ID]; taken {
		apiError(w, http.StatusBadRequest, "channelIdNotUnique", "Channel id "+req.ID+" not unique")
		return
	}
	ttl := defaultChannelTTL
	if p, ok := req.Params["ttl"]; ok {
		seconds, err := strconv.Atoi(p)
		if err != nil || seconds <= 0 {
			apiError(w, http.StatusBadRequest, "invalidTtl", "Invalid ttl: "+p)
			return
		}
		ttl = time.Duration(seconds) * time.Second
	}
	// One resource id per watched calendar, as Google's names the resource.
	sum := sha256.Sum256([]byte(calendarID))
	c := &channel{Channel: Channel{
		ID: req.ID, Token: req.Token, Address: req.Address,
		ResourceID:  hex.EncodeToString(sum[:12]),
		ResourceURI: s.srv.URL + "/calendar/v3/calendars/" + url.PathEscape(calendarID) + "/events?alt=json",
		Expiration:  time.Now().Add(ttl),
	}}
	s.channels[c.ID] = c
	resp := map[string]string{
		"kind": "api#channel", "id": c.ID, "resourceId": c.ResourceID, "resourceUri": c.ResourceURI,
		"expiration": strconv.FormatInt(c.Expiration.UnixMilli(), 10),
	}
	if c.Token != "" {
		resp["token"] = c.Token
	}
	writeJSON(w, resp)
	if !s.pushesPaused {
		s.push("sync", c)
	}
}

// stop answers channels.stop: 404 for a channel it does not know under
// that resource id.
func (s *Server) stop(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ID         string `json:"id"`
		ResourceID string `json:"resourceId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[req.ID]
	if !ok || c.ResourceID != req.ResourceID {
		apiError(w, http.StatusNotFound, "notFound", "Channel '"+req.ID+"' not found")
		return
	}
	delete(s.channels, req.ID)
	w.WriteHeader(http.StatusNoContent)
}

// authorize is Google's consent page with a user who agrees at once (unless
// RefuseConsent): a 302 back to redirect_uri with a one-time code. It insists
// on what the calendar needs: offline access (a refresh token) and the events
// scope.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case r.Method != http.MethodGet:
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	case q.Get("client_id") != s.ClientID:
		http.Error(w, "Error 401: invalid_client", http.StatusUnauthorized)
		return
	case err != nil || !redirect.IsAbs():
		http.Error(w, "Error 400: redirect_uri_mismatch", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code":
		http.Error(w, "Error 400: unsupported_response_type", http.StatusBadRequest)
		return
	case q.Get("access_type") != "offline":
		http.Error(w, "Error 400: invalid_request: access_type=offline is needed for a refresh token", http.StatusBadRequest)
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), calendar.CalendarEventsScope):
		http.Error(w, "Error 400: invalid_scope: "+calendar.CalendarEventsScope+" is needed", http.StatusBadRequest)
		return
	}
	code := "4/" + rand.Text()
	s.mu.Lock()
	refused := s.refuseConsent
	if !refused {
		s.codes[code] = authCode{redirectURI: q.Get("redirect_uri"), consent: slices.Contains(strings.Fields(q.Get("prompt")), "consent")}
	}
	s.mu.Unlock()
	back := redirect.Query()
	if refused {
		back.Set("error", "access_denied")
	} else {
		back.Set("code", code)
	}
	if state := q.Get("state"); state != "" {
		back.Set("state", state)
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// token is Google's token endpoint: a code for tokens (once), a refresh
// token for a new access token. The client may authenticate by basic auth
// or in the form. Like Google, a code from a consent without prompt=consent
// brings no refresh token when the user already granted one.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 2.3.1: the credentials are form-encoded before basic auth.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.ClientID || secret != s.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Unauthorized")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := map[string]any{"token_type": "Bearer", "expires_in": accessTokenLifetime, "scope": calendar.CalendarEventsScope}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		c, ok := s.codes[code]
		delete(s.codes, code)
		if !ok {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Malformed auth code.")
			return
		}
		if r.PostForm.Get("redirect_uri") != c.redirectURI {
			oauthError(w, http.StatusBadRequest, "redirect_uri_mismatch", "Bad Request")
			return
		}
		g := &grant{}
		if c.consent || !s.anyLiveGrant() {
			rt := "1//" + rand.Text()
			s.refresh[rt] = g
			s.issuedRefresh = append(s.issuedRefresh, rt)
			resp["refresh_token"] = rt
		}
		resp["access_token"] = s.issueAccess(g)
	case "refresh_token":
		g, ok := s.refresh[r.PostForm.Get("refresh_token")]
		if !ok || g.revoked {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
			return
		}
		resp["access_token"] = s.issueAccess(g)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+r.PostForm.Get("grant_type"))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, resp)
}

func (s *Server) anyLiveGrant() bool {
	for _, g := range s.refresh {
		if !g.revoked {
			return true
		}
	}
	return false
}

func (s *Server) issueAccess(g *grant) string {
	at := "ya29." + rand.Text()
	s.access[at] = g
	s.issuedAccess = append(s.issuedAccess, at)
	return at
}

// revoke is Google's revoke endpoint: either token of a grant ends the
// whole grant; one unknown or already revoked is a 400 invalid_token.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "POST only")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	token := r.Form.Get("token")
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[token]
	if !ok {
		g, ok = s.access[token]
	}
	if !ok || g.revoked {
		oauthError(w, http.StatusBadRequest, "invalid_token", "Token expired or revoked")
		return
	}
	g.revoked = true
	for at, of := range s.access {
		if of == g {
			delete(s.access, at)
		}
	}
	w.WriteHeader(http.StatusOK)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(v)
}

// apiError writes Google's error JSON.
func apiError(w http.ResponseWriter, code int, reason, message string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": code, "message": message, "errors": []map[string]string{{"domain": "global", "reason": reason, "message": message}},
	}})
}

// oauthError writes an OAuth 2.0 error (RFC 6749 5.2) as Google does.
func oauthError(w http.ResponseWriter, code int, kind, description string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": kind, "error_description": description})
}
