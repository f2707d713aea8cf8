package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/gcal"
	"github.com/astralisops/astralis/internal/gcal/gcaltest"
)

// runCrashTestCalendar connects an operator's Google Calendar (a fake one,
// speaking Google's OAuth and Calendar JSON) holding 1,000 events, kills
// `astralis dev` with SIGKILL while the first full sync is paging through
// them, restarts it, and checks every event became busy time once and every
// booking is in the calendar once. It then kills it again in the middle of an
// incremental sync and checks the sync resumed from its token (no full sync
// again), and that a later change to one event costs one request.
func runCrashTestCalendar(args []string) int {
	fs := flag.NewFlagSet("crash-test-calendar", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "astralis crash-test-calendar: FAIL: %v\n", err)
		return 1
	}
	fake := gcaltest.Start()
	defer fake.Close()
	fake.RequireAuth()
	first := time.Now().UTC().Truncate(time.Hour).Add(24 * time.Hour)
	const events = 1000
	for i := range events {
		at := first.Add(time.Duration(i) * time.Hour)
		fake.Put(gcaltest.Event{ID: fmt.Sprintf("ext%04d", i), Summary: "Busy", Start: &gcaltest.DateTime{DateTime: at.Format(time.RFC3339)},
			End: &gcaltest.DateTime{DateTime: at.Add(30 * time.Minute).Format(time.RFC3339)}})
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	dev, err := startScratchDev("calendar-crash-test", func(api string) {
		for name, value := range map[string]string{
			"CLIENT_ID": fake.ClientID, "CLIENT_SECRET": fake.ClientSecret, "TOKEN_KEY": base64.StdEncoding.EncodeToString(key),
			"WEBHOOK_URL": api + "/api/v1/webhooks/google-calendar", "POLL_INTERVAL": "1h",
			"API_ENDPOINT": fake.URL, "AUTH_URL": fake.AuthURL, "TOKEN_URL": fake.TokenURL, "REVOKE_URL": fake.RevokeURL,
		} {
			os.Setenv("ASTRALIS_GOOGLE_CALENDAR_"+name, value)
		}
	})
	if err != nil {
		return fail(err)
	}
	stop := dev.Stop
	defer func() { stop() }()
	s, err := signIn(dev.API, dev.AdminEmail, dev.AdminPass)
	if err != nil {
		return fail(err)
	}
	var org, me struct {
		ID string `json:"id"`
	}
	if err := s.call("POST", "/api/v1/orgs", map[string]string{"name": "Calendar crash test"}, &org); err != nil {
		return fail(err)
	}
	if err := s.call("GET", "/api/v1/me", nil, &me); err != nil {
		return fail(err)
	}
	path := "/api/v1/orgs/" + org.ID
	week := map[string]any{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
		week[d] = []map[string]string{{"start": "00:00", "end": "24:00"}}
	}
	if err := s.call("PUT", path+"/operators/"+me.ID+"/availability", map[string]any{"time_zone": "UTC", "weekly": week}, nil); err != nil {
		return fail(err)
	}
	if err := s.call("POST", path+"/services", map[string]any{"key": "call", "name": "Call", "duration_minutes": 15, "operators": []string{me.ID}}, nil); err != nil {
		return fail(err)
	}
	// Three bookings made before connecting, between the calendar's events:
	// the first sync writes them to the calendar.
	booked := map[string]time.Time{}
	for i := range 3 {
		start := first.Add(time.Duration(i)*time.Hour + 30*time.Minute)
		var b struct {
			ID string `json:"id"`
		}
		if err := s.call("POST", path+"/bookings", map[string]any{"service": "call", "start": start, "client": map[string]string{"name": "Client", "email": "client@example.com"}}, &b); err != nil {
			return fail(err)
		}
		booked[b.ID] = start
	}

	fake.SetListDelay(time.Second) // four pages of 250: the full sync takes seconds
	if err := connectGoogleCalendar(s, path+"/operators/"+me.ID+"/calendar/connect"); err != nil {
		return fail(err)
	}
	if err := waitUntil(time.Minute, func() bool { return fake.ListCalls() >= 2 }); err != nil {
		return fail(fmt.Errorf("the first sync never started paging: %w", err))
	}
	dev.Kill()
	fmt.Printf("kill -9 during the first full sync, after %d of its page requests\n", fake.ListCalls())
	ctx := context.Background()
	restart := func() error {
		time.Sleep(time.Second)
		if dev, err = startDevAt("calendar-crash-test", dev.DataDir, dev.ports); err != nil {
			return fmt.Errorf("restart: %w", err)
		}
		stop = dev.Stop
		return nil
	}
	if err := restart(); err != nil {
		return fail(err)
	}
	db, err := dev.database(ctx)
	if err != nil {
		return fail(err)
	}
	defer func() { db.Close(ctx) }()
	synced := func() bool {
		var n int
		return db.QueryRow(ctx, "SELECT count(*) FROM calendar_connections WHERE last_sync_at IS NOT NULL AND sync_token <> ''").Scan(&n) == nil && n == 1
	}
	// The killed step is retried once its attempt times out (a minute).
	if err := waitUntil(3*time.Minute, synced); err != nil {
		return fail(fmt.Errorf("the sync did not finish after the restart: %w", err))
	}
	var busy, distinct int
	if err := db.QueryRow(ctx, "SELECT count(*), count(DISTINCT event_id) FROM external_busy").Scan(&busy, &distinct); err != nil {
		return fail(err)
	}
	if busy != events || distinct != events {
		return fail(fmt.Errorf("%d busy rows (%d distinct events) after the restart; want each of the %d events once", busy, distinct, events))
	}
	if err := bookingEventsOnce(fake, booked); err != nil {
		return fail(err)
	}
	fmt.Printf("after the restart: %d events are busy time once each; the %d bookings are in the calendar once each\n", busy, len(booked))

	// Kill again while an incremental sync waits on Google: after the restart
	// it resumes from the saved token, with no full sync.
	fullBefore := fake.FullListCalls()
	fake.SetListDelay(5 * time.Second)
	calls := fake.ListCalls()
	moved := first.Add(5000 * time.Hour)
	fake.Put(gcaltest.Event{ID: "ext0007", Summary: "Busy", Start: &gcaltest.DateTime{DateTime: moved.Format(time.RFC3339)},
		End: &gcaltest.DateTime{DateTime: moved.Add(time.Hour).Format(time.RFC3339)}})
	if err := waitUntil(time.Minute, func() bool { return fake.ListCalls() > calls }); err != nil {
		return fail(fmt.Errorf("the push did not start an incremental sync: %w", err))
	}
	dev.Kill()
	fmt.Println("kill -9 during an incremental sync")
	fake.SetListDelay(0)
	if err := restart(); err != nil {
		return fail(err)
	}
	db.Close(ctx)
	if db, err = dev.database(ctx); err != nil {
		return fail(err)
	}
	hasMoved := func(id string, start time.Time) func() bool {
		return func() bool {
			var at time.Time
			return db.QueryRow(ctx, "SELECT starts_at FROM external_busy WHERE event_id = $1", id).Scan(&at) == nil && at.Equal(start)
		}
	}
	if err := waitUntil(3*time.Minute, hasMoved("ext0007", moved)); err != nil {
		return fail(fmt.Errorf("the change never arrived after the restart: %w", err))
	}
	if fake.FullListCalls() != fullBefore {
		return fail(fmt.Errorf("%d full-sync requests after the second restart; want it to resume from its sync token", fake.FullListCalls()-fullBefore))
	}
	// One more change, with nothing killed: one incremental request.
	calls = fake.ListCalls()
	moved = moved.Add(time.Hour)
	fake.Put(gcaltest.Event{ID: "ext0100", Summary: "Busy", Start: &gcaltest.DateTime{DateTime: moved.Format(time.RFC3339)},
		End: &gcaltest.DateTime{DateTime: moved.Add(time.Hour).Format(time.RFC3339)}})
	if err := waitUntil(time.Minute, hasMoved("ext0100", moved)); err != nil {
		return fail(err)
	}
	time.Sleep(2 * time.Second) // a second request would be in by now
	if n := fake.ListCalls() - calls; n != 1 {
		return fail(fmt.Errorf("a change to one event cost %d requests; want 1", n))
	}
	if err := db.QueryRow(ctx, "SELECT count(*), count(DISTINCT event_id) FROM external_busy").Scan(&busy, &distinct); err != nil {
		return fail(err)
	}
	if busy != events || distinct != events {
		return fail(fmt.Errorf("%d busy rows (%d distinct) at the end; want %d", busy, distinct, events))
	}
	if err := bookingEventsOnce(fake, booked); err != nil {
		return fail(err)
	}
	fmt.Println("PASS: after two kill -9s every event is busy time once, every booking is in the calendar once, the sync resumed from its token, and one change cost one request")
	return 0
}

// bookingEventsOnce checks the calendar holds one event per booking, at its
// time, and no other booking event.
func bookingEventsOnce(fake *gcaltest.Server, booked map[string]time.Time) error {
	n := 0
	for _, ev := range fake.Events() {
		if !gcal.IsBookingEvent(ev.ID) || ev.Status == "cancelled" {
			continue
		}
		n++
		id, _ := gcal.BookingOf(ev.ID)
		start, ok := booked[id.String()]
		if !ok || ev.Start == nil || ev.Start.DateTime != start.Format(time.RFC3339) {
			return fmt.Errorf("booking event %s at %+v; want one of the bookings at its time", ev.ID, ev.Start)
		}
	}
	if n != len(booked) {
		return fmt.Errorf("%d booking events in the calendar; want %d, one per booking", n, len(booked))
	}
	for id := range booked {
		if _, ok := fake.Get(gcal.BookingEventID(uuid.MustParse(id))); !ok {
			return fmt.Errorf("booking %s is not in the calendar", id)
		}
	}
	return nil
}

// connectGoogleCalendar consents as the signed-in operator's browser would:
// the authorisation URL, Google's redirect to the callback, and the callback.
func connectGoogleCalendar(s *apiSession, connectPath string) error {
	var start struct {
		AuthorizationURL string `json:"authorization_url"`
	}
	if err := s.call("POST", connectPath, nil, &start); err != nil {
		return err
	}
	browser := *s.http
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	next := start.AuthorizationURL
	for range 2 { // Google's consent, then the callback
		resp, err := browser.Get(next)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("%s answered %d", next, resp.StatusCode)
		}
		next = resp.Header.Get("Location")
	}
	if !strings.HasSuffix(next, "calendar=connected") {
		return fmt.Errorf("the connect ended at %s", next)
	}
	return nil
}

func waitUntil(limit time.Duration, ok func() bool) error {
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %v", limit)
		}
		time.Sleep(250 * time.Millisecond)
	}
	return nil
}
