// Package gcal reads and writes one Google Calendar through the real client
// library (google.golang.org/api/calendar/v3): full and incremental sync with
// sync tokens, external events as busy time, and the events our bookings
// put there under ids derived from the booking.
package gcal

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/api/calendar/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/astralisops/astralis/internal/scheduling"
)

// ErrSyncTokenGone is Google's 410: the sync token expired; start over with a full sync.
var ErrSyncTokenGone = errors.New("gcal: the sync token is no longer valid: a full sync is needed")

// Event is one calendar event as the sync sees it.
type Event struct {
	ID        string
	Cancelled bool // deleted in the calendar (incremental syncs report deletions)
	// Start and End; an all-day event has AllDay set and Start/End at UTC midnight of its dates.
	Start, End  time.Time
	AllDay      bool
	Transparent bool // shown as "free": it does not block
	Summary     string
	// Updated is when the event last changed in the calendar (deletions included).
	Updated time.Time
	// WrittenStart is, on a booking's event, the start we last wrote (a
	// private extended property, which edits in Google keep): an event whose
	// start differs from it was moved in the calendar since.
	WrittenStart time.Time
}

// writtenStartProperty is the private extended property holding the start we wrote.
const writtenStartProperty = "astralisStart"

// Client is one calendar of one connected account.
type Client struct {
	svc        *calendar.Service
	calendarID string
	// OnPage, when set, is called after each page a sync reads (an activity's heartbeat).
	OnPage func()
}

// New returns a client for calendarID ("primary" for the account's own)
// through httpClient (an OAuth 2.0 client in production); endpoint, when
// set, replaces Google's (a test server).
func New(ctx context.Context, httpClient *http.Client, endpoint, calendarID string) (*Client, error) {
	opts := []option.ClientOption{option.WithHTTPClient(httpClient)}
	if endpoint != "" {
		opts = append(opts, option.WithEndpoint(endpoint))
	}
	svc, err := calendar.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("gcal: %w", err)
	}
	return &Client{svc: svc, calendarID: calendarID}, nil
}

// fullSyncPast is how far back a full sync reads.
const fullSyncPast = 24 * time.Hour

// pageSize is how many events one request asks for (Google allows up to 2500).
const pageSize = 250

// Sync lists the calendar's events: all of them from a day before now when
// syncToken is empty (a full sync), else those changed since the token was
// given (deletions included). It follows every page and answers the events
// and the sync token of the last page, for the next call. A token Google no
// longer accepts is ErrSyncTokenGone.
func (c *Client) Sync(ctx context.Context, syncToken string, now time.Time) ([]Event, string, error) {
	var out []Event
	pageToken := ""
	for {
		call := c.svc.Events.List(c.calendarID).Context(ctx).SingleEvents(true).MaxResults(pageSize)
		if syncToken == "" {
			call = call.TimeMin(now.Add(-fullSyncPast).UTC().Format(time.RFC3339))
		} else {
			call = call.SyncToken(syncToken)
		}
		if pageToken != "" {
			call = call.PageToken(pageToken)
		}
		page, err := call.Do()
		var gerr *googleapi.Error
		if errors.As(err, &gerr) && gerr.Code == http.StatusGone {
			return nil, "", ErrSyncTokenGone
		}
		if err != nil {
			return nil, "", failed("list events", err)
		}
		if c.OnPage != nil {
			c.OnPage()
		}
		for _, item := range page.Items {
			ev, err := eventFrom(item)
			if err != nil {
				return nil, "", err
			}
			out = append(out, ev)
		}
		if page.NextPageToken == "" {
			return out, page.NextSyncToken, nil
		}
		pageToken = page.NextPageToken
	}
}

func eventFrom(item *calendar.Event) (Event, error) {
	ev := Event{ID: item.Id, Cancelled: item.Status == "cancelled", Transparent: item.Transparency == "transparent", Summary: item.Summary}
	if item.Updated != "" {
		updated, err := time.Parse(time.RFC3339, item.Updated)
		if err != nil {
			return Event{}, fmt.Errorf("gcal: event %s has an unreadable update time: %w", item.Id, err)
		}
		ev.Updated = updated
	}
	if item.ExtendedProperties != nil {
		ev.WrittenStart, _ = time.Parse(time.RFC3339, item.ExtendedProperties.Private[writtenStartProperty])
	}
	if ev.Cancelled || item.Start == nil || item.End == nil {
		return ev, nil // a deletion carries little more than its id
	}
	var err error
	if item.Start.Date != "" {
		ev.AllDay = true
		if ev.Start, err = time.Parse(time.DateOnly, item.Start.Date); err == nil {
			ev.End, err = time.Parse(time.DateOnly, item.End.Date)
		}
	} else {
		if ev.Start, err = time.Parse(time.RFC3339, item.Start.DateTime); err == nil {
			ev.End, err = time.Parse(time.RFC3339, item.End.DateTime)
		}
	}
	if err != nil {
		return Event{}, fmt.Errorf("gcal: event %s has unreadable times: %w", item.Id, err)
	}
	return ev, nil
}

// Busy is the time the events block, for slots: events shown as free,
// cancelled ones and our own bookings' (bookings block through the database
// already) do not; an all-day event blocks its whole dates in loc, the
// operator's zone.
func Busy(events []Event, loc *time.Location) []scheduling.Interval {
	var out []scheduling.Interval
	for _, ev := range events {
		if ev.Cancelled || ev.Transparent || IsBookingEvent(ev.ID) || !ev.End.After(ev.Start) {
			continue
		}
		if ev.AllDay {
			from := time.Date(ev.Start.Year(), ev.Start.Month(), ev.Start.Day(), 0, 0, 0, 0, loc)
			until := time.Date(ev.End.Year(), ev.End.Month(), ev.End.Day(), 0, 0, 0, 0, loc)
			out = append(out, scheduling.Interval{Start: from, End: until})
			continue
		}
		out = append(out, scheduling.Interval{Start: ev.Start, End: ev.End})
	}
	return out
}

// bookingEventPrefix starts the ids of the events our bookings put in a
// calendar. Google's event ids are base32hex (0-9, a-v), 5 to 1024 long: a
// booking's uuid in hex fits.
const bookingEventPrefix = "astr"

// BookingEventID is the calendar event id of a booking: derived from it, so
// a retried insert finds the event it made before.
func BookingEventID(booking uuid.UUID) string {
	return bookingEventPrefix + hex.EncodeToString(booking[:])
}

// IsBookingEvent tells our bookings' events from the operator's own.
func IsBookingEvent(id string) bool {
	_, ok := BookingOf(id)
	return ok
}

// BookingOf is the booking whose event id is eventID (the inverse of
// BookingEventID); false for an event that is not a booking's.
func BookingOf(eventID string) (uuid.UUID, bool) {
	hexID, ok := strings.CutPrefix(eventID, bookingEventPrefix)
	var booking uuid.UUID
	if !ok || len(hexID) != 2*len(booking) {
		return uuid.UUID{}, false
	}
	if _, err := hex.Decode(booking[:], []byte(hexID)); err != nil {
		return uuid.UUID{}, false
	}
	return booking, true
}

// PutBookingEvent writes a booking to the calendar, or moves it there: an
// insert under the booking's event id, an update when the event exists. An
// event the operator moved since our last write, to another start than the
// booking's, is left alone: the sync follows that move (or refuses it and
// resets the event); a blind write here would undo it. One at the booking's
// start is updated (its end, and the start we now know it has).
func (c *Client) PutBookingEvent(ctx context.Context, booking uuid.UUID, start, end time.Time, summary string) error {
	return c.putBookingEvent(ctx, booking, start, end, summary, false)
}

// ResetBookingEvent puts a booking's event at its times whatever the
// calendar shows: a move made there that the booking refused.
func (c *Client) ResetBookingEvent(ctx context.Context, booking uuid.UUID, start, end time.Time, summary string) error {
	return c.putBookingEvent(ctx, booking, start, end, summary, true)
}

func (c *Client) putBookingEvent(ctx context.Context, booking uuid.UUID, start, end time.Time, summary string, reset bool) error {
	ev := &calendar.Event{
		Id: BookingEventID(booking), Summary: summary, Status: "confirmed", // a deleted one comes back
		Start:              &calendar.EventDateTime{DateTime: start.UTC().Format(time.RFC3339)},
		End:                &calendar.EventDateTime{DateTime: end.UTC().Format(time.RFC3339)},
		ExtendedProperties: &calendar.EventExtendedProperties{Private: map[string]string{writtenStartProperty: start.UTC().Format(time.RFC3339)}},
	}
	current, err := c.svc.Events.Get(c.calendarID, ev.Id).Context(ctx).Do()
	var gerr *googleapi.Error
	live := err == nil && current.Status != "cancelled"
	atTimes := live && sameTime(current.Start, start) && sameTime(current.End, end)
	switch {
	case atTimes && !movedThere(current):
		return nil
	case atTimes:
		// The booking followed a move made in the calendar: the event only
		// learns that we know its start now (an update with the same times).
		_, err = c.svc.Events.Update(c.calendarID, ev.Id, ev).Context(ctx).Do()
	case live && !reset && movedThere(current) && !sameTime(current.Start, start):
		return nil
	case err == nil:
		_, err = c.svc.Events.Update(c.calendarID, ev.Id, ev).Context(ctx).Do()
	case errors.As(err, &gerr) && gerr.Code == http.StatusNotFound:
		_, err = c.svc.Events.Insert(c.calendarID, ev).Context(ctx).Do()
		if errors.As(err, &gerr) && gerr.Code == http.StatusConflict {
			_, err = c.svc.Events.Update(c.calendarID, ev.Id, ev).Context(ctx).Do()
		}
	}
	if err != nil {
		return failed("write booking "+booking.String(), err)
	}
	return nil
}

// movedThere tells whether an event was moved in the calendar since we last wrote it.
func movedThere(ev *calendar.Event) bool {
	if ev.ExtendedProperties == nil || ev.Start == nil {
		return false
	}
	written, err := time.Parse(time.RFC3339, ev.ExtendedProperties.Private[writtenStartProperty])
	return err == nil && !sameTime(ev.Start, written)
}

// sameTime tells whether an event's start or end is the moment t.
func sameTime(at *calendar.EventDateTime, t time.Time) bool {
	if at == nil || at.DateTime == "" {
		return false
	}
	got, err := time.Parse(time.RFC3339, at.DateTime)
	return err == nil && got.Equal(t)
}

// DeleteBookingEvent removes a booking's event; one already gone is not an error.
func (c *Client) DeleteBookingEvent(ctx context.Context, booking uuid.UUID) error {
	err := c.svc.Events.Delete(c.calendarID, BookingEventID(booking)).Context(ctx).Do()
	var gerr *googleapi.Error
	if errors.As(err, &gerr) && (gerr.Code == http.StatusNotFound || gerr.Code == http.StatusGone) {
		return nil
	}
	if err != nil {
		return failed("delete booking "+booking.String(), err)
	}
	return nil
}

// rateLimitReasons are the 403s that go away with time.
var rateLimitReasons = map[string]bool{"rateLimitExceeded": true, "userRateLimitExceeded": true, "dailyLimitExceeded": true, "quotaExceeded": true}

// IsPermanent tells errors that repeating the same call cannot fix, so an
// activity can give up at once: ErrGrantRevoked (the operator must connect
// again), ErrSyncTokenGone (the caller must start a full sync instead), and
// the API's 400, 403 (other than rate and quota limits), 404 and 410.
// Anything else is worth retrying: 429 and 403 limits, 5xx, network errors
// and timeouts, and 401 (a new access token may fix it).
func IsPermanent(err error) bool {
	if errors.Is(err, ErrGrantRevoked) || errors.Is(err, ErrSyncTokenGone) {
		return true
	}
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return false
	}
	switch gerr.Code {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusGone:
		return true
	case http.StatusForbidden:
		for _, item := range gerr.Errors {
			if rateLimitReasons[item.Reason] {
				return false
			}
		}
		return true
	}
	return false
}
