package scheduling

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

const paris = "Europe/Paris"

// monday is 2026-06-15, a Monday far from any DST change, at local time hh:mm.
func monday(t testing.TB, hh, mm int) time.Time {
	return time.Date(2026, 6, 15, hh, mm, 0, 0, zone(t, paris))
}

func TestFreeSlotsBuffersKeepClearOfBusyTime(t *testing.T) {
	busy := []Interval{{monday(t, 10, 0), monday(t, 10, 30)}}
	tests := []struct {
		name     string
		interval time.Duration
		want     []string
	}{
		// [s-10m, s+30m+5m) must miss 10:00–10:30: s ≤ 09:25 or s ≥ 10:40.
		{"15-minute grid", 15 * time.Minute, []string{"09:00", "09:15", "10:45", "11:00", "11:15", "11:30"}},
		{"5-minute grid shows the exact edges", 5 * time.Minute, []string{
			"09:00", "09:05", "09:10", "09:15", "09:20", "09:25",
			"10:40", "10:45", "10:50", "10:55", "11:00", "11:05", "11:10", "11:15", "11:20", "11:25", "11:30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rules{Duration: 30 * time.Minute, Interval: tt.interval, BufferBefore: 10 * time.Minute, BufferAfter: 5 * time.Minute}
			q := dayQuery(zone(t, paris), "2026-06-15", r, everyDay(paris, window(t, "09:00", "12:00")))
			q.Operators[0].Busy = busy
			if got := localStarts(FreeSlots(q), zone(t, paris)); !slices.Equal(got, tt.want) {
				t.Fatalf("starts %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFreeSlotsNoticeAndHorizon(t *testing.T) {
	r := Rules{Duration: 30 * time.Minute, Interval: 15 * time.Minute}
	tests := []struct {
		name      string
		now       time.Time
		notice    time.Duration
		horizon   time.Duration
		wantFirst string
		wantLast  string
	}{
		{"notice moves the first start", monday(t, 8, 0), 2 * time.Hour, 0, "10:00", "11:30"},
		{"notice off the grid rounds up to the grid", monday(t, 8, 7), 2 * time.Hour, 0, "10:15", "11:30"},
		{"a start inside the day without notice", monday(t, 10, 1), 0, 0, "10:15", "11:30"},
		{"horizon ends inclusive", monday(t, 9, 0).AddDate(0, 0, -2), 0, 49 * time.Hour, "09:00", "10:00"},
		{"both", monday(t, 9, 20), 20 * time.Minute, 90 * time.Minute, "09:45", "10:45"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := r
			r.MinNotice, r.Horizon = tt.notice, tt.horizon
			q := dayQuery(zone(t, paris), "2026-06-15", r, everyDay(paris, window(t, "09:00", "12:00")))
			q.Now = tt.now
			got := localStarts(FreeSlots(q), zone(t, paris))
			if len(got) == 0 || got[0] != tt.wantFirst || got[len(got)-1] != tt.wantLast {
				t.Fatalf("starts %v, want %s … %s", got, tt.wantFirst, tt.wantLast)
			}
		})
	}
}

func TestFreeSlotsDailyLimit(t *testing.T) {
	loc := zone(t, paris)
	q := dayQuery(loc, "2026-06-15", Rules{Duration: time.Hour, Interval: time.Hour}, everyDay(paris, window(t, "09:00", "11:00")))
	q.To = q.From.AddDate(0, 0, 2)
	q.Operators[0].Booked = map[string]int{"2026-06-15": 2, "2026-06-16": 1}
	dates := func(slots []Slot) []string {
		var out []string
		for _, s := range slots {
			out = append(out, s.Start.In(loc).Format("01-02 15:04"))
		}
		return out
	}
	for _, tt := range []struct {
		limit int
		want  []string
	}{
		{0, []string{"06-15 09:00", "06-15 10:00", "06-16 09:00", "06-16 10:00"}},
		{3, []string{"06-15 09:00", "06-15 10:00", "06-16 09:00", "06-16 10:00"}},
		{2, []string{"06-16 09:00", "06-16 10:00"}},
		{1, nil},
	} {
		q.Rules.DailyLimit = tt.limit
		if got := dates(FreeSlots(q)); !slices.Equal(got, tt.want) {
			t.Errorf("limit %d: %v, want %v", tt.limit, got, tt.want)
		}
	}
}

func TestFreeSlotsOverrides(t *testing.T) {
	loc := zone(t, paris)
	a := everyDay(paris, window(t, "09:00", "10:00"))
	a.Overrides = []Override{
		{Date: "2026-06-15", Closed: true},
		{Date: "2026-06-16", Windows: []Window{window(t, "14:00", "15:00"), window(t, "07:00", "08:00")}},
	}
	q := dayQuery(loc, "2026-06-15", Rules{Duration: 30 * time.Minute, Interval: 30 * time.Minute}, a)
	q.To = q.From.AddDate(0, 0, 3)
	var got []string
	for _, s := range FreeSlots(q) {
		got = append(got, s.Start.In(loc).Format("01-02 15:04"))
	}
	want := []string{
		// 06-15 closed
		"06-16 07:00", "06-16 07:30", "06-16 14:00", "06-16 14:30", // other hours, no 09:00
		"06-17 09:00", "06-17 09:30", // back to the weekly rule
	}
	if !slices.Equal(got, want) {
		t.Fatalf("starts %v, want %v", got, want)
	}
}

func TestFreeSlotsAnyOperatorPrefersLeastLoaded(t *testing.T) {
	loc := zone(t, paris)
	r := Rules{Duration: time.Hour, Interval: time.Hour}
	a := everyDay(paris, window(t, "09:00", "13:00"))
	day := "2026-06-15"
	busy := func(h int) []Interval { return []Interval{{monday(t, h, 0), monday(t, h+1, 0)}} }
	heavy := Operator{ID: uuid.MustParse("00000000-0000-0000-0000-00000000000a"), Availability: a, Booked: map[string]int{day: 3}}
	light1 := Operator{ID: uuid.MustParse("00000000-0000-0000-0000-00000000000b"), Availability: a, Booked: map[string]int{day: 1}, Busy: busy(10)}
	light2 := Operator{ID: uuid.MustParse("00000000-0000-0000-0000-00000000000c"), Availability: a, Booked: map[string]int{day: 1}, Busy: busy(11)}
	q := dayQuery(loc, day, r, a)
	q.Operators = []Operator{heavy, light1, light2}

	type pick struct {
		start string
		op    byte
	}
	picks := func(slots []Slot) []pick {
		var out []pick
		for _, s := range slots {
			out = append(out, pick{s.Start.In(loc).Format("15:04"), s.OperatorID.String()[35]})
		}
		return out
	}

	q.AnyOperator = true
	want := []pick{
		{"09:00", 'b'}, // b and c tie on load: the earlier in Operators
		{"10:00", 'c'}, // b busy: c is the least loaded free one
		{"11:00", 'b'}, // c busy
		{"12:00", 'b'},
	}
	if got := picks(FreeSlots(q)); !slices.Equal(got, want) {
		t.Errorf("any operator: %v, want %v", got, want)
	}
	q.Operators[1].Busy = append(busy(10), busy(11)...)
	want[2] = pick{"11:00", 'a'} // only the heavy one is free
	want[1] = pick{"10:00", 'c'}
	if got := picks(FreeSlots(q)); !slices.Equal(got, want) {
		t.Errorf("any operator, only the busiest free at 11:00: %v, want %v", got, want)
	}

	q.AnyOperator = false
	q.Operators[1].Busy = busy(10)
	wantAll := []pick{
		{"09:00", 'a'}, {"09:00", 'b'}, {"09:00", 'c'},
		{"10:00", 'a'}, {"10:00", 'c'},
		{"11:00", 'a'}, {"11:00", 'b'},
		{"12:00", 'a'}, {"12:00", 'b'}, {"12:00", 'c'},
	}
	if got := picks(FreeSlots(q)); !slices.Equal(got, wantAll) {
		t.Errorf("every operator: %v, want %v", got, wantAll)
	}
}

func TestFreeSlotsRangeAndZoneOfFrom(t *testing.T) {
	tokyo := zone(t, "Asia/Tokyo")
	r := Rules{Duration: 30 * time.Minute, Interval: 30 * time.Minute}
	q := dayQuery(zone(t, paris), "2026-06-15", r, everyDay(paris, window(t, "09:00", "12:00")))
	q.From = monday(t, 9, 30).In(tokyo) // inclusive
	q.To = monday(t, 11, 0).In(tokyo)   // exclusive
	slots := FreeSlots(q)
	if got, want := localStarts(slots, zone(t, paris)), []string{"09:30", "10:00", "10:30"}; !slices.Equal(got, want) {
		t.Fatalf("starts %v, want %v", got, want)
	}
	for _, s := range slots {
		if s.Start.Location() != tokyo || s.End.Location() != tokyo {
			t.Errorf("slot %v–%v not in the zone of From (Asia/Tokyo)", s.Start, s.End)
		}
		if s.OperatorID != q.Operators[0].ID {
			t.Errorf("slot has operator %v, want %v", s.OperatorID, q.Operators[0].ID)
		}
	}
	if got := slots[0].Start.Format(time.RFC3339); got != "2026-06-15T16:30:00+09:00" {
		t.Errorf("first start %s, want 2026-06-15T16:30:00+09:00", got)
	}
}

// Busy input in any order, overlapping, empty or backwards, gives the same answer as clean input.
func TestFreeSlotsMessyBusyInput(t *testing.T) {
	r := Rules{Duration: 30 * time.Minute, Interval: 30 * time.Minute}
	q := dayQuery(zone(t, paris), "2026-06-15", r, everyDay(paris, window(t, "09:00", "17:00")))
	q.Operators[0].Busy = []Interval{
		{monday(t, 15, 0), monday(t, 15, 30)},
		{monday(t, 10, 0), monday(t, 11, 0)},
		{monday(t, 10, 30), monday(t, 12, 0)}, // overlaps the one before
		{monday(t, 13, 0), monday(t, 13, 0)},  // empty
		{monday(t, 14, 0), monday(t, 9, 0)},   // backwards
	}
	want := []string{"09:00", "09:30", "12:00", "12:30", "13:00", "13:30", "14:00", "14:30", "15:30", "16:00", "16:30"}
	if got := localStarts(FreeSlots(q), zone(t, paris)); !slices.Equal(got, want) {
		t.Fatalf("starts %v, want %v", got, want)
	}
	// A long block that starts first and ends last hides every shorter one after it.
	q.Operators[0].Busy = append(q.Operators[0].Busy, Interval{monday(t, 9, 0), monday(t, 16, 59)})
	if got := localStarts(FreeSlots(q), zone(t, paris)); len(got) != 0 {
		t.Fatalf("starts %v under a day-long busy block, want none", got)
	}
}

func TestFreeSlotsHostileInput(t *testing.T) {
	good := everyDay(paris, window(t, "09:00", "10:00"))
	tests := []struct {
		name   string
		change func(q *Query)
		want   int
	}{
		{"unknown zone offers nothing", func(q *Query) { q.Operators[0].Availability.TimeZone = "Mars/Olympus" }, 0},
		{"no duration offers nothing", func(q *Query) { q.Rules.Duration = 0 }, 0},
		{"no interval steps by the duration", func(q *Query) { q.Rules.Interval = 0 }, 2},
		{"a nanosecond interval counts as a minute", func(q *Query) { q.Rules.Interval = 1; q.Rules.Duration = 59 * time.Minute }, 2},
		{"window out of range is ignored", func(q *Query) {
			q.Operators[0].Availability.Weekly["mon"] = []Window{{Start: -60, End: 3000}, {Start: 600, End: 540}}
		}, 0},
		{"To before From", func(q *Query) { q.To = q.From.Add(-time.Hour) }, 0},
		{"no operators", func(q *Query) { q.Operators = nil }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := dayQuery(zone(t, paris), "2026-06-15", Rules{Duration: 30 * time.Minute, Interval: 30 * time.Minute}, good)
			q.Operators[0].Availability.Weekly = map[string][]Window{"mon": good.Weekly["mon"]}
			tt.change(&q)
			if got := FreeSlots(q); len(got) != tt.want {
				t.Fatalf("%d slots %v, want %d", len(got), got, tt.want)
			}
		})
	}

	t.Run("a range of centuries stops after MaxQuerySpan", func(t *testing.T) {
		q := dayQuery(zone(t, paris), "2026-06-15", Rules{Duration: 30 * time.Minute, Interval: 30 * time.Minute}, good)
		q.To = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		slots := FreeSlots(q)
		if len(slots) == 0 || slots[len(slots)-1].Start.After(q.From.Add(MaxQuerySpan)) {
			t.Fatalf("%d slots, last %v: want some, none after %v", len(slots), slots[len(slots)-1].Start, q.From.Add(MaxQuerySpan))
		}
	})
}

// The sweep (sorted busy time, a cursor, jumps past blocks) gives exactly the
// starts that checking each grid time on its own with Free gives, over many
// random operators, including a DST change.
func TestFreeSlotsMatchesFreeAtEveryStart(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 20))
	for round := range 40 {
		zoneName := []string{"Europe/London", "America/New_York", "Asia/Kolkata"}[round%3]
		loc := zone(t, zoneName)
		r := Rules{
			Duration:     time.Duration(15+15*rng.IntN(4)) * time.Minute,
			Interval:     time.Duration(5+5*rng.IntN(6)) * time.Minute,
			BufferBefore: time.Duration(rng.IntN(20)) * time.Minute,
			BufferAfter:  time.Duration(rng.IntN(20)) * time.Minute,
			MinNotice:    time.Duration(rng.IntN(48)) * time.Hour,
			Horizon:      time.Duration(72+rng.IntN(72)) * time.Hour,
			DailyLimit:   rng.IntN(3),
		}
		a := Availability{TimeZone: zoneName, Weekly: map[string][]Window{
			"mon": {window(t, "00:00", "04:00"), window(t, "09:00", "12:00"), window(t, "13:00", "17:30")},
			"tue": {window(t, "08:10", "16:50")}, "wed": {window(t, "09:00", "17:00")},
			"thu": {window(t, "10:00", "24:00")}, "fri": {window(t, "09:00", "17:00")},
			"sat": {window(t, "09:00", "12:00"), window(t, "12:00", "13:00")},
			"sun": {window(t, "00:00", "06:00"), window(t, "20:00", "24:00")},
		}}
		// Around London's and New York's autumn change.
		from := time.Date(2026, 10, 23, 0, 0, 0, 0, loc).Add(time.Duration(rng.IntN(24*60)) * time.Minute)
		if zoneName == "America/New_York" {
			from = from.AddDate(0, 0, 7)
		}
		to := from.Add(5 * 24 * time.Hour)
		now := from.Add(-time.Duration(rng.IntN(24*60)) * time.Minute)
		op := Operator{ID: uuid.New(), Availability: a, Booked: map[string]int{}}
		for range 30 {
			s := from.Add(time.Duration(rng.IntN(5*24*60)) * time.Minute)
			op.Busy = append(op.Busy, Interval{s, s.Add(time.Duration(5+rng.IntN(180)) * time.Minute)})
		}
		for d := range 5 {
			op.Booked[from.AddDate(0, 0, d).In(loc).Format(dateLayout)] = rng.IntN(3)
		}

		var want []string
		for s := from.Truncate(time.Minute); s.Before(to); s = s.Add(time.Minute) {
			if ok, _ := Free(r, op, s, now); ok && !s.Before(from) {
				want = append(want, s.UTC().Format(time.RFC3339))
			}
		}
		var got []string
		for _, s := range FreeSlots(Query{Rules: r, Operators: []Operator{op}, From: from, To: to, Now: now}) {
			got = append(got, s.Start.UTC().Format(time.RFC3339))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (%s, %+v): FreeSlots gives %d starts, Free accepts %d:\n got %v\nwant %v",
				round, zoneName, r, len(got), len(want), got, want)
		}
	}
}
