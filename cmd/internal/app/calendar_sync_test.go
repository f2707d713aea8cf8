package app

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/gcal"
	"github.com/astralisops/astralis/internal/gcal/gcaltest"
	"github.com/astralisops/astralis/workflows"
)

// withGoogleCalendar turns the calendar sync on against the fake Google:
// its OAuth endpoints and Calendar API, and the webhook on the API itself.
func withGoogleCalendar(fake *gcaltest.Server) func(*config.Config) {
	return func(cfg *config.Config) {
		cfg.GoogleCalendar = config.GoogleCalendar{
			ClientID: fake.ClientID, ClientSecret: fake.ClientSecret,
			TokenKey:     base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
			WebhookURL:   cfg.HTTP.PublicURL + "/api/v1/webhooks/google-calendar",
			PollInterval: time.Hour, // pushes, not polls, drive these tests
			APIEndpoint:  fake.URL, AuthURL: fake.AuthURL, TokenURL: fake.TokenURL, RevokeURL: fake.RevokeURL,
		}
	}
}

type calendarStatus struct {
	Enabled            bool       `json:"enabled"`
	State              string     `json:"state"`
	LastSyncAt         *time.Time `json:"last_sync_at"`
	NextChannelRenewal *time.Time `json:"next_channel_renewal"`
	LastError          string     `json:"last_error"`
}

// connectCalendar goes through Google's consent as a browser would: the
// authorisation URL, Google's redirect to the callback, the callback's
// redirect back to the product.
func connectCalendar(t *testing.T, c *caller, orgPath, userID string) {
	t.Helper()
	var start struct {
		AuthorizationURL string `json:"authorization_url"`
	}
	c.must(200, "POST", orgPath+"/operators/"+userID+"/calendar/connect", nil).decode(t, &start)
	noFollow := *c.http
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.Get(start.AuthorizationURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || !strings.HasPrefix(callback.String(), c.base+"/api/v1/google-calendar/callback") {
		t.Fatalf("Google's consent answered %d to %q; want a redirect to the callback", resp.StatusCode, callback)
	}
	resp, err = noFollow.Get(callback.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Back on the operator's availability page, where the connection is shown.
	back := c.base + strings.TrimPrefix(orgPath, "/api/v1") + "/operators/" + userID + "/availability?calendar=connected"
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != back {
		t.Fatalf("the callback answered %d to %q; want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), back)
	}
}

// eventually polls check every 100 ms for up to 20 s.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	for range 200 {
		if check() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("never: %s", what)
}

// TestGoogleCalendarTwoWaySync connects an operator's calendar through the
// fake Google (OAuth and the Calendar API, through the real client library)
// and runs the CalendarSyncWorkflow on the real Temporal and PostgreSQL: the
// first full sync, pushes, busy time in slots, bookings written to the
// calendar, moves and deletions in Google followed back, a 410 resync, a
// revoked grant, the webhook's checks and a disconnect.
func TestGoogleCalendarTwoWaySync(t *testing.T) {
	fake := gcaltest.New(t)
	fake.RequireAuth()
	admin, org, s, inbox, _ := setUpShopFull(t, false, withGoogleCalendar(fake))
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "UTC", "weekly": everyDay("09:00", "17:00")})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 60, "operators": []string{anaID}})
	day := nextWeekday(time.UTC, time.Wednesday)
	at := func(hour int) time.Time { return day.Add(time.Duration(hour) * time.Hour) }
	dt := func(t time.Time) *gcaltest.DateTime { return &gcaltest.DateTime{DateTime: t.Format(time.RFC3339)} }
	slots := func() []string {
		var got slotsReply
		admin.must(200, "GET", orgPath+"/services/consult/slots?from="+day.Format(time.RFC3339)+"&to="+day.AddDate(0, 0, 1).Format(time.RFC3339), nil).decode(t, &got)
		return got.starts()
	}
	free := func(hour int) bool { return slices.Contains(slots(), at(hour).Format(time.RFC3339)) }
	book := func(hour int, email string) bookingView {
		var b bookingView
		admin.must(201, "POST", orgPath+"/bookings", map[string]any{"service": "consult", "start": at(hour),
			"client": map[string]string{"name": "Client " + email, "email": email}}).decode(t, &b)
		return b
	}
	booking := func(id string) bookingView {
		var b bookingView
		admin.must(200, "GET", orgPath+"/bookings/"+id, nil).decode(t, &b)
		return b
	}
	status := func() calendarStatus {
		var st calendarStatus
		ana.must(200, "GET", orgPath+"/operators/"+anaID+"/calendar", nil).decode(t, &st)
		return st
	}
	eventOf := func(id string) (gcaltest.Event, bool) { return fake.Get(gcal.BookingEventID(uuid.MustParse(id))) }

	if st := status(); !st.Enabled || st.State != "not_connected" {
		t.Fatalf("before connecting: %+v; want enabled, not connected", st)
	}
	// Before connecting: a booking at 9:00, an appointment of Ana's own at
	// 11:00 and a "free" note at 13:00 in her calendar.
	early := book(9, "early@example.com")
	fake.Put(gcaltest.Event{ID: "dentist", Summary: "Dentist", Start: dt(at(11)), End: dt(at(12))})
	fake.Put(gcaltest.Event{ID: "note", Summary: "Think", Transparency: "transparent", Start: dt(at(13)), End: dt(at(14))})

	connectCalendar(t, ana, orgPath, anaID)
	eventually(t, "the first sync", func() bool { st := status(); return st.State == "connected" && st.LastSyncAt != nil })
	if free(11) || !free(13) {
		t.Errorf("after the first sync, slots %v; want 11:00 blocked by the dentist, 13:00 free (the note is shown as free)", slots())
	}
	if ev, ok := eventOf(early.ID); !ok || ev.Start.DateTime != at(9).Format(time.RFC3339) {
		t.Errorf("the booking made before connecting is in the calendar as %+v (found %v); want it at 9:00", ev, ok)
	}
	eventually(t, "a push channel", func() bool { return len(fake.Channels()) == 1 && status().NextChannelRenewal != nil })

	// A new appointment in Google: the push wakes the workflow, which syncs.
	fake.Put(gcaltest.Event{ID: "gym", Summary: "Gym", Start: dt(at(15)), End: dt(at(16))})
	eventually(t, "15:00 blocked after the push", func() bool { return !free(15) })

	// A booking made now is written to the calendar under its derived id.
	b := book(10, "client@example.com")
	eventually(t, "the booking's event in the calendar", func() bool { _, ok := eventOf(b.ID); return ok })

	// Ana moves it in Google to 14:00: the booking follows through its
	// workflow (sequence up, the client mailed the move).
	ev, _ := eventOf(b.ID)
	ev.Start, ev.End = dt(at(14)), dt(at(15))
	fake.Put(ev)
	eventually(t, "the booking moved to 14:00", func() bool { return booking(b.ID).Start.Equal(at(14)) })
	if got := booking(b.ID); got.Sequence != 1 || got.Attention != "" {
		t.Errorf("after the move in Google: %+v; want sequence 1, nothing to look at", got)
	}
	inbox.WaitFor(t, "client@example.com", "Moved:")

	// She moves it onto her dentist's appointment: the booking keeps 14:00,
	// is flagged, and the calendar shows it at 14:00 again.
	ev, _ = eventOf(b.ID)
	ev.Start, ev.End = dt(at(11)), dt(at(12))
	fake.Put(ev)
	eventually(t, "the conflicting move flagged", func() bool { return booking(b.ID).Attention != "" })
	if got := booking(b.ID); !got.Start.Equal(at(14)) || got.Sequence != 1 {
		t.Errorf("after a move onto a taken time: %+v; want it kept at 14:00", got)
	}
	eventually(t, "the event put back at 14:00", func() bool { ev, _ := eventOf(b.ID); return ev.Start.DateTime == at(14).Format(time.RFC3339) })

	// Deleted in Google with the default setting: flagged, still booked.
	fake.Delete(gcal.BookingEventID(uuid.MustParse(early.ID)))
	eventually(t, "the deleted booking flagged", func() bool { return booking(early.ID).Attention != "" })
	if got := booking(early.ID); got.Status != "confirmed" {
		t.Errorf("deleted in Google with on_event_deleted=flag: %+v; want it confirmed", got)
	}
	// With "cancel": the booking is cancelled and the client told.
	admin.must(200, "PUT", orgPath+"/calendar-settings", map[string]string{"on_event_deleted": "cancel"})
	fake.Delete(gcal.BookingEventID(uuid.MustParse(b.ID)))
	eventually(t, "the deleted booking cancelled", func() bool { return booking(b.ID).Status == "cancelled" })
	inbox.WaitFor(t, "client@example.com", "Cancelled:")

	// Google forgets the sync token: the next sync is a full one and loses nothing.
	fake.ExpireSyncTokens()
	fake.Put(gcaltest.Event{ID: "lunch", Summary: "Lunch", Start: dt(at(12)), End: dt(at(13))})
	eventually(t, "12:00 blocked after the resync", func() bool { return !free(12) })
	if free(11) || free(15) || !free(13) {
		t.Errorf("after a full resync, slots %v; want the dentist and gym still blocking, the note still free", slots())
	}

	// No token reaches an API answer or a workflow history.
	secrets := append(fake.RefreshTokens(), fake.AccessTokens()...)
	if len(secrets) == 0 {
		t.Fatal("the fake issued no tokens")
	}
	body := string(ana.must(200, "GET", orgPath+"/operators/"+anaID+"/calendar", nil).body)
	var connID string
	if err := s.Pool.QueryRow(t.Context(), "SELECT id FROM calendar_connections WHERE user_id = $1", anaID).Scan(&connID); err != nil {
		t.Fatal(err)
	}
	for _, secret := range secrets {
		if strings.Contains(body, secret) {
			t.Fatalf("the status answer carries a token: %s", body)
		}
	}
	assertNotInHistory(t, s, workflows.CalendarSyncWorkflowID(uuid.MustParse(connID)), secrets...)
	assertNotInHistory(t, s, workflows.BookingWorkflowID(uuid.MustParse(b.ID)), secrets...)

	// The webhook answers only channels we opened, with their token.
	hook := func(channel, token string) int {
		req, _ := http.NewRequest("POST", ana.base+"/api/v1/webhooks/google-calendar", nil)
		req.Header.Set("X-Goog-Channel-ID", channel)
		req.Header.Set("X-Goog-Channel-Token", token)
		req.Header.Set("X-Goog-Resource-State", "exists")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	live := fake.Channels()[0]
	if got := hook("no-such-channel", live.Token); got != http.StatusNotFound {
		t.Errorf("a push for an unknown channel: %d; want 404", got)
	}
	if got := hook(live.ID, "wrong-token"); got != http.StatusForbidden {
		t.Errorf("a push with a wrong token: %d; want 403", got)
	}
	if got := hook(live.ID, live.Token); got != http.StatusNoContent {
		t.Errorf("a push with the channel's own token: %d; want 204", got)
	}

	// Ana removes the product's access in Google: the next sync finds the
	// grant revoked, the connection shows broken and she is mailed.
	fake.RevokeGrants()
	fake.Put(gcaltest.Event{ID: "walk", Summary: "Walk", Start: dt(at(16)), End: dt(at(17))})
	eventually(t, "the connection broken", func() bool { return status().State == "broken" })
	if st := status(); st.LastError == "" {
		t.Errorf("a broken connection says nothing: %+v", st)
	}
	inbox.WaitFor(t, "ana@shop.test", "no longer connected")
	// Reconnecting resumes the sync.
	connectCalendar(t, ana, orgPath, anaID)
	eventually(t, "reconnected and synced", func() bool { return status().State == "connected" && !free(16) })

	// Disconnecting forgets the calendar: its busy time goes, Google is told.
	ana.must(204, "DELETE", orgPath+"/operators/"+anaID+"/calendar", nil)
	if st := status(); st.State != "not_connected" || !free(11) {
		t.Errorf("after disconnecting: %+v, slots %v; want not connected and 11:00 free again", st, slots())
	}
}

// TestGoogleCalendarIsOffWithoutItsSettings: with no OAuth client, token
// key or webhook URL configured, the status says the sync is off and which
// settings would turn it on, and connecting is refused with a problem.
func TestGoogleCalendarIsOffWithoutItsSettings(t *testing.T) {
	admin, org, _, _, _ := setUpShopFull(t, false)
	var me struct {
		ID string `json:"id"`
	}
	admin.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	var st struct {
		Enabled bool     `json:"enabled"`
		State   string   `json:"state"`
		Missing []string `json:"missing_settings"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/operators/"+me.ID+"/calendar", nil).decode(t, &st)
	want := []string{"google_calendar.client_id", "google_calendar.client_secret", "google_calendar.token_key", "google_calendar.webhook_url"}
	if st.Enabled || st.State != "not_connected" || !slices.Equal(st.Missing, want) {
		t.Fatalf("status without settings: %+v; want off, not connected, missing %v", st, want)
	}
	r := admin.do("POST", "/api/v1/orgs/"+org+"/operators/"+me.ID+"/calendar/connect", nil)
	if r.status != http.StatusServiceUnavailable || r.header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(r.body), "google_calendar.token_key") {
		t.Fatalf("connect without settings: %d %s %s; want a 503 problem naming the missing settings", r.status, r.header.Get("Content-Type"), r.body)
	}
}

// TestCalendarConnectEndedOnGooglesPage: when Google's consent page answers
// with an error instead of a code, the operator is sent back to their hours
// page told why (refused: they said no; failed: anything else), the one-time
// state is spent, and a link whose state is unknown goes to the console's home.
func TestCalendarConnectEndedOnGooglesPage(t *testing.T) {
	t.Parallel()
	fake := gcaltest.New(t)
	admin, org, _, inbox, _ := setUpShopFull(t, false, withGoogleCalendar(fake))
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	noFollow := *ana.http
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	state := func() string {
		var start struct {
			AuthorizationURL string `json:"authorization_url"`
		}
		ana.must(200, "POST", orgPath+"/operators/"+anaID+"/calendar/connect", nil).decode(t, &start)
		u, err := url.Parse(start.AuthorizationURL)
		if err != nil {
			t.Fatal(err)
		}
		return u.Query().Get("state")
	}
	callback := func(googleError, state string) string {
		t.Helper()
		resp, err := noFollow.Get(ana.base + "/api/v1/google-calendar/callback?" + url.Values{"error": {googleError}, "state": {state}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("callback with error=%s answered %d; want 303", googleError, resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	hours := ana.base + "/orgs/" + org + "/operators/" + anaID + "/availability"
	refused := state()
	if got := callback("access_denied", refused); got != hours+"?calendar=refused" {
		t.Errorf("refused on Google's page: sent to %q; want %q", got, hours+"?calendar=refused")
	}
	failed := state()
	if got := callback("server_error", failed); got != hours+"?calendar=failed" {
		t.Errorf("Google's page failed: sent to %q; want %q", got, hours+"?calendar=failed")
	}
	for _, spent := range []string{refused, failed} {
		if got := callback("access_denied", spent); got != ana.base+"/" {
			t.Errorf("a spent state again: sent to %q; want the console's home", got)
		}
	}
	var st calendarStatus
	ana.must(200, "GET", orgPath+"/operators/"+anaID+"/calendar", nil).decode(t, &st)
	if st.State != "not_connected" {
		t.Errorf("after the refusals the calendar is %q; want not_connected", st.State)
	}
}
