package gcal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/gcal/gcaltest"
)

func newClient(t *testing.T, fake *gcaltest.Server) *Client {
	t.Helper()
	c, err := New(context.Background(), http.DefaultClient, fake.URL, "primary")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func at(t time.Time) *gcaltest.DateTime { return &gcaltest.DateTime{DateTime: t.Format(time.RFC3339)} }

// TestThousandEventsSyncThenOneChangeCostsOneRequest: a full sync follows
// every page of 1,000 events; a later change to one of them is one
// incremental request that returns just it, and a deletion comes back as such.
func TestThousandEventsSyncThenOneChangeCostsOneRequest(t *testing.T) {
	fake := gcaltest.New(t)
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for i := range 1000 {
		start := now.Add(time.Duration(i) * time.Hour)
		fake.Put(gcaltest.Event{ID: fmt.Sprintf("ev%04d", i), Summary: "busy", Start: at(start), End: at(start.Add(30 * time.Minute))})
	}
	c := newClient(t, fake)
	events, token, err := c.Sync(context.Background(), "", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1000 || token == "" || fake.ListCalls() != 4 {
		t.Fatalf("full sync: %d events, token %q, %d requests; want 1000 in 4 pages and a sync token", len(events), token, fake.ListCalls())
	}
	moved := now.Add(5000 * time.Hour)
	fake.Put(gcaltest.Event{ID: "ev0007", Summary: "busy", Start: at(moved), End: at(moved.Add(time.Hour))})
	before := fake.ListCalls()
	events, token2, err := c.Sync(context.Background(), token, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].ID != "ev0007" || !events[0].Start.Equal(moved) || fake.ListCalls()-before != 1 || token2 == token {
		t.Fatalf("incremental sync: %+v in %d requests, token %q → %q; want the one moved event in one request and a new token", events, fake.ListCalls()-before, token, token2)
	}
	fake.Delete("ev0008")
	events, _, err = c.Sync(context.Background(), token2, now)
	if err != nil || len(events) != 1 || events[0].ID != "ev0008" || !events[0].Cancelled {
		t.Fatalf("after a deletion: %+v, %v; want ev0008 reported cancelled", events, err)
	}
}

// TestGoneSyncTokenAsksForAFullSync: Google's 410 is ErrSyncTokenGone.
func TestGoneSyncTokenAsksForAFullSync(t *testing.T) {
	fake := gcaltest.New(t)
	c := newClient(t, fake)
	now := time.Now()
	_, token, err := c.Sync(context.Background(), "", now)
	if err != nil {
		t.Fatal(err)
	}
	fake.ExpireSyncTokens()
	if _, _, err := c.Sync(context.Background(), token, now); !errors.Is(err, ErrSyncTokenGone) {
		t.Fatalf("an expired token: %v; want ErrSyncTokenGone", err)
	}
	if _, token, err := c.Sync(context.Background(), "", now); err != nil || token == "" {
		t.Fatalf("the full sync after it: %q, %v", token, err)
	}
}

// TestBusyTime: timed and all-day events block (all-day ones their whole
// dates in the operator's zone); events shown as free, cancelled ones and our
// own bookings' do not.
func TestBusyTime(t *testing.T) {
	fake := gcaltest.New(t)
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	booking := uuid.New()
	fake.Put(gcaltest.Event{ID: "dentist", Start: at(now), End: at(now.Add(time.Hour))})
	fake.Put(gcaltest.Event{ID: "reminder", Transparency: "transparent", Start: at(now.Add(2 * time.Hour)), End: at(now.Add(3 * time.Hour))})
	fake.Put(gcaltest.Event{ID: "holiday", Start: &gcaltest.DateTime{Date: "2026-12-08"}, End: &gcaltest.DateTime{Date: "2026-12-09"}})
	fake.Put(gcaltest.Event{ID: "dropped", Start: at(now.Add(4 * time.Hour)), End: at(now.Add(5 * time.Hour))})
	fake.Delete("dropped")
	fake.Put(gcaltest.Event{ID: BookingEventID(booking), Start: at(now.Add(6 * time.Hour)), End: at(now.Add(7 * time.Hour))})
	c := newClient(t, fake)
	events, _, err := c.Sync(context.Background(), "", now)
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	busy := Busy(events, ny)
	if len(busy) != 2 {
		t.Fatalf("busy %v; want the dentist and the holiday only", busy)
	}
	day := time.Date(2026, 12, 8, 0, 0, 0, 0, ny)
	found := map[string]bool{}
	for _, b := range busy {
		found[b.Start.UTC().Format(time.RFC3339)+"/"+b.End.UTC().Format(time.RFC3339)] = true
	}
	for _, want := range []string{now.Format(time.RFC3339) + "/" + now.Add(time.Hour).Format(time.RFC3339), day.UTC().Format(time.RFC3339) + "/" + day.AddDate(0, 0, 1).UTC().Format(time.RFC3339)} {
		if !found[want] {
			t.Errorf("busy %v lacks %s", busy, want)
		}
	}
}

// TestBookingEventsAreWrittenOnce: writing a booking twice (a retried step,
// then a move) leaves one event at the latest time; deleting twice is fine.
func TestBookingEventsAreWrittenOnce(t *testing.T) {
	fake := gcaltest.New(t)
	c := newClient(t, fake)
	booking := uuid.New()
	start := time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
	for i := range 2 {
		if err := c.PutBookingEvent(context.Background(), booking, start.Add(time.Duration(i)*time.Hour), start.Add(time.Duration(i)*time.Hour+30*time.Minute), "Consultation"); err != nil {
			t.Fatal(err)
		}
	}
	ev, ok := fake.Get(BookingEventID(booking))
	if !ok || ev.Start.DateTime != start.Add(time.Hour).Format(time.RFC3339) || ev.Status != "confirmed" {
		t.Fatalf("the booking's event %+v; want one event at 10:00", ev)
	}
	for range 2 {
		if err := c.DeleteBookingEvent(context.Background(), booking); err != nil {
			t.Fatal(err)
		}
	}
	if ev, _ := fake.Get(BookingEventID(booking)); ev.Status != "cancelled" {
		t.Errorf("after the deletion: %+v", ev)
	}
	if !IsBookingEvent(BookingEventID(booking)) || IsBookingEvent("dentist") {
		t.Error("booking event ids are not told from others")
	}
}
