package scheduling

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestFreeReasons(t *testing.T) {
	r := Rules{
		Duration: 30 * time.Minute, Interval: 15 * time.Minute,
		BufferBefore: 10 * time.Minute, BufferAfter: 5 * time.Minute,
		MinNotice: 2 * time.Hour, Horizon: 14 * 24 * time.Hour, DailyLimit: 2,
	}
	a := everyDay(paris, window(t, "09:00", "12:00"), window(t, "13:00", "17:00"))
	a.Overrides = []Override{{Date: "2026-06-16", Closed: true}}
	op := Operator{
		ID: uuid.New(), Availability: a,
		Busy:   []Interval{{monday(t, 14, 0), monday(t, 15, 0)}},
		Booked: map[string]int{"2026-06-17": 2, "2026-06-18": 1},
	}
	now := monday(t, 8, 0)
	day := func(d, hh, mm int) time.Time { return monday(t, hh, mm).AddDate(0, 0, d) }
	tests := []struct {
		name   string
		start  time.Time
		want   string // "" = free
		useNow time.Time
	}{
		{"free", monday(t, 10, 0), "", now},
		{"free right after a busy block and its buffer", monday(t, 15, 15), "", now},
		{"free at the last start of a window", monday(t, 11, 30), "", now},
		{"in the past", monday(t, 9, 0).AddDate(0, 0, -1), ReasonNotice, now},
		{"inside the notice", monday(t, 9, 45), ReasonNotice, now},
		{"exactly at the notice", monday(t, 10, 0), "", now},
		{"beyond the horizon", day(15, 10, 0), ReasonHorizon, now},
		{"before opening", monday(t, 8, 45), ReasonOutsideHours, monday(t, 6, 0)},
		{"over lunch", monday(t, 12, 15), ReasonOutsideHours, now},
		{"running past the window's end", monday(t, 11, 45), ReasonOutsideHours, now},
		{"on a closed date", day(1, 10, 0), ReasonOutsideHours, now},
		{"off the grid", monday(t, 10, 5), ReasonInterval, now},
		{"a second off the grid", monday(t, 10, 0).Add(time.Second), ReasonInterval, now},
		{"daily limit reached", day(2, 10, 0), ReasonDailyLimit, now},
		{"under the daily limit", day(3, 10, 0), "", now},
		{"inside a busy block", monday(t, 14, 15), ReasonTaken, now},
		{"ends into the buffer before a busy block", monday(t, 13, 30), ReasonTaken, now},
		{"starts in the buffer after a busy block", monday(t, 15, 0), ReasonTaken, now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := Free(r, op, tt.start, tt.useNow)
			if ok != (tt.want == "") || reason != tt.want {
				t.Fatalf("Free(%v) = %v, %q; want free=%v %q", tt.start, ok, reason, tt.want == "", tt.want)
			}
		})
	}

	t.Run("unknown zone is outside working hours", func(t *testing.T) {
		bad := op
		bad.Availability.TimeZone = "Nowhere/Atlantis"
		if ok, reason := Free(r, bad, monday(t, 10, 0), now); ok || reason != ReasonOutsideHours {
			t.Fatalf("Free = %v, %q; want %q", ok, reason, ReasonOutsideHours)
		}
	})
	t.Run("no duration", func(t *testing.T) {
		if ok, reason := Free(Rules{}, op, monday(t, 10, 0), now); ok || reason != ReasonInvalidRules {
			t.Fatalf("Free = %v, %q; want %q", ok, reason, ReasonInvalidRules)
		}
	})
	t.Run("a start given in another zone is the same instant", func(t *testing.T) {
		if ok, reason := Free(r, op, monday(t, 10, 0).In(zone(t, "Pacific/Auckland")), now); !ok {
			t.Fatalf("not free: %s", reason)
		}
	})
}
