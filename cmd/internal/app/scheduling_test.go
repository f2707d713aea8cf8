package app

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/gcal"
	"github.com/astralisops/astralis/internal/gcal/gcaltest"
)

type slotsReply struct {
	Slots []struct {
		Start      string `json:"start"`
		End        string `json:"end"`
		OperatorID string `json:"operator_id"`
	} `json:"slots"`
}

func (s slotsReply) starts() []string {
	out := make([]string, len(s.Slots))
	for i, sl := range s.Slots {
		out[i] = sl.Start
	}
	return out
}

// nextWeekday is the date of the first given weekday at least a week after now, in loc.
func nextWeekday(loc *time.Location, day time.Weekday) time.Time {
	d := time.Now().In(loc).AddDate(0, 0, 7)
	for d.Weekday() != day {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
}

// TestServicesHoursAndEventsMakeTheSlots: an operator's working hours in
// their own zone, a service they offer, and a local event in their day give
// the free slots a client sees, in the zone the client asks for.
func TestServicesHoursAndEventsMakeTheSlots(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	client, clientID := join(t, admin, inbox, org, "carl@shop.test", "CLIENT")

	// None saved yet: no hours and no zone (the console then starts in the editor's own).
	var none struct {
		TimeZone *string                        `json:"time_zone"`
		Weekly   map[string][]map[string]string `json:"weekly"`
	}
	ana.must(200, "GET", orgPath+"/operators/"+anaID+"/availability", nil).decode(t, &none)
	if none.TimeZone == nil || *none.TimeZone != "" || len(none.Weekly) != 0 {
		t.Fatalf("Ana's hours before she saved any: %+v; want none, with an empty time_zone", none)
	}

	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{
		"time_zone": "America/New_York",
		"weekly":    map[string]any{"mon": []map[string]string{{"start": "09:00", "end": "12:00"}}, "tue": []map[string]string{{"start": "09:00", "end": "10:00"}, {"start": "14:00", "end": "15:00"}}},
	})
	admin.must(201, "POST", orgPath+"/services", map[string]any{
		"key": "consult", "name": "Consultation", "duration_minutes": 30, "operators": []string{anaID},
		"location": map[string]string{"video_url": "https://meet.example.com/ana"},
	})
	var svc struct {
		IntervalMinutes        int      `json:"interval_minutes"`
		ReminderOffsetsMinutes []int    `json:"reminder_offsets_minutes"`
		Operators              []string `json:"operators"`
	}
	client.must(200, "GET", orgPath+"/services/consult", nil).decode(t, &svc)
	if svc.IntervalMinutes != 30 || !slices.Equal(svc.ReminderOffsetsMinutes, []int{1440, 60}) || !slices.Equal(svc.Operators, []string{anaID}) {
		t.Fatalf("service as a CLIENT sees it: %+v; want slots every 30 minutes, reminders 24 h and 1 h before, Ana offering it", svc)
	}

	ny, _ := time.LoadLocation("America/New_York")
	monday := nextWeekday(ny, time.Monday)
	day := func(d time.Time) string {
		return "?from=" + d.Format(time.RFC3339) + "&to=" + d.AddDate(0, 0, 1).Format(time.RFC3339)
	}
	var got slotsReply
	client.must(200, "GET", orgPath+"/services/consult/slots"+day(monday)+"&tz=America/New_York", nil).decode(t, &got)
	var want []string
	for _, hm := range [][2]int{{9, 0}, {9, 30}, {10, 0}, {10, 30}, {11, 0}, {11, 30}} {
		want = append(want, time.Date(monday.Year(), monday.Month(), monday.Day(), hm[0], hm[1], 0, 0, ny).Format(time.RFC3339))
	}
	if !slices.Equal(got.starts(), want) || got.Slots[0].OperatorID != anaID {
		t.Fatalf("Monday's slots = %v; want %v, Ana's", got.starts(), want)
	}
	// The same slots asked in London's zone show London's offset.
	client.must(200, "GET", orgPath+"/services/consult/slots"+day(monday)+"&tz=Europe/London", nil).decode(t, &got)
	london, _ := time.LoadLocation("Europe/London")
	if first, _ := time.Parse(time.RFC3339, got.Slots[0].Start); len(got.Slots) != 6 || got.Slots[0].Start != first.In(london).Format(time.RFC3339) {
		t.Errorf("slots in London's zone = %v; want the same six times with London's offset", got.starts())
	}

	// Ana's dentist appointment takes 10:00–11:00 away.
	dentist := time.Date(monday.Year(), monday.Month(), monday.Day(), 10, 0, 0, 0, ny)
	ana.must(201, "POST", orgPath+"/events", map[string]any{"title": "Dentist", "start": dentist.Format(time.RFC3339), "end": dentist.Add(time.Hour).Format(time.RFC3339)})
	client.must(200, "GET", orgPath+"/services/consult/slots"+day(monday)+"&tz=America/New_York", nil).decode(t, &got)
	if want := slices.Concat(want[:2], want[4:]); !slices.Equal(got.starts(), want) {
		t.Errorf("with the dentist at 10:00: %v; want %v", got.starts(), want)
	}
	// Tuesday has two windows.
	client.must(200, "GET", orgPath+"/services/consult/slots"+day(monday.AddDate(0, 0, 1))+"&tz=America/New_York", nil).decode(t, &got)
	if len(got.Slots) != 4 {
		t.Errorf("Tuesday's slots = %v; want 09:00, 09:30, 14:00, 14:30", got.starts())
	}

	// A client's words pick among the free slots.
	var sugg struct {
		Suggestions []struct {
			Start, Reason string
		} `json:"suggestions"`
	}
	client.must(200, "POST", orgPath+"/services/consult/suggest", map[string]any{
		"preferences": "tuesday afternoon please", "tz": "America/New_York", "from": monday, "to": monday.AddDate(0, 0, 2)}).decode(t, &sugg)
	tuesdayTwo := time.Date(monday.Year(), monday.Month(), monday.Day()+1, 14, 0, 0, 0, ny).Format(time.RFC3339)
	if len(sugg.Suggestions) == 0 || sugg.Suggestions[0].Start != tuesdayTwo || sugg.Suggestions[0].Reason == "" {
		t.Errorf("suggestions for Tuesday afternoon: %+v; want Tuesday 14:00 first, with a reason", sugg.Suggestions)
	}

	// Bad input is named, and nothing is saved.
	for name, c := range map[string]struct {
		method, path string
		body         any
		field        string
	}{
		"unknown zone":         {"PUT", "/operators/" + anaID + "/availability", map[string]any{"time_zone": "Mars/Olympus", "weekly": map[string]any{}}, "time_zone"},
		"end before start":     {"PUT", "/operators/" + anaID + "/availability", map[string]any{"time_zone": "UTC", "weekly": map[string]any{"mon": []map[string]string{{"start": "12:00", "end": "09:00"}}}}, "weekly.mon[0]"},
		"overlapping windows":  {"PUT", "/operators/" + anaID + "/availability", map[string]any{"time_zone": "UTC", "weekly": map[string]any{"mon": []map[string]string{{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}}}}, "weekly.mon[1]"},
		"a CLIENT as operator": {"POST", "/services", map[string]any{"key": "bad", "name": "Bad", "duration_minutes": 30, "operators": []string{clientID}}, "operators[0]"},
		"a 2-minute service":   {"POST", "/services", map[string]any{"key": "bad", "name": "Bad", "duration_minutes": 2, "operators": []string{anaID}}, "duration_minutes"},
		"event ending first":   {"POST", "/events", map[string]any{"title": "Oops", "start": dentist.Format(time.RFC3339), "end": dentist.Add(-time.Hour).Format(time.RFC3339)}, "end"},
		"slots backwards":      {"GET", "/services/consult/slots?from=" + monday.Format(time.RFC3339) + "&to=" + monday.AddDate(0, 0, -1).Format(time.RFC3339), nil, "to"},
		"slots in no zone":     {"GET", "/services/consult/slots" + day(monday) + "&tz=Mars/Olympus", nil, "tz"},
	} {
		r := admin.do(c.method, orgPath+c.path, c.body)
		if _, fields := problemFields(t, r); r.status != 422 || !slices.Contains(fields, c.field) {
			t.Errorf("%s: %d %s; want 422 naming %s", name, r.status, r.body, c.field)
		}
	}
	var hours struct {
		TimeZone string `json:"time_zone"`
	}
	ana.must(200, "GET", orgPath+"/operators/"+anaID+"/availability", nil).decode(t, &hours)
	if hours.TimeZone != "America/New_York" {
		t.Errorf("after refused changes Ana's zone is %q; want America/New_York kept", hours.TimeZone)
	}
	var services struct {
		Items []struct{ Key string } `json:"items"`
	}
	admin.must(200, "GET", orgPath+"/services", nil).decode(t, &services)
	if len(services.Items) != 1 {
		t.Errorf("services after a refused one: %+v; want only consult", services.Items)
	}

	// An operator changes only their own hours and events; an ADMIN anyone's.
	var adminMe struct {
		ID string `json:"id"`
	}
	admin.must(200, "GET", "/api/v1/me", nil).decode(t, &adminMe)
	ana.must(403, "PUT", orgPath+"/operators/"+adminMe.ID+"/availability", map[string]any{"time_zone": "UTC", "weekly": map[string]any{}})
	admin.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "America/New_York", "weekly": map[string]any{}})
	client.must(200, "GET", orgPath+"/services/consult/slots"+day(monday), nil).decode(t, &got)
	if len(got.Slots) != 0 {
		t.Errorf("with Ana's hours cleared: %v; want no slots", got.starts())
	}
}

// TestModelSuggestionsAreAlwaysFreeSlots: with a model configured and the
// organisation's llm_enabled on, the model chooses among the free slots it is
// offered; a time it names that is not one of them is dropped, and when none
// of its picks is free the rules decide.
func TestModelSuggestionsAreAlwaysFreeSlots(t *testing.T) {
	ai := newFakeOpenAI(t)
	admin, org, _, inbox, _ := setUpShopFull(t, false, func(c *config.Config) {
		c.OpenAI = config.OpenAI{APIKey: "sk-test", BaseURL: ai.srv.URL + "/v1", Model: "gpt-4o-mini", Timeout: 5 * time.Second}
	})
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "America/New_York",
		"weekly": map[string]any{"mon": []map[string]string{{"start": "09:00", "end": "12:00"}}, "tue": []map[string]string{{"start": "14:00", "end": "15:00"}}}})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 30, "operators": []string{anaID}})
	admin.must(200, "PUT", orgPath+"/routing/settings", map[string]any{"llm_enabled": true})
	ny, _ := time.LoadLocation("America/New_York")
	monday := nextWeekday(ny, time.Monday)
	tuesdayTwo := time.Date(monday.Year(), monday.Month(), monday.Day()+1, 14, 30, 0, 0, ny).Format(time.RFC3339)
	ask := func() (rankedBy string, starts []string) {
		var got struct {
			RankedBy    string                   `json:"ranked_by"`
			Suggestions []struct{ Start string } `json:"suggestions"`
		}
		admin.must(200, "POST", orgPath+"/services/consult/suggest", map[string]any{
			"preferences": "late on tuesday", "tz": "America/New_York", "from": monday, "to": monday.AddDate(0, 0, 2)}).decode(t, &got)
		for _, s := range got.Suggestions {
			starts = append(starts, s.Start)
		}
		return got.RankedBy, starts
	}

	ai.answer(`{"picks":[{"option":"` + tuesdayTwo + `","reason":"the last slot on Tuesday"},{"option":"` + monday.Add(20*time.Hour).Format(time.RFC3339) + `","reason":"not free"}]}`)
	if by, starts := ask(); by != "model" || !slices.Equal(starts, []string{tuesdayTwo}) {
		t.Errorf("with the model: %s %v; want its one free pick, Tuesday 14:30, and the time that is not free dropped", by, starts)
	}
	ai.mu.Lock()
	offered, _ := json.Marshal(ai.requests[len(ai.requests)-1]["messages"])
	ai.mu.Unlock()
	if !strings.Contains(string(offered), tuesdayTwo) || strings.Contains(string(offered), "T20:00") {
		t.Errorf("the model was offered %s; want the free slots only", offered)
	}

	ai.answer(`{"picks":[{"option":"` + monday.Add(20*time.Hour).Format(time.RFC3339) + `","reason":"not free"}]}`)
	by, starts := ask()
	var free slotsReply
	admin.must(200, "GET", orgPath+"/services/consult/slots?from="+monday.Format(time.RFC3339)+"&to="+monday.AddDate(0, 0, 2).Format(time.RFC3339)+"&tz=America/New_York", nil).decode(t, &free)
	if by != "rules" || len(starts) == 0 {
		t.Fatalf("with only a time that is not free: %s %v; want the rules' suggestions", by, starts)
	}
	for _, s := range starts {
		if !slices.Contains(free.starts(), s) {
			t.Errorf("suggestion %s is not a free slot (%v)", s, free.starts())
		}
	}
}

// TestExternalCalendarBusyTimeBlocksSlots: events read from an operator's
// Google Calendar (a fake server, through the real client library) become
// busy time: an appointment blocks its slots, one shown as free does not, and
// when it is deleted in the calendar the slots come back.
func TestExternalCalendarBusyTimeBlocksSlots(t *testing.T) {
	admin, org, s, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	ana, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	ana.must(200, "PUT", orgPath+"/operators/"+anaID+"/availability", map[string]any{"time_zone": "UTC", "weekly": map[string]any{
		"mon": []map[string]string{{"start": "09:00", "end": "12:00"}}}})
	admin.must(201, "POST", orgPath+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 60, "operators": []string{anaID}})
	monday := nextWeekday(time.UTC, time.Monday)
	nine, ten := monday.Add(9*time.Hour), monday.Add(10*time.Hour)
	fake := gcaltest.New(t)
	fake.Put(gcaltest.Event{ID: "physio", Start: &gcaltest.DateTime{DateTime: nine.Format(time.RFC3339)}, End: &gcaltest.DateTime{DateTime: ten.Format(time.RFC3339)}})
	fake.Put(gcaltest.Event{ID: "note", Transparency: "transparent", Start: &gcaltest.DateTime{DateTime: ten.Format(time.RFC3339)}, End: &gcaltest.DateTime{DateTime: ten.Add(time.Hour).Format(time.RFC3339)}})
	cal, err := gcal.New(t.Context(), http.DefaultClient, fake.URL, "primary")
	if err != nil {
		t.Fatal(err)
	}
	orgID, operator := uuid.MustParse(org), uuid.MustParse(anaID)
	events, token, err := cal.Sync(t.Context(), "", monday)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.bookings().SaveExternalBusy(t.Context(), orgID, operator, "google:primary", events, true); err != nil {
		t.Fatal(err)
	}
	slotsOn := func() []string {
		var got slotsReply
		admin.must(200, "GET", orgPath+"/services/consult/slots?from="+monday.Format(time.RFC3339)+"&to="+monday.AddDate(0, 0, 1).Format(time.RFC3339), nil).decode(t, &got)
		return got.starts()
	}
	if got, want := slotsOn(), []string{ten.Format(time.RFC3339), ten.Add(time.Hour).Format(time.RFC3339)}; !slices.Equal(got, want) {
		t.Fatalf("with the physio appointment at 9:00 and a free note at 10:00: %v; want %v", got, want)
	}
	fake.Delete("physio")
	events, _, err = cal.Sync(t.Context(), token, monday)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.bookings().SaveExternalBusy(t.Context(), orgID, operator, "google:primary", events, false); err != nil {
		t.Fatal(err)
	}
	if got := slotsOn(); len(got) != 3 {
		t.Errorf("after the appointment was deleted in the calendar: %v; want 9:00, 10:00 and 11:00", got)
	}
}
