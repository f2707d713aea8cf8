package gcal

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/api/googleapi"

	"github.com/astralisops/astralis/internal/gcal/gcaltest"
)

// pushReceiver is our webhook: it hands over the headers of every push.
func pushReceiver(t *testing.T) (string, <-chan http.Header) {
	t.Helper()
	pushes := make(chan http.Header, 64)
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		pushes <- r.Header.Clone()
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/gcal/push", pushes
}

func nextPush(t *testing.T, pushes <-chan http.Header) http.Header {
	t.Helper()
	select {
	case h := <-pushes:
		return h
	case <-time.After(5 * time.Second):
		t.Fatal("no push notification")
		return nil
	}
}

func noPush(t *testing.T, pushes <-chan http.Header, why string) {
	t.Helper()
	select {
	case h := <-pushes:
		t.Fatalf("%s: a push came: %v", why, h)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestWatchPushesChangesUntilStopped: a channel gets the sync message, then
// one per change, the owner's and ours, with our channel id and token;
// paused pushes are lost until Notify; once stopped, nothing comes.
func TestWatchPushesChangesUntilStopped(t *testing.T) {
	ctx := context.Background()
	fake := gcaltest.New(t)
	c := newClient(t, fake)
	address, pushes := pushReceiver(t)
	ch, err := c.Watch(ctx, "channel-1", "channel-token", address, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if ch.ID != "channel-1" || ch.ResourceID == "" || ch.Expiration.Sub(time.Now().Add(time.Hour)).Abs() > time.Minute {
		t.Fatalf("channel %+v; want channel-1 with a resource id, expiring in an hour", ch)
	}
	if live := fake.Channels(); len(live) != 1 || live[0].Address != address || live[0].Token != "channel-token" {
		t.Fatalf("the fake's channels: %+v", live)
	}
	expect := func(h http.Header, state string, number int) {
		t.Helper()
		if h.Get("X-Goog-Channel-ID") != ch.ID || h.Get("X-Goog-Channel-Token") != "channel-token" || h.Get("X-Goog-Resource-ID") != ch.ResourceID ||
			h.Get("X-Goog-Resource-State") != state || h.Get("X-Goog-Message-Number") != strconv.Itoa(number) {
			t.Fatalf("push %v; want %s number %d on channel %+v", h, state, number, ch)
		}
	}
	expect(nextPush(t, pushes), "sync", 1)
	now := time.Now()
	fake.Put(gcaltest.Event{ID: "dentist", Start: at(now), End: at(now.Add(time.Hour))})
	expect(nextPush(t, pushes), "exists", 2)
	if err := c.PutBookingEvent(ctx, uuid.New(), now, now.Add(time.Hour), "Consultation"); err != nil {
		t.Fatal(err)
	}
	expect(nextPush(t, pushes), "exists", 3)

	fake.PausePushes(true)
	fake.Delete("dentist")
	noPush(t, pushes, "paused")
	fake.Notify()
	expect(nextPush(t, pushes), "exists", 4)
	fake.PausePushes(false)

	if err := c.StopChannel(ctx, ch.ID, ch.ResourceID); err != nil {
		t.Fatal(err)
	}
	if live := fake.Channels(); len(live) != 0 {
		t.Fatalf("channels after the stop: %+v", live)
	}
	fake.Put(gcaltest.Event{ID: "dentist", Start: at(now), End: at(now.Add(time.Hour))})
	noPush(t, pushes, "after the stop")
	if err := c.StopChannel(ctx, ch.ID, ch.ResourceID); err != nil {
		t.Fatalf("stopping a stopped channel: %v; want no error", err)
	}
}

// TestPermanentErrors: the API's refusals are permanent, its outages and
// the network's failures are not.
func TestPermanentErrors(t *testing.T) {
	ctx := context.Background()
	fake := gcaltest.New(t)
	c := newClient(t, fake)
	if _, err := c.Watch(ctx, "channel-1", "", "", time.Hour); err == nil || !IsPermanent(err) {
		t.Errorf("a watch without an address (400): %v; want a permanent error", err)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":{"code":503,"message":"Backend Error"}}`, http.StatusServiceUnavailable)
	}))
	outage, err := New(ctx, http.DefaultClient, down.URL+"/calendar/v3/", "primary")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := outage.Sync(ctx, "", time.Now()); err == nil || IsPermanent(err) {
		t.Errorf("a 503: %v; want a transient error", err)
	}
	down.Close()
	if _, _, err := outage.Sync(ctx, "", time.Now()); err == nil || IsPermanent(err) {
		t.Errorf("a refused connection: %v; want a transient error", err)
	}

	wrapped := func(code int, reason string) error {
		return failed("list events", &googleapi.Error{Code: code, Errors: []googleapi.ErrorItem{{Reason: reason}}})
	}
	for _, tc := range []struct {
		err       error
		permanent bool
	}{
		{wrapped(http.StatusBadRequest, "invalid"), true},
		{wrapped(http.StatusForbidden, "forbidden"), true},
		{wrapped(http.StatusForbidden, "rateLimitExceeded"), false},
		{wrapped(http.StatusForbidden, "userRateLimitExceeded"), false},
		{wrapped(http.StatusNotFound, "notFound"), true},
		{wrapped(http.StatusTooManyRequests, "rateLimitExceeded"), false},
		{wrapped(http.StatusUnauthorized, "authError"), false},
		{wrapped(http.StatusInternalServerError, "backendError"), false},
		{ErrSyncTokenGone, true},
		{context.DeadlineExceeded, false},
		{errors.New("something else"), false},
	} {
		if got := IsPermanent(tc.err); got != tc.permanent {
			t.Errorf("IsPermanent(%v) = %v; want %v", tc.err, got, tc.permanent)
		}
	}
}

// TestBookingOfInvertsBookingEventID: an event id gives back its booking;
// other ids give none.
func TestBookingOfInvertsBookingEventID(t *testing.T) {
	booking := uuid.New()
	if got, ok := BookingOf(BookingEventID(booking)); !ok || got != booking {
		t.Fatalf("BookingOf(BookingEventID(%s)) = %s, %v", booking, got, ok)
	}
	id := BookingEventID(booking)
	for _, other := range []string{"dentist", id[:len(id)-2], id + "00", "astr" + "zz" + id[6:], "x" + id[1:]} {
		if _, ok := BookingOf(other); ok || IsBookingEvent(other) {
			t.Errorf("%q was taken for a booking's event", other)
		}
	}
}

// TestRetriedBookingWritesLeaveOneEvent: a retried write finds the event
// its first attempt made at those times and leaves it; one moved in the
// calendar meanwhile is left to the sync until a reset puts it back; one
// deleted there comes back; never a second event.
func TestRetriedBookingWritesLeaveOneEvent(t *testing.T) {
	fake := gcaltest.New(t)
	c := newClient(t, fake)
	booking := uuid.New()
	id := BookingEventID(booking)
	start := time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
	put := func() {
		t.Helper()
		if err := c.PutBookingEvent(context.Background(), booking, start, start.Add(time.Hour), "Consultation"); err != nil {
			t.Fatal(err)
		}
	}
	put()
	first, _ := fake.Get(id)
	put()
	if again, _ := fake.Get(id); again.Updated != first.Updated || fake.Inserts(id) != 1 {
		t.Fatalf("a retried write changed the event (%s → %s) or inserted again (%d inserts); want it left alone", first.Updated, again.Updated, fake.Inserts(id))
	}
	moved := first
	moved.Start = &gcaltest.DateTime{DateTime: start.Add(3 * time.Hour).Format(time.RFC3339)}
	fake.Put(moved)
	put()
	if ev, _ := fake.Get(id); ev.Start.DateTime != moved.Start.DateTime {
		t.Fatalf("the event is at %s after a write; want the operator's move kept for the sync to follow", ev.Start.DateTime)
	}
	if err := c.ResetBookingEvent(context.Background(), booking, start, start.Add(time.Hour), "Consultation"); err != nil {
		t.Fatal(err)
	}
	if ev, _ := fake.Get(id); ev.Start.DateTime != start.Format(time.RFC3339) {
		t.Fatalf("the event is at %s after a reset; want it back at the booking's time", ev.Start.DateTime)
	}
	// The booking follows a move made there: the next write only stamps the
	// event, so a later move of the booking is written, not mistaken for the operator's.
	followed := start.Add(5 * time.Hour)
	moved.Start, moved.End = &gcaltest.DateTime{DateTime: followed.Format(time.RFC3339)}, &gcaltest.DateTime{DateTime: followed.Add(time.Hour).Format(time.RFC3339)}
	if current, _ := fake.Get(id); true {
		moved.ExtendedProperties = current.ExtendedProperties
	}
	fake.Put(moved)
	if err := c.PutBookingEvent(context.Background(), booking, followed, followed.Add(time.Hour), "Consultation"); err != nil {
		t.Fatal(err)
	}
	later := followed.Add(24 * time.Hour)
	if err := c.PutBookingEvent(context.Background(), booking, later, later.Add(time.Hour), "Consultation"); err != nil {
		t.Fatal(err)
	}
	if ev, _ := fake.Get(id); ev.Start.DateTime != later.Format(time.RFC3339) {
		t.Fatalf("the event is at %s; want the booking's later move written", ev.Start.DateTime)
	}
	fake.Delete(id)
	put()
	if ev, _ := fake.Get(id); ev.Status != "confirmed" || len(fake.Events()) != 1 || fake.Inserts(id) != 1 {
		t.Fatalf("after a deletion and a write: %+v, %d events, %d inserts; want the one event back", ev, len(fake.Events()), fake.Inserts(id))
	}
}

// TestSlowListLetsOtherRequestsThrough: a delayed events.list page holds up
// only its own request, which its context can give up on.
func TestSlowListLetsOtherRequestsThrough(t *testing.T) {
	fake := gcaltest.New(t)
	c := newClient(t, fake)
	fake.SetListDelay(2 * time.Second)
	listCtx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	listed := make(chan error, 1)
	go func() { _, _, err := c.Sync(listCtx, "", time.Now()); listed <- err }()
	time.Sleep(100 * time.Millisecond) // the list is waiting now
	began := time.Now()
	if err := c.PutBookingEvent(context.Background(), uuid.New(), began, began.Add(time.Hour), "Consultation"); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(began); waited > 300*time.Millisecond {
		t.Errorf("an insert waited %s behind a slow list", waited)
	}
	if err := <-listed; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the slow list: %v; want its deadline exceeded", err)
	}
}

// TestBookingEventCarriesTheStartWeWrote: the start we wrote rides in the
// event (a private extended property) and comes back from a sync, also once
// the event was moved in the calendar: that is how a move there is told from
// a write of ours.
func TestBookingEventCarriesTheStartWeWrote(t *testing.T) {
	fake := gcaltest.New(t)
	c := newClient(t, fake)
	booking := uuid.New()
	start := time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
	now := start.Add(-time.Hour)
	if err := c.PutBookingEvent(context.Background(), booking, start, start.Add(time.Hour), "Consultation"); err != nil {
		t.Fatal(err)
	}
	events, token, err := c.Sync(context.Background(), "", now)
	if err != nil || len(events) != 1 || !events[0].WrittenStart.Equal(start) {
		t.Fatalf("synced %+v, %v; want the booking's event carrying its start", events, err)
	}
	moved, _ := fake.Get(BookingEventID(booking))
	moved.Start = &gcaltest.DateTime{DateTime: start.Add(2 * time.Hour).Format(time.RFC3339)}
	fake.Put(moved)
	events, _, err = c.Sync(context.Background(), token, now)
	if err != nil || len(events) != 1 || !events[0].WrittenStart.Equal(start) || !events[0].Start.Equal(start.Add(2*time.Hour)) {
		t.Fatalf("after a move in the calendar: %+v, %v; want it at 11:00, still saying we wrote 9:00", events, err)
	}
}

// TestWriteAtTheMovedStartStampsTheEvent: an event the operator moved and
// stretched, whose new start the booking followed (with the service's own
// length), is updated by the next write: its end, and the start we know.
func TestWriteAtTheMovedStartStampsTheEvent(t *testing.T) {
	fake := gcaltest.New(t)
	c := newClient(t, fake)
	booking := uuid.New()
	id := BookingEventID(booking)
	start := time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
	if err := c.PutBookingEvent(context.Background(), booking, start, start.Add(30*time.Minute), "Consultation"); err != nil {
		t.Fatal(err)
	}
	moved, _ := fake.Get(id)
	at := start.Add(2 * time.Hour)
	moved.Start, moved.End = &gcaltest.DateTime{DateTime: at.Format(time.RFC3339)}, &gcaltest.DateTime{DateTime: at.Add(45 * time.Minute).Format(time.RFC3339)}
	fake.Put(moved)
	if err := c.PutBookingEvent(context.Background(), booking, at, at.Add(30*time.Minute), "Consultation"); err != nil {
		t.Fatal(err)
	}
	events, _, err := c.Sync(context.Background(), "", start.Add(-time.Hour))
	if err != nil || len(events) != 1 || !events[0].End.Equal(at.Add(30*time.Minute)) || !events[0].WrittenStart.Equal(at) {
		t.Fatalf("after the write: %+v, %v; want it ending with the booking and knowing its start", events, err)
	}
}
