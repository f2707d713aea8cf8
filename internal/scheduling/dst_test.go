package scheduling

import (
	"slices"
	"testing"
	"time"
)

// Around each 2026 change in New York and London, windows keep their local
// hours, skipped wall times are never offered and repeated ones only once.
func TestFreeSlotsAcrossDSTChanges(t *testing.T) {
	halfHours := Rules{Duration: 30 * time.Minute, Interval: 30 * time.Minute}
	nineToFive := []string{"09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30",
		"13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"}
	tests := []struct {
		name       string
		zone, date string
		start, end string
		want       []string // local wall times of the starts
		wantHours  time.Duration
		interval   time.Duration // 30 minutes unless set
	}{
		{"New York spring, office hours", "America/New_York", "2026-03-08", "09:00", "17:00", nineToFive, 8 * time.Hour, 0},
		{"New York autumn, office hours", "America/New_York", "2026-11-01", "09:00", "17:00", nineToFive, 8 * time.Hour, 0},
		{"London spring, office hours", "Europe/London", "2026-03-29", "09:00", "17:00", nineToFive, 8 * time.Hour, 0},
		{"London autumn, office hours", "Europe/London", "2026-10-25", "09:00", "17:00", nineToFive, 8 * time.Hour, 0},
		{"New York spring, night skips 02:00–03:00", "America/New_York", "2026-03-08", "00:00", "06:00",
			[]string{"00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00", "04:30", "05:00", "05:30"}, 5 * time.Hour, 0},
		{"London spring, night skips 01:00–02:00", "Europe/London", "2026-03-29", "00:00", "06:00",
			[]string{"00:00", "00:30", "02:00", "02:30", "03:00", "03:30", "04:00", "04:30", "05:00", "05:30"}, 5 * time.Hour, 0},
		{"New York autumn, night repeats 01:00–02:00 once", "America/New_York", "2026-11-01", "00:00", "04:00",
			[]string{"00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30"}, 5 * time.Hour, 0},
		{"London autumn, night repeats 01:00–02:00 once", "Europe/London", "2026-10-25", "00:00", "04:00",
			[]string{"00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30"}, 5 * time.Hour, 0},
		{"New York spring, window starting in the gap starts after it", "America/New_York", "2026-03-08", "02:30", "05:00",
			[]string{"03:30", "04:00", "04:30"}, 90 * time.Minute, 0},
		{"New York spring, a 45-minute grid keeps its wall times", "America/New_York", "2026-03-08", "00:00", "06:00",
			[]string{"00:00", "00:45", "01:30", "03:00", "03:45", "04:30", "05:15"}, 5 * time.Hour, 45 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := zone(t, tt.zone)
			a := everyDay(tt.zone, window(t, tt.start, tt.end))
			r := halfHours
			if tt.interval != 0 {
				r.Interval = tt.interval
			}
			slots := FreeSlots(dayQuery(loc, tt.date, r, a))
			if got := localStarts(slots, loc); !slices.Equal(got, tt.want) {
				t.Fatalf("starts %v, want %v", got, tt.want)
			}
			for i, s := range slots {
				if s.End.Sub(s.Start) != 30*time.Minute {
					t.Errorf("slot %d lasts %v, want 30m of real time", i, s.End.Sub(s.Start))
				}
				if i > 0 && !s.Start.After(slots[i-1].Start) {
					t.Errorf("slot %d (%v) does not start after slot %d (%v)", i, s.Start, i-1, slots[i-1].Start)
				}
			}
			// The window's real length is what the change leaves of it.
			day, _ := time.ParseInLocation(dateLayout, tt.date, loc)
			sched, _ := compile(a)
			y, m, d := day.Date()
			sp, _ := sched.span(civilDate{y, m, d}, a.Weekly["mon"][0])
			if got := sp.end.Sub(sp.start); got != tt.wantHours {
				t.Errorf("window lasts %v of real time, want %v", got, tt.wantHours)
			}
		})
	}
}

// Every slot offered on a change day is one Free accepts, and the second
// occurrence of a repeated wall time is not a start of its own.
func TestFreeAgreesAcrossDSTChanges(t *testing.T) {
	loc := zone(t, "America/New_York")
	r := Rules{Duration: 30 * time.Minute, Interval: 30 * time.Minute}
	op := dayQuery(loc, "2026-11-01", r, everyDay("America/New_York", window(t, "00:00", "04:00"))).Operators[0]
	now := time.Date(2026, 10, 1, 0, 0, 0, 0, loc)

	firstOneThirty := time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)  // 01:30 EDT
	secondOneThirty := time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC) // 01:30 EST
	if ok, reason := Free(r, op, firstOneThirty, now); !ok {
		t.Errorf("first 01:30: not free (%s), want free", reason)
	}
	if ok, reason := Free(r, op, secondOneThirty, now); ok || reason != ReasonInterval {
		t.Errorf("second 01:30: free=%v reason %q, want %q", ok, reason, ReasonInterval)
	}

	spring := dayQuery(loc, "2026-03-08", r, everyDay("America/New_York", window(t, "00:00", "06:00")))
	for _, s := range FreeSlots(spring) {
		if ok, reason := Free(r, spring.Operators[0], s.Start, spring.Now); !ok {
			t.Errorf("offered %v but Free says %q", s.Start, reason)
		}
	}
}

// A repeated wall time is its first occurrence, as RFC 5545 reads a local
// time in an invite, in both zones (Go's time.Date alone picks differently).
func TestRepeatedWallTimeIsFirstOccurrence(t *testing.T) {
	r := Rules{Duration: 30 * time.Minute, Interval: 30 * time.Minute}
	for _, tt := range []struct {
		zone, date string
		want       time.Time // the 01:30 slot
	}{
		{"America/New_York", "2026-11-01", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)}, // 01:30 EDT
		{"Europe/London", "2026-10-25", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},   // 01:30 BST
	} {
		loc := zone(t, tt.zone)
		slots := FreeSlots(dayQuery(loc, tt.date, r, everyDay(tt.zone, window(t, "01:30", "02:00"))))
		if len(slots) != 1 || !slots[0].Start.Equal(tt.want) {
			t.Errorf("%s: slots %v, want one at %v", tt.zone, slots, tt.want)
		}
	}
}
