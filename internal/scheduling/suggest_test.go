package scheduling

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

const newYork = "America/New_York"

// suggestNow is Monday 2026-06-15 12:00 in New York: "tomorrow" is Tuesday
// the 16th, "next week" Monday 22 to Sunday 28 June.
func suggestNow(t testing.TB) time.Time {
	return time.Date(2026, 6, 15, 12, 0, 0, 0, zone(t, newYork))
}

// fortnight is a fixed list of free 30-minute slots, as FreeSlots would give
// them from Monday 15 June noon: weekdays at 07:00, 09:00, 10:15, 13:00,
// 14:00, 15:30, 17:30 and 19:00 (Monday the 15th only from 13:00), Saturday
// the 20th at 10:00 and 11:00, Sunday the 21st at 10:00, up to Friday the
// 26th. 80 slots. The earliest slots are not mornings and the last one is
// not on a weekend, so rankings that only sort by time are told apart.
func fortnight(t testing.TB) []Slot {
	loc := zone(t, newYork)
	op := uuid.MustParse("00000000-0000-0000-0000-000000000001")
	weekday := []string{"07:00", "09:00", "10:15", "13:00", "14:00", "15:30", "17:30", "19:00"}
	var slots []Slot
	for day := 15; day <= 26; day++ {
		times := weekday
		switch time.Date(2026, 6, day, 0, 0, 0, 0, loc).Weekday() {
		case time.Saturday:
			times = []string{"10:00", "11:00"}
		case time.Sunday:
			times = []string{"10:00"}
		}
		for _, hm := range times {
			var h, m int
			if _, err := fmt.Sscanf(hm, "%d:%d", &h, &m); err != nil {
				t.Fatal(err)
			}
			start := time.Date(2026, 6, day, h, m, 0, 0, loc)
			if day == 15 && h < 13 {
				continue
			}
			slots = append(slots, Slot{Start: start, End: start.Add(30 * time.Minute), OperatorID: op})
		}
	}
	if len(slots) != 80 {
		t.Fatalf("fixture has %d slots, want 80", len(slots))
	}
	return slots
}

// label shows a suggestion as "Tue 16 14:00" in loc.
func label(s Slot, loc *time.Location) string { return s.Start.In(loc).Format("Mon 02 15:04") }

func labels(ss []Suggestion, loc *time.Location) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = label(s.Slot, loc)
	}
	return out
}

func TestSuggestUnderstandsPhrases(t *testing.T) {
	lateAfternoon := PartOfDay{"late afternoon", 15 * 60, 17 * 60}
	tuesdayAfternoonsFrom2 := Preferences{
		Prefer:  Condition{Weekdays: []time.Weekday{time.Tuesday}, Parts: []PartOfDay{Afternoon}},
		Require: Condition{From: 14 * 60},
	}
	tuesdayAfternoonsFrom2Top := []string{"Tue 16 14:00", "Tue 16 15:30", "Tue 23 14:00", "Tue 23 15:30", "Tue 16 17:30"}
	tests := []struct {
		text   string
		want   Preferences
		top    []string // the first five suggestions
		kept   int      // how many of the 80 slots the hard limits keep
		last   string   // the last of all suggestions, when it matters
		reason string   // the first suggestion's
	}{
		{
			text: "tuesday afternoons, not before 2pm", want: tuesdayAfternoonsFrom2,
			// Tuesday 13:00 is a Tuesday afternoon but before 2 pm: left out. Tuesday
			// evening fits less than a Tuesday afternoon a week later.
			top: tuesdayAfternoonsFrom2Top, kept: 40, reason: "Tuesday afternoon, from 2 pm",
		},
		{
			text: "TUESDAY Afternoons!!  Not before 2 P.M.", want: tuesdayAfternoonsFrom2,
			top: tuesdayAfternoonsFrom2Top, kept: 40, reason: "Tuesday afternoon, from 2 pm",
		},
		{
			text: "mornings", want: Preferences{Prefer: Condition{Parts: []PartOfDay{Morning}}},
			top: []string{"Tue 16 07:00", "Tue 16 09:00", "Tue 16 10:15", "Wed 17 07:00", "Wed 17 09:00"}, kept: 80,
			reason: "Tuesday morning",
		},
		{
			text: "not friday", want: Preferences{Avoid: []Condition{{Weekdays: []time.Weekday{time.Friday}}}},
			top: []string{"Mon 15 13:00", "Mon 15 14:00", "Mon 15 15:30", "Mon 15 17:30", "Mon 15 19:00"}, kept: 80 - 16,
			last: "Thu 25 19:00", reason: "Monday afternoon, earliest free time",
		},
		{
			text: "next week", want: Preferences{Prefer: Condition{Dates: []DateSpan{{"next week", "2026-06-22", "2026-06-28"}}}},
			top: []string{"Mon 22 07:00", "Mon 22 09:00", "Mon 22 10:15", "Mon 22 13:00", "Mon 22 14:00"}, kept: 80,
			last: "Sun 21 10:00", reason: "Monday morning next week",
		},
		{
			text: "this week", want: Preferences{Prefer: Condition{Dates: []DateSpan{{"this week", "2026-06-15", "2026-06-21"}}}},
			top: []string{"Mon 15 13:00", "Mon 15 14:00", "Mon 15 15:30", "Mon 15 17:30", "Mon 15 19:00"}, kept: 80,
			reason: "Monday afternoon this week",
		},
		{
			text: "after 5 pm", want: Preferences{Prefer: Condition{From: 17 * 60}},
			top: []string{"Mon 15 17:30", "Mon 15 19:00", "Tue 16 17:30", "Tue 16 19:00", "Wed 17 17:30"}, kept: 80,
			reason: "Monday evening, from 5 pm",
		},
		{
			// Done by 10:30: the 10:15 slot ends at 10:45, so it does not fit.
			text: "before 10:30", want: Preferences{Prefer: Condition{Until: 10*60 + 30}},
			top: []string{"Tue 16 07:00", "Tue 16 09:00", "Wed 17 07:00", "Wed 17 09:00", "Thu 18 07:00"}, kept: 80,
			reason: "Tuesday morning, done by 10:30 am",
		},
		{
			text: "weekend", want: Preferences{Prefer: Condition{Weekdays: []time.Weekday{time.Saturday, time.Sunday}}},
			top: []string{"Sat 20 10:00", "Sat 20 11:00", "Sun 21 10:00", "Mon 15 13:00", "Mon 15 14:00"}, kept: 80,
			reason: "Saturday morning",
		},
		{
			text: "weekdays", want: Preferences{Prefer: Condition{Weekdays: workdays}},
			top: []string{"Mon 15 13:00", "Mon 15 14:00", "Mon 15 15:30", "Mon 15 17:30", "Mon 15 19:00"}, kept: 80,
			last: "Sun 21 10:00", reason: "Monday afternoon",
		},
		{
			text: "tomorrow morning", want: Preferences{Prefer: Condition{
				Dates: []DateSpan{{"tomorrow", "2026-06-16", "2026-06-16"}}, Parts: []PartOfDay{Morning}}},
			// Tomorrow afternoon fits better than another morning.
			top: []string{"Tue 16 07:00", "Tue 16 09:00", "Tue 16 10:15", "Tue 16 13:00", "Tue 16 14:00"}, kept: 80,
			reason: "Tomorrow morning",
		},
		{
			text: "any time thursday or friday", want: Preferences{Prefer: Condition{Weekdays: []time.Weekday{time.Thursday, time.Friday}}},
			top: []string{"Thu 18 07:00", "Thu 18 09:00", "Thu 18 10:15", "Thu 18 13:00", "Thu 18 14:00"}, kept: 80,
			reason: "Thursday morning",
		},
		{
			text: "not mondays, ideally late afternoon", want: Preferences{
				Prefer: Condition{Parts: []PartOfDay{lateAfternoon}},
				Avoid:  []Condition{{Weekdays: []time.Weekday{time.Monday}}},
			},
			top: []string{"Tue 16 15:30", "Wed 17 15:30", "Thu 18 15:30", "Fri 19 15:30", "Tue 23 15:30"}, kept: 80 - 13,
			reason: "Tuesday late afternoon",
		},
		{
			text: "asap", want: Preferences{ASAP: true},
			top: []string{"Mon 15 13:00", "Mon 15 14:00", "Mon 15 15:30", "Mon 15 17:30", "Mon 15 19:00"}, kept: 80,
			reason: "Monday afternoon, earliest free time",
		},
		{
			text: "Tue PM", want: Preferences{Prefer: Condition{Weekdays: []time.Weekday{time.Tuesday}, Parts: []PartOfDay{Afternoon, Evening}}},
			top: []string{"Tue 16 13:00", "Tue 16 14:00", "Tue 16 15:30", "Tue 16 17:30", "Tue 16 19:00"}, kept: 80,
			reason: "Tuesday afternoon",
		},
		{
			text: "I am free tue. am", want: Preferences{Prefer: Condition{Weekdays: []time.Weekday{time.Tuesday}, Parts: []PartOfDay{Morning}}},
			top: []string{"Tue 16 07:00", "Tue 16 09:00", "Tue 16 10:15", "Tue 23 07:00", "Tue 23 09:00"}, kept: 80,
			reason: "Tuesday morning",
		},
		{
			text: "after 14:00", want: Preferences{Prefer: Condition{From: 14 * 60}},
			top: []string{"Mon 15 14:00", "Mon 15 15:30", "Mon 15 17:30", "Mon 15 19:00", "Tue 16 14:00"}, kept: 80,
			reason: "Monday afternoon, from 2 pm",
		},
		{
			text: "not before 2 p.m.", want: Preferences{Require: Condition{From: 14 * 60}},
			top: []string{"Mon 15 14:00", "Mon 15 15:30", "Mon 15 17:30", "Mon 15 19:00", "Tue 16 14:00"}, kept: 40,
			reason: "Monday afternoon, from 2 pm, earliest free time",
		},
		{
			text: "no later than 5", want: Preferences{Require: Condition{Until: 17 * 60}},
			top: []string{"Mon 15 13:00", "Mon 15 14:00", "Mon 15 15:30", "Tue 16 07:00", "Tue 16 09:00"}, kept: 60,
			reason: "Monday afternoon, done by 5 pm, earliest free time",
		},
		{
			text: "between 2 and 4pm", want: Preferences{Prefer: Condition{From: 14 * 60, Until: 16 * 60}},
			top: []string{"Mon 15 14:00", "Mon 15 15:30", "Tue 16 14:00", "Tue 16 15:30", "Wed 17 14:00"}, kept: 80,
			reason: "Monday afternoon, from 2 pm, done by 4 pm",
		},
		{
			text: "not Friday afternoon", want: Preferences{Avoid: []Condition{{Weekdays: []time.Weekday{time.Friday}, Parts: []PartOfDay{Afternoon}}}},
			top: []string{"Mon 15 13:00", "Mon 15 14:00", "Mon 15 15:30", "Mon 15 17:30", "Mon 15 19:00"}, kept: 80 - 6,
			reason: "Monday afternoon, earliest free time",
		},
		{
			text: "anything but Monday", want: Preferences{Avoid: []Condition{{Weekdays: []time.Weekday{time.Monday}}}},
			top: []string{"Tue 16 07:00", "Tue 16 09:00", "Tue 16 10:15", "Tue 16 13:00", "Tue 16 14:00"}, kept: 80 - 13,
			reason: "Tuesday morning, earliest free time",
		},
		{
			text: "only mornings", want: Preferences{Require: Condition{Parts: []PartOfDay{Morning}}},
			top: []string{"Tue 16 07:00", "Tue 16 09:00", "Tue 16 10:15", "Wed 17 07:00", "Wed 17 09:00"}, kept: 30,
			reason: "Tuesday morning, earliest free time",
		},
		{
			text: "June 24th, around 3", want: Preferences{Prefer: Condition{
				Dates: []DateSpan{{"24 June", "2026-06-24", "2026-06-24"}},
				Parts: []PartOfDay{{"around 3 pm", 14 * 60, 16 * 60}}}},
			top: []string{"Wed 24 14:00", "Wed 24 15:30", "Wed 24 07:00", "Wed 24 09:00", "Wed 24 10:15"}, kept: 80,
			reason: "Wednesday around 3 pm, 24 June",
		},
		{
			text: "the 24th at 15:30", want: Preferences{Prefer: Condition{
				Dates: []DateSpan{{"24 June", "2026-06-24", "2026-06-24"}},
				Parts: []PartOfDay{{"at 3:30 pm", 15*60 + 30, 15*60 + 31}}}},
			top: []string{"Wed 24 15:30", "Wed 24 07:00", "Wed 24 09:00", "Wed 24 10:15", "Wed 24 13:00"}, kept: 80,
			reason: "Wednesday at 3:30 pm, 24 June",
		},
		{
			text: "8-10 pm", want: Preferences{Prefer: Condition{From: 20 * 60, Until: 22 * 60}},
			top: []string{"Mon 15 13:00", "Mon 15 14:00", "Mon 15 15:30", "Mon 15 17:30", "Mon 15 19:00"}, kept: 80,
			reason: "Monday afternoon, done by 10 pm (wanted from 8 pm)",
		},
	}
	loc := zone(t, newYork)
	slots := fortnight(t)
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := ParsePreferences(tt.text, loc, suggestNow(t))
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParsePreferences(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
			}
			all := Suggest(slots, got, loc, len(slots))
			if len(all) != tt.kept {
				t.Errorf("%d suggestions out of %d slots, want %d", len(all), len(slots), tt.kept)
			}
			if top := labels(all[:min(5, len(all))], loc); !slices.Equal(top, tt.top) {
				t.Errorf("top five %v, want %v", top, tt.top)
			}
			if tt.last != "" && label(all[len(all)-1].Slot, loc) != tt.last {
				t.Errorf("last suggestion %s, want %s", label(all[len(all)-1].Slot, loc), tt.last)
			}
			if all[0].Reason != tt.reason {
				t.Errorf("first reason %q, want %q", all[0].Reason, tt.reason)
			}
			// Asking for fewer gives the same head of the ranking.
			if few := Suggest(slots, got, loc, 3); !slices.Equal(few, all[:3]) {
				t.Errorf("n=3 gave %v, not the first three of the full ranking", labels(few, loc))
			}
		})
	}
}

func TestSuggestReasonsSayWhatDoesNotFit(t *testing.T) {
	loc := zone(t, newYork)
	p := ParsePreferences("tuesday afternoons, not before 2pm", loc, suggestNow(t))
	all := Suggest(fortnight(t), p, loc, 10)
	reasons := map[string]string{}
	for _, s := range all {
		reasons[label(s.Slot, loc)] = s.Reason
	}
	want := map[string]string{
		"Tue 16 17:30": "Tuesday evening, from 2 pm (wanted afternoon)",
		"Mon 15 14:00": "Monday afternoon, from 2 pm (wanted Tuesday)",
	}
	for slot, reason := range want {
		if reasons[slot] != reason {
			t.Errorf("%s: reason %q, want %q (all: %v)", slot, reasons[slot], reason, reasons)
		}
	}

	p = ParsePreferences("asap", loc, suggestNow(t))
	if got := Suggest(fortnight(t), p, loc, 2); got[1].Reason != "Monday afternoon, next earliest" {
		t.Errorf("second asap reason %q", got[1].Reason)
	}
}

func TestSuggestNothingKeepsTheHardLimits(t *testing.T) {
	loc := zone(t, newYork)
	var fridays []Slot
	for _, s := range fortnight(t) {
		if s.Start.In(loc).Weekday() == time.Friday && s.Start.In(loc).Day() == 19 {
			fridays = append(fridays, s)
		}
	}
	// Latest first, to see that the fallback sorts by time.
	slices.Reverse(fridays)
	p := ParsePreferences("not friday, not before 2 pm", loc, suggestNow(t))
	got := Suggest(fridays, p, loc, 2)
	wantLabels := []string{"Fri 19 07:00", "Fri 19 09:00"}
	if l := labels(got, loc); !slices.Equal(l, wantLabels) {
		t.Fatalf("got %v, want the earliest %v", l, wantLabels)
	}
	wantReasons := []string{
		"Nothing free meets not before 2 pm and not Friday; earliest free time: Friday morning",
		"Nothing free meets not before 2 pm and not Friday; next earliest: Friday morning",
	}
	for i, s := range got {
		if s.Reason != wantReasons[i] {
			t.Errorf("reason %d: %q, want %q", i, s.Reason, wantReasons[i])
		}
	}
}

func TestSuggestJudgesSlotsInTheGivenZone(t *testing.T) {
	ny := zone(t, newYork)
	// 13:00 UTC is 09:00 in New York (a morning) and 13:00 in UTC (an afternoon);
	// 17:00 UTC is 13:00 in New York. Both on Tuesday 16 June.
	at := func(h int) Slot {
		s := time.Date(2026, 6, 16, h, 0, 0, 0, time.UTC)
		return Slot{Start: s, End: s.Add(time.Hour), OperatorID: uuid.New()}
	}
	slots := []Slot{at(17), at(13)}
	p := ParsePreferences("mornings", ny, suggestNow(t))
	if got := Suggest(slots, p, ny, 1); got[0].Slot != slots[1] || got[0].Reason != "Tuesday morning" {
		t.Errorf("in New York: %v %q, want the 13:00 UTC slot as a Tuesday morning", got[0].Slot.Start, got[0].Reason)
	}
	p = ParsePreferences("afternoons", time.UTC, suggestNow(t))
	if got := Suggest(slots, p, time.UTC, 1); got[0].Slot != slots[1] || got[0].Reason != "Tuesday afternoon" {
		t.Errorf("in UTC: %v %q, want the 13:00 UTC slot as a Tuesday afternoon", got[0].Slot.Start, got[0].Reason)
	}
}

func TestSuggestKeepsTheOrderOfEqualSlots(t *testing.T) {
	loc := zone(t, newYork)
	start := time.Date(2026, 6, 16, 9, 0, 0, 0, loc)
	a := Slot{Start: start, End: start.Add(time.Hour), OperatorID: uuid.New()}
	b := a
	b.OperatorID = uuid.New()
	later := Slot{Start: start.Add(time.Hour), End: start.Add(2 * time.Hour), OperatorID: a.OperatorID}
	got := Suggest([]Slot{later, a, b}, Preferences{}, loc, 3)
	if len(got) != 3 || got[0].Slot != a || got[1].Slot != b || got[2].Slot != later {
		t.Fatalf("got %+v, want a, b (the given order for one start), then the later slot", got)
	}
	if Suggest([]Slot{a}, Preferences{}, loc, 0) != nil || Suggest(nil, Preferences{}, loc, 3) != nil {
		t.Error("n = 0 or no slots must give nothing")
	}
}

func TestParsePreferencesRelativeDatesFollowNow(t *testing.T) {
	loc := zone(t, newYork)
	sunday := time.Date(2026, 6, 21, 23, 30, 0, 0, loc) // already Monday in UTC
	tests := []struct {
		text string
		want []DateSpan
	}{
		{"today", []DateSpan{{"today", "2026-06-21", "2026-06-21"}}},
		{"tomorrow", []DateSpan{{"tomorrow", "2026-06-22", "2026-06-22"}}},
		{"this week", []DateSpan{{"this week", "2026-06-21", "2026-06-21"}}},
		{"next week", []DateSpan{{"next week", "2026-06-22", "2026-06-28"}}},
		{"this weekend", []DateSpan{{"this weekend", "2026-06-21", "2026-06-21"}}},
		{"next weekend", []DateSpan{{"next weekend", "2026-06-27", "2026-06-28"}}},
		{"june 3", []DateSpan{{"3 June 2027", "2027-06-03", "2027-06-03"}}}, // passed this year
		{"3 July", []DateSpan{{"3 July", "2026-07-03", "2026-07-03"}}},
		{"2026-12-24", []DateSpan{{"24 December", "2026-12-24", "2026-12-24"}}},
		{"june 31", nil},
	}
	for _, tt := range tests {
		if got := ParsePreferences(tt.text, loc, sunday).Prefer.Dates; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: dates %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

// Whatever the text and the slots, suggestions are slots from the list, each
// at most once, at most n of them, and nothing panics.
func FuzzSuggest(f *testing.F) {
	for _, s := range []string{
		"tuesday afternoons, not before 2pm", "not not not", "between 25 and 99", "99:99pm", "12am-12pm",
		"the 31st", "feb 30", "0000-00-00", "not between 2 and", "at", "after", "—–-/&+", "ÄÖÜ ẞ 日本語 tuesday",
		"only only not only", "next next week", "2-", "-2", "p.m.a.m.", "24:00", "between 4 and 2",
	} {
		f.Add(s, 5)
	}
	loc := zone(f, newYork)
	slots := fortnight(f)
	f.Fuzz(func(t *testing.T, text string, n int) {
		p := ParsePreferences(text, loc, suggestNow(t))
		got := Suggest(slots, p, loc, n)
		if len(got) > max(n, 0) {
			t.Fatalf("%d suggestions for n=%d", len(got), n)
		}
		seen := map[Slot]bool{}
		for _, s := range got {
			if !slices.Contains(slots, s.Slot) || seen[s.Slot] {
				t.Fatalf("suggested %+v: not a given slot, or twice", s.Slot)
			}
			seen[s.Slot] = true
			if s.Reason == "" {
				t.Fatalf("no reason for %+v", s.Slot)
			}
		}
		if n > 0 && len(got) == 0 {
			t.Fatalf("nothing suggested from %d slots", len(slots))
		}
	})
}
