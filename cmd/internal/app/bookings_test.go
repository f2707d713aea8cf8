package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/invite/invitetest"
	"github.com/astralisops/astralis/internal/testenv"
	"github.com/astralisops/astralis/workflows"
)

type bookingView struct {
	ID         string    `json:"id"`
	Status     string    `json:"status"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	OperatorID string    `json:"operator_id"`
	Sequence   int       `json:"sequence"`
	Client     struct {
		Name, Email string
	} `json:"client"`
	Attention string `json:"attention"`
}

// book posts a booking with an optional Idempotency-Key, safe from goroutines.
func book(c *caller, org string, body map[string]any, key string) (reply, error) {
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.base+"/api/v1/orgs/"+org+"/bookings", bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", c.base)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return reply{status: resp.StatusCode, body: buf.Bytes(), header: resp.Header}, nil
}

// TestBookingIsReservedOnceMailedAndChanged: a CLIENT books a slot and both
// sides get the confirmation; the slot is then taken (409 with the nearest
// free slots); a repeated Idempotency-Key answers the same booking; the
// client moves and cancels it, each mailed, and the freed time books again.
func TestBookingIsReservedOnceMailedAndChanged(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	client, _ := join(t, admin, inbox, org, "carl@shop.test", "CLIENT")
	week := everyDay("09:00", "17:00")
	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "UTC", "weekly": week})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 30, "min_notice_minutes": 240, "operators": []string{anaID}})
	d := time.Now().UTC().AddDate(0, 0, 7)
	ten := time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, time.UTC)

	r, err := book(client, org, map[string]any{"service": "consult", "start": ten}, "carl-1")
	if err != nil || r.status != 201 {
		t.Fatalf("booking = %d %s %v", r.status, r.body, err)
	}
	var b bookingView
	r.decode(t, &b)
	if b.Status != "confirmed" || !b.Start.Equal(ten) || !b.End.Equal(ten.Add(30*time.Minute)) || b.OperatorID != anaID || b.Client.Email != "carl@shop.test" {
		t.Fatalf("booking %+v; want Ana's confirmed 10:00–10:30 for Carl, as his account names him", b)
	}
	confirmed := inviteOf(t, inbox.WaitFor(t, "carl@shop.test", "Booked: Consultation"))
	inviteOf(t, inbox.WaitFor(t, "ana@shop.test", "Booked: Consultation"))
	if confirmed.Method != "REQUEST" || confirmed.Sequence != 0 || !confirmed.Start.Equal(ten) || confirmed.Attendees[0].Email != "carl@shop.test" || confirmed.Organizer.Email != "ana@shop.test" {
		t.Errorf("confirmation invite %+v; want a REQUEST, sequence 0, at 10:00, from Ana to Carl", confirmed)
	}
	if again, _ := book(client, org, map[string]any{"service": "consult", "start": ten}, "carl-1"); again.status != 200 || !bytes.Contains(again.body, []byte(b.ID)) {
		t.Errorf("the same Idempotency-Key again = %d %s; want 200 with booking %s", again.status, again.body, b.ID)
	}

	// The slot is Ana's only one at 10:00: someone else gets the nearest free ones.
	r, _ = book(admin, org, map[string]any{"service": "consult", "start": ten, "client": map[string]string{"name": "Dora", "email": "dora@example.com"}}, "")
	var taken struct {
		Status       int `json:"status"`
		Alternatives []struct {
			Start time.Time `json:"start"`
		} `json:"alternatives"`
	}
	r.decode(t, &taken)
	if r.status != 409 || r.header.Get("Content-Type") != "application/problem+json" || len(taken.Alternatives) == 0 || !taken.Alternatives[0].Start.Equal(ten.Add(30*time.Minute)) {
		t.Fatalf("booking a taken slot = %d %s; want 409 problem+json with 10:30 first among the alternatives", r.status, r.body)
	}

	// Carl moves it to 11:00 (the invite's sequence goes up), then cancels it.
	eleven := ten.Add(time.Hour)
	client.must(200, "POST", orgPath+"/bookings/"+b.ID+"/reschedule", map[string]any{"start": eleven}).decode(t, &b)
	if !b.Start.Equal(eleven) || b.Sequence != 1 {
		t.Fatalf("rescheduled booking %+v; want 11:00, sequence 1", b)
	}
	moved := inviteOf(t, inbox.WaitFor(t, "carl@shop.test", "Moved: Consultation"))
	if moved.Method != "REQUEST" || moved.UID != confirmed.UID || moved.Sequence != 1 || !moved.Start.Equal(eleven) {
		t.Errorf("moved invite %+v; want a REQUEST with the same UID, sequence 1, at 11:00", moved)
	}
	if r, _ := book(admin, org, map[string]any{"service": "consult", "start": ten, "client": map[string]string{"name": "Dora", "email": "dora@example.com"}}, ""); r.status != 201 {
		t.Errorf("10:00 after the move = %d %s; want it free again", r.status, r.body)
	}
	client.must(200, "POST", orgPath+"/bookings/"+b.ID+"/cancel", map[string]string{"reason": "travelling"}).decode(t, &b)
	if b.Status != "cancelled" {
		t.Fatalf("cancelled booking %+v", b)
	}
	cancelled := inviteOf(t, inbox.WaitFor(t, "carl@shop.test", "Cancelled: Consultation"))
	inviteOf(t, inbox.WaitFor(t, "ana@shop.test", "Cancelled: Consultation"))
	if cancelled.Method != "CANCEL" || cancelled.UID != confirmed.UID || cancelled.Sequence != 2 || cancelled.Status != "CANCELLED" {
		t.Errorf("cancelling invite %+v; want a CANCEL with the same UID, sequence 2", cancelled)
	}
	if r, _ := book(admin, org, map[string]any{"service": "consult", "start": eleven, "client": map[string]string{"name": "Eve", "email": "eve@example.com"}}, ""); r.status != 201 {
		t.Errorf("11:00 after the cancellation = %d %s; want it free again", r.status, r.body)
	}
	client.must(409, "POST", orgPath+"/bookings/"+b.ID+"/reschedule", map[string]any{"start": ten.Add(2 * time.Hour)})

	// Another CLIENT neither sees nor changes Carl's booking; a service with bookings cannot be deleted.
	dan, _ := join(t, admin, inbox, org, "dan@shop.test", "CLIENT")
	dan.must(404, "GET", orgPath+"/bookings/"+b.ID, nil)
	dan.must(404, "POST", orgPath+"/bookings/"+b.ID+"/cancel", map[string]string{"reason": "not mine"})
	admin.must(409, "DELETE", orgPath+"/services/consult", nil)

	// A CLIENT sees only their own bookings.
	var list struct{ Items []bookingView }
	client.must(200, "GET", orgPath+"/bookings?from="+ten.Add(-time.Hour).Format(time.RFC3339), nil).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != b.ID {
		t.Errorf("Carl's bookings %+v; want only his own", list.Items)
	}
	admin.must(200, "GET", orgPath+"/bookings?from="+ten.Add(-time.Hour).Format(time.RFC3339), nil).decode(t, &list)
	if len(list.Items) != 3 {
		t.Errorf("all bookings %+v; want Carl's, Dora's and Eve's", list.Items)
	}

	// The calendar merges live bookings and local events; Ana's feed serves hers to a calendar app.
	ana.must(201, "POST", orgPath+"/events", map[string]any{"title": "Training", "start": ten.Add(3 * time.Hour), "end": ten.Add(4 * time.Hour)})
	var cal struct {
		Items []struct {
			Kind  string    `json:"kind"`
			Start time.Time `json:"start"`
			Title string    `json:"title"`
		} `json:"items"`
	}
	ana.must(200, "GET", orgPath+"/calendar?from="+ten.Add(-time.Hour).Format(time.RFC3339)+"&to="+ten.Add(8*time.Hour).Format(time.RFC3339), nil).decode(t, &cal)
	var kinds []string
	for _, e := range cal.Items {
		kinds = append(kinds, e.Kind+"@"+e.Start.Format("15:04"))
	}
	if want := []string{"booking@10:00", "booking@11:00", "event@13:00"}; !slices.Equal(kinds, want) {
		t.Errorf("calendar %v; want %v (Dora's and Eve's bookings, the training; not Carl's cancelled one)", kinds, want)
	}
	var feed struct{ URL string }
	ana.must(201, "POST", orgPath+"/operators/"+anaID+"/calendar-feed", nil).decode(t, &feed)
	resp, err := http.Get(feed.URL)
	if err != nil {
		t.Fatal(err)
	}
	ics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := invitetest.CheckLines(ics); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") || err != nil ||
		strings.Count(string(ics), "BEGIN:VEVENT") != 3 || !strings.Contains(string(ics), "DTSTART:"+ten.Format("20060102T150405Z")) {
		t.Errorf("Ana's feed: %d %s, lines %v:\n%s; want her 3 entries as iCalendar", resp.StatusCode, resp.Header.Get("Content-Type"), err, ics)
	}
	ana.must(204, "DELETE", orgPath+"/operators/"+anaID+"/calendar-feed", nil)
	if resp, err := http.Get(feed.URL); err != nil || resp.StatusCode != 404 {
		t.Errorf("a revoked feed answered %v %v; want 404", resp.StatusCode, err)
	}

	// Bad input is named.
	for name, c := range map[string]struct {
		start any
		field string
	}{
		"not on the interval": {ten.Add(7 * time.Minute), "start"},
		"in the past":         {time.Now().Add(-time.Hour).UTC().Truncate(time.Minute), "start"},
		"beyond the horizon":  {ten.AddDate(0, 3, 0), "start"},
		"outside the hours":   {ten.Add(-3 * time.Hour), "start"},
		"inside the notice":   {time.Now().UTC().Add(90 * time.Minute).Truncate(30 * time.Minute), "start"},
		"no start":            {nil, "start"},
	} {
		body := map[string]any{"service": "consult", "client": map[string]string{"name": "Fay", "email": "fay@example.com"}}
		if c.start != nil {
			body["start"] = c.start
		}
		r, _ := book(admin, org, body, "")
		if _, fields := problemFields(t, r); r.status != 422 || !slices.Contains(fields, c.field) {
			t.Errorf("%s: %d %s; want 422 naming %s", name, r.status, r.body, c.field)
		}
		if name == "inside the notice" && !strings.Contains(string(r.body), "notice") {
			t.Errorf("inside the notice: %s; want the notice named as the reason", r.body)
		}
	}
	r, _ = book(admin, org, map[string]any{"service": "massage", "start": ten, "client": map[string]string{"name": "Fay", "email": "fay@example.com"}}, "")
	if _, fields := problemFields(t, r); r.status != 422 || !slices.Contains(fields, "service") {
		t.Errorf("an unknown service: %d %s; want 422 naming service", r.status, r.body)
	}
}

// TestFiftyBookingsOfOneSlotGiveOne: 50 concurrent requests for one slot over
// HTTP: the database lets exactly one through, the other 49 get 409.
func TestFiftyBookingsOfOneSlotGiveOne(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	week := everyDay("09:00", "17:00")
	ana.must(200, "PUT", "/api/v1/orgs/"+org+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "UTC", "weekly": week})
	admin.must(201, "POST", "/api/v1/orgs/"+org+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 30, "buffer_after_minutes": 10, "operators": []string{anaID}})
	d := time.Now().UTC().AddDate(0, 0, 7)
	// Several rounds: concurrent inserts under the overlap constraint can
	// deadlock in PostgreSQL (a victim is retried), a few times in a hundred rounds.
	for _, hour := range []int{10, 12, 14, 16} {
		slot := time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, time.UTC)
		statuses := make([]int, 50)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := book(admin, org, map[string]any{"service": "consult", "start": slot, "client": map[string]string{"name": fmt.Sprintf("Client %d", i), "email": fmt.Sprintf("c%d@example.com", i)}}, "")
				if err != nil {
					t.Error(err)
				}
				statuses[i] = r.status
			}()
		}
		wg.Wait()
		created, conflicts := countOf(statuses, 201), countOf(statuses, 409)
		if created != 1 || conflicts != 49 {
			t.Fatalf("50 bookings of the %d:00 slot: %d created, %d conflicts (%v); want 1 and 49", hour, created, conflicts, statuses)
		}
	}
}

// countOf is how many of the answers' statuses are code.
func countOf(statuses []int, code int) int {
	n := 0
	for _, s := range statuses {
		if s == code {
			n++
		}
	}
	return n
}

// inviteOf is the calendar invite a mail carries, checked by libical (RFC
// 5545 and 5546's restrictions), with CRLF lines of at most 75 octets.
func inviteOf(t *testing.T, m testenv.Mail) invitetest.Invite {
	t.Helper()
	for _, a := range m.Attachments {
		if strings.HasPrefix(a.ContentType, "text/calendar") {
			if err := invitetest.CheckLines(a.Content); err != nil {
				t.Fatalf("invite in %q: %v", m.Subject, err)
			}
			return invitetest.Check(t, a.Content)
		}
	}
	t.Fatalf("mail %q carries no invite (attachments %+v)", m.Subject, m.Attachments)
	return invitetest.Invite{}
}

// TestFiftyReschedulesIntoOneSlotGiveOne: 50 bookings moved at once into the
// same free slot: one moves, 49 get 409 and keep their own time.
func TestFiftyReschedulesIntoOneSlotGiveOne(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	week := everyDay("08:00", "20:00")
	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "UTC", "weekly": week})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 30, "operators": []string{anaID}})
	d := time.Now().UTC().AddDate(0, 0, 7)
	first := time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, time.UTC)
	ids := make([]string, 50)
	for i := range ids {
		start := first.AddDate(0, 0, i/20).Add(time.Duration(i%20) * 30 * time.Minute) // 20 a day, 08:00–18:00
		r, err := book(admin, org, map[string]any{"service": "consult", "start": start, "client": map[string]string{"name": fmt.Sprintf("Client %d", i), "email": fmt.Sprintf("c%d@example.com", i)}}, "")
		if err != nil || r.status != 201 {
			t.Fatalf("booking %d = %d %s %v", i, r.status, r.body, err)
		}
		var b bookingView
		r.decode(t, &b)
		ids[i] = b.ID
	}
	target := first.Add(11 * time.Hour) // 19:00 on the first day: free
	body, _ := json.Marshal(map[string]any{"start": target})
	statuses := make([]int, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := admin.send("POST", orgPath+"/bookings/"+id+"/reschedule", body)
			if err != nil {
				t.Error(err)
			}
			statuses[i] = r.status
		}()
	}
	wg.Wait()
	moved, conflicts := countOf(statuses, 200), countOf(statuses, 409)
	if moved != 1 || conflicts != 49 {
		t.Fatalf("50 reschedules into one slot: %d moved, %d conflicts (%v); want 1 and 49", moved, conflicts, statuses)
	}
	var list struct{ Items []bookingView }
	admin.must(200, "GET", orgPath+"/bookings?from="+first.Format(time.RFC3339)+"&to="+first.AddDate(0, 0, 3).Format(time.RFC3339), nil).decode(t, &list)
	at := 0
	for _, b := range list.Items {
		if b.Start.Equal(target) {
			at++
		}
	}
	if len(list.Items) != 50 || at != 1 {
		t.Errorf("after the race: %d bookings, %d at 19:00; want 50, one of them moved there", len(list.Items), at)
	}
}

// TestReminderIsMailedOnceOnTheRealStack: a booking two minutes ahead with a
// one-minute reminder: the worker's durable timer fires and the client gets
// the reminder, once.
func TestReminderIsMailedOnceOnTheRealStack(t *testing.T) {
	t.Parallel() // it waits for a real timer: let the others run meanwhile
	admin, org, _, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	// Today's hours begin at the booked minute, so the slot is on the interval;
	// Ana works in a zone where it is about noon, far from a day's end.
	start := time.Now().UTC().Add(2 * time.Minute).Truncate(time.Minute).Add(time.Minute)
	zone, local := middayZone(start)
	window := []map[string]string{{"start": local.Format("15:04"), "end": "24:00"}}
	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": zone, "weekly": map[string]any{},
		"overrides": []map[string]any{{"date": local.Format(time.DateOnly), "windows": window}}})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "quick", "name": "Quick call", "duration_minutes": 15,
		"reminder_offsets_minutes": []int{1}, "operators": []string{anaID}})
	r, _ := book(admin, org, map[string]any{"service": "quick", "start": start, "client": map[string]string{"name": "Rita", "email": "rita@example.com"}}, "")
	if r.status != 201 {
		t.Fatalf("booking = %d %s", r.status, r.body)
	}
	inbox.WaitFor(t, "rita@example.com", "Booked: Quick call")
	time.Sleep(time.Until(start.Add(-time.Minute))) // the reminder's moment; WaitFor then allows a minute
	reminder := inbox.WaitFor(t, "rita@example.com", "Reminder: Quick call")
	if len(reminder.Attachments) != 0 {
		t.Errorf("the reminder carries %d attachments; want none (the invite came with the confirmation)", len(reminder.Attachments))
	}
	time.Sleep(20 * time.Second) // a second delivery (a retried step) would be in by now
	reminders := 0
	for _, subject := range inbox.Subjects() {
		if strings.Contains(subject, "Reminder: Quick call") {
			reminders++
		}
	}
	if reminders != 1 {
		t.Fatalf("%d reminders mailed; want exactly one", reminders)
	}
}

// TestDashboardSumsUpBookings: the dashboard shows the week's upcoming
// bookings, the no-show rate of the past 30 days and each operator's booked
// minutes against the minutes their hours offered.
func TestDashboardSumsUpBookings(t *testing.T) {
	admin, org, s, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	week := everyDay("09:00", "17:00")
	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "UTC", "weekly": week})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 30, "operators": []string{anaID}})
	// Three past bookings (the API books only ahead): two took place, one client did not come.
	for i, status := range []string{"completed", "completed", "no_show"} {
		start := time.Now().UTC().AddDate(0, 0, -3-i).Truncate(time.Hour)
		if _, err := s.Pool.Exec(t.Context(), `INSERT INTO bookings (org_id, service_id, operator_id, client_name, client_email, starts_at, ends_at, blocked, status)
			SELECT $1, id, $2, 'Past client', 'past@example.com', $3, $4, tstzrange($3, $4), $5 FROM services WHERE org_id = $1 AND key = 'consult'`,
			org, anaID, start, start.Add(30*time.Minute), status); err != nil {
			t.Fatal(err)
		}
	}
	d := time.Now().UTC().AddDate(0, 0, 2)
	r, _ := book(admin, org, map[string]any{"service": "consult", "start": time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, time.UTC), "client": map[string]string{"name": "Past Client", "email": "PAST@example.com"}}, "")
	if r.status != 201 {
		t.Fatalf("booking = %d %s", r.status, r.body)
	}
	// The client who did not come once before: staff see it on the new booking.
	var next struct {
		ID            string `json:"id"`
		ClientNoShows *int   `json:"client_no_shows"`
	}
	r.decode(t, &next)
	admin.must(200, "GET", orgPath+"/bookings/"+next.ID, nil).decode(t, &next)
	if next.ClientNoShows == nil || *next.ClientNoShows != 1 {
		t.Errorf("the returning client's no-shows = %v; want 1", next.ClientNoShows)
	}
	var dash struct {
		Bookings struct {
			UpcomingWeek int     `json:"upcoming_week"`
			NoShowRate   float64 `json:"no_show_rate"`
			Operators    []struct {
				OperatorID    string  `json:"operator_id"`
				BookedMinutes int     `json:"booked_minutes"`
				WorkMinutes   int     `json:"work_minutes"`
				Utilisation   float64 `json:"utilisation"`
			} `json:"operators"`
		} `json:"bookings"`
	}
	admin.must(200, "GET", orgPath+"/dashboard", nil).decode(t, &dash)
	b := dash.Bookings
	if b.UpcomingWeek != 1 || b.NoShowRate < 0.33 || b.NoShowRate > 0.34 || len(b.Operators) != 1 {
		t.Fatalf("bookings on the dashboard %+v; want 1 upcoming, a no-show rate of 1/3, Ana's load", b)
	}
	if op := b.Operators[0]; op.OperatorID != anaID || op.BookedMinutes != 90 || op.WorkMinutes < 29*480 || op.WorkMinutes > 31*480 || op.Utilisation != float64(90)/float64(op.WorkMinutes) {
		t.Errorf("Ana's load %+v; want 90 booked minutes of about 30 days × 8 h", op)
	}
}

// middayZone names a fixed-offset zone in which t falls near noon, and t there.
func middayZone(t time.Time) (string, time.Time) {
	offset := 12 - t.UTC().Hour() // -11 … 12 hours
	name := "Etc/GMT"
	switch {
	case offset > 0:
		name += fmt.Sprintf("-%d", offset) // POSIX signs: Etc/GMT-3 is UTC+3
	case offset < 0:
		name += fmt.Sprintf("+%d", -offset)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return name, t.In(loc)
}

var bookingLink = regexp.MustCompile(`https?://[^/\s]+/bookings/(astrb_[A-Za-z0-9_-]+)`)

// TestPublicBookingPageAndClientLinks: a client without an account sees an
// organisation's services and slots on its booking page and books; the
// confirmation carries a link that shows, moves and cancels that booking
// only, and stops working when it expires; the page's writes are rate
// limited per address.
func TestPublicBookingPageAndClientLinks(t *testing.T) {
	admin, org, s, inbox, base := setUpShopFull(t, false, trustLocalProxy)
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	week := everyDay("09:00", "17:00")
	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "UTC", "weekly": week})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 30, "operators": []string{anaID}})
	visitor := newBrowserFrom(t, base, "203.0.113.7")
	visitor.must(404, "GET", "/api/v1/public/orgs/fixit/services", nil) // no page yet
	admin.must(200, "PUT", orgPath+"/booking-page", map[string]any{"slug": "fixit", "enabled": true})

	var services struct {
		Items []struct{ Key, Name string } `json:"items"`
	}
	visitor.must(200, "GET", "/api/v1/public/orgs/fixit/services", nil).decode(t, &services)
	if len(services.Items) != 1 || services.Items[0].Key != "consult" {
		t.Fatalf("public services %+v", services.Items)
	}
	d := time.Now().UTC().AddDate(0, 0, 7)
	ten := time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, time.UTC)
	var slots slotsReply
	visitor.must(200, "GET", "/api/v1/public/orgs/fixit/services/consult/slots?from="+ten.Format(time.RFC3339)+"&to="+ten.Add(time.Hour).Format(time.RFC3339), nil).decode(t, &slots)
	if len(slots.Slots) != 2 {
		t.Fatalf("public slots %v; want 10:00 and 10:30", slots.starts())
	}
	var b struct {
		ID     string    `json:"id"`
		Status string    `json:"status"`
		Start  time.Time `json:"start"`
	}
	r := publicPost(t, base, "203.0.113.7", "/api/v1/public/orgs/fixit/bookings", "hana-1",
		map[string]any{"service": "consult", "start": ten, "client": map[string]string{"name": "Hana", "email": "hana@example.com"}})
	if r.status != 201 || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("a website's booking = %d %s (CORS %q); want 201 from any origin", r.status, r.body, r.header.Get("Access-Control-Allow-Origin"))
	}
	r.decode(t, &b)
	// The same key from another visitor is their own request: it opens nothing of Hana's.
	other := publicPost(t, base, "198.51.100.20", "/api/v1/public/orgs/fixit/bookings", "hana-1",
		map[string]any{"service": "consult", "start": ten.Add(30 * time.Minute), "client": map[string]string{"name": "Olga", "email": "olga@example.com"}})
	if other.status != 201 || bytes.Contains(other.body, []byte(b.ID)) || bytes.Contains(other.body, []byte("hana@example.com")) {
		t.Fatalf("another visitor with Hana's Idempotency-Key = %d %s; want a booking of her own", other.status, other.body)
	}
	if again := publicPost(t, base, "203.0.113.7", "/api/v1/public/orgs/fixit/bookings", "hana-1",
		map[string]any{"service": "consult", "start": ten, "client": map[string]string{"name": "Hana", "email": "hana@example.com"}}); again.status != 200 || !bytes.Contains(again.body, []byte(b.ID)) {
		t.Errorf("Hana's retry = %d %s; want 200 with her booking", again.status, again.body)
	}
	// A browser on the website asks first (preflight).
	pre, _ := http.NewRequest("OPTIONS", base+"/api/v1/public/orgs/fixit/bookings", nil)
	pre.Header.Set("Origin", "https://fixit.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	if resp, err := http.DefaultClient.Do(pre); err != nil || resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Errorf("preflight = %v %v; want 204 allowing the request", resp, err)
	}
	mail := inbox.WaitFor(t, "hana@example.com", "Booked: Consultation")
	link := bookingLink.FindStringSubmatch(mail.Text)
	if link == nil {
		t.Fatalf("the confirmation carries no link:\n%s", mail.Text)
	}
	if operatorMail := inbox.WaitFor(t, "ana@shop.test", "Booked: Consultation"); bookingLink.MatchString(operatorMail.Text) {
		t.Error("the operator's mail carries the client's link")
	}
	token := link[1]
	linkPath := "/api/v1/public/bookings/" + token
	stranger := newBrowserFrom(t, base, "198.51.100.9")
	var seen struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	stranger.must(200, "GET", linkPath, nil).decode(t, &seen)
	if seen.ID != b.ID {
		t.Fatalf("the link opens %s; want %s", seen.ID, b.ID)
	}
	stranger.must(404, "GET", "/api/v1/public/bookings/astrb_not-a-real-token", nil)
	// Where it may move: its operator's free slots that day (10:00 is its own, so not free).
	var free slotsReply
	stranger.must(200, "GET", linkPath+"/slots?from="+ten.Format(time.RFC3339)+"&to="+ten.Add(3*time.Hour).Format(time.RFC3339), nil).decode(t, &free)
	if starts := free.starts(); len(starts) == 0 || slices.Contains(starts, ten.Format(time.RFC3339)) {
		t.Errorf("the link's free slots %v; want some, without its own 10:00", starts)
	}
	stranger.must(200, "POST", linkPath+"/reschedule", map[string]any{"start": ten.Add(2 * time.Hour)}).decode(t, &b)
	if !b.Start.Equal(ten.Add(2 * time.Hour)) {
		t.Errorf("moved through the link: %+v; want 12:00", b)
	}
	inbox.WaitFor(t, "hana@example.com", "Moved: Consultation")
	// Another booking's link does not open this one; this link cancels only its own.
	var ivoBooking struct{ ID string }
	admin.must(201, "POST", orgPath+"/bookings", map[string]any{"service": "consult", "start": ten.Add(time.Hour), "client": map[string]string{"name": "Ivo", "email": "ivo@example.com"}}).decode(t, &ivoBooking)
	stranger.must(200, "POST", linkPath+"/cancel", map[string]string{"reason": "plans changed"}).decode(t, &seen)
	var ivo struct{ Status string }
	admin.must(200, "GET", orgPath+"/bookings/"+ivoBooking.ID, nil).decode(t, &ivo)
	if seen.Status != "cancelled" || ivo.Status != "confirmed" {
		t.Errorf("after cancelling through Hana's link: hers %s, Ivo's %s; want cancelled and confirmed", seen.Status, ivo.Status)
	}
	// An expired link opens nothing.
	if _, err := s.Pool.Exec(t.Context(), "UPDATE booking_links SET expires_at = now() - interval '1 second' WHERE booking_id = $1", b.ID); err != nil {
		t.Fatal(err)
	}
	stranger.must(404, "GET", linkPath, nil)

	// Ivo's own link opens his booking, not Hana's.
	ivoLink := bookingLink.FindStringSubmatch(inbox.WaitFor(t, "ivo@example.com", "Booked: Consultation").Text)
	if ivoLink == nil {
		t.Fatal("Ivo's confirmation carries no link")
	}
	stranger.must(200, "GET", "/api/v1/public/bookings/"+ivoLink[1], nil).decode(t, &seen)
	if seen.ID != ivoBooking.ID {
		t.Errorf("Ivo's link opens %s; want his booking %s", seen.ID, ivoBooking.ID)
	}

	// Writes from one address are limited; another address is not held up.
	limited := 0
	for i := range 25 {
		r := visitor.do("POST", "/api/v1/public/orgs/fixit/bookings", map[string]any{"service": "massage", "start": ten, "client": map[string]string{"name": "X", "email": fmt.Sprintf("x%d@example.com", i)}})
		if r.status == 429 {
			limited++
		}
	}
	if limited == 0 {
		t.Error("25 public bookings from one address were never refused with 429")
	}
	if r := stranger.do("POST", "/api/v1/public/orgs/fixit/bookings", map[string]any{"service": "massage", "start": ten, "client": map[string]string{"name": "Y", "email": "y@example.com"}}); r.status != 422 {
		t.Errorf("another address after the limit = %d %s; want 422 (an unknown service), not refused", r.status, r.body)
	}
	// IPv6 addresses count by /64: one network cannot take a fresh budget per address.
	limited = 0
	for i := range 25 {
		if r := publicPost(t, base, fmt.Sprintf("2001:db8::%x", i+1), "/api/v1/public/orgs/fixit/bookings", "", map[string]any{"service": "massage"}); r.status == 429 {
			limited++
		}
	}
	if limited == 0 {
		t.Error("25 public bookings from one IPv6 /64 were never refused with 429")
	}
}

// publicPost is a website's browser posting to the public API from another origin.
func publicPost(t *testing.T, base, from, path, key string, body any) reply {
	t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://fixit.example")
	req.Header.Set("X-Forwarded-For", from)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return reply{status: resp.StatusCode, body: buf.Bytes(), header: resp.Header}
}

// TestSweeperStartsStrandedBookings: a booking saved without its workflow
// (the API stopped between the two) is started by the sweep and confirmed by
// mail; a booking whose workflow runs is left alone and not confirmed twice.
func TestSweeperStartsStrandedBookings(t *testing.T) {
	admin, org, s, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	week := everyDay("09:00", "17:00")
	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "UTC", "weekly": week})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 30, "operators": []string{anaID}})
	d := time.Now().UTC().AddDate(0, 0, 7)
	ten := time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, time.UTC)
	var running bookingView
	admin.must(201, "POST", orgPath+"/bookings", map[string]any{"service": "consult", "start": ten, "client": map[string]string{"name": "Kim", "email": "kim@example.com"}}).decode(t, &running)
	inbox.WaitFor(t, "kim@example.com", "Booked: Consultation")
	kimRun := describe(t, s, workflows.BookingWorkflowID(uuid.MustParse(running.ID))).GetExecution().GetRunId()
	var stranded string
	if err := s.Pool.QueryRow(t.Context(), `INSERT INTO bookings (org_id, service_id, operator_id, client_name, client_email, starts_at, ends_at, blocked)
		SELECT $1, id, $2, 'Lee', 'lee@example.com', $3, $4, tstzrange($3, $4) FROM services WHERE org_id = $1 AND key = 'consult' RETURNING id::text`,
		org, anaID, ten.Add(time.Hour), ten.Add(90*time.Minute)).Scan(&stranded); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool.Exec(t.Context(), "UPDATE bookings SET created_at = now() - interval '5 minutes' WHERE org_id = $1", org); err != nil {
		t.Fatal(err)
	}
	var swept workflows.SweepResult
	runSchedule(t, s, workflows.SweepBookingsSchedule, &swept)
	if swept.Failed != 0 || swept.Started+swept.AlreadyStarted != swept.Found {
		t.Errorf("sweep = %+v: want every stranded booking started or found started", swept)
	}
	inbox.WaitFor(t, "lee@example.com", "Booked: Consultation")
	runSchedule(t, s, workflows.SweepBookingsSchedule, &swept)
	if swept != (workflows.SweepResult{}) {
		t.Errorf("second sweep = %+v, want nothing found", swept)
	}
	kimID := uuid.MustParse(running.ID)
	if info := describe(t, s, workflows.BookingWorkflowID(kimID)); info.GetExecution().GetRunId() != kimRun {
		t.Errorf("Kim's running workflow was replaced by the sweep (run %s, was %s)", info.GetExecution().GetRunId(), kimRun)
	}
}
