package scheduling

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
)

// The budget: 20 operators × 90 days with 10,000 busy events, a
// 30-minute service on a 15-minute grid with buffers 10/5, under 20 ms a query.
// The 90 days from 1 February include New York's spring change.
func BenchmarkFreeSlots(b *testing.B) {
	const (
		operators = 20
		days      = 90
		events    = 10_000
	)
	loc := zone(b, "America/New_York")
	from := time.Date(2026, 2, 1, 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, days)
	nineToFive := []Window{{Start: 9 * 60, End: 17 * 60}}
	a := Availability{TimeZone: "America/New_York", Weekly: map[string][]Window{
		"mon": nineToFive, "tue": nineToFive, "wed": nineToFive, "thu": nineToFive, "fri": nineToFive,
		"sat": {{Start: 9 * 60, End: 12 * 60}, {Start: 14 * 60, End: 18 * 60}}, // the split day
	}}

	rng := rand.New(rand.NewPCG(1, 2))
	ops := make([]Operator, operators)
	for i := range ops {
		ops[i] = Operator{ID: uuid.New(), Availability: a, Booked: map[string]int{}}
		for d := range days {
			ops[i].Booked[from.AddDate(0, 0, d).Format(dateLayout)] = rng.IntN(4)
		}
	}
	for e := range events {
		op := &ops[e%operators]
		day := from.AddDate(0, 0, rng.IntN(days))
		start := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, loc).Add(time.Duration(rng.IntN(10*60)) * time.Minute)
		op.Busy = append(op.Busy, Interval{start, start.Add(time.Duration(15+rng.IntN(76)) * time.Minute)})
	}
	q := Query{
		Rules: Rules{
			Duration: 30 * time.Minute, Interval: 15 * time.Minute,
			BufferBefore: 10 * time.Minute, BufferAfter: 5 * time.Minute,
			MinNotice: 2 * time.Hour, Horizon: 120 * 24 * time.Hour,
		},
		Operators: ops, From: from, To: to, Now: from.Add(-time.Hour),
	}

	for _, any := range []bool{false, true} {
		b.Run(fmt.Sprintf("AnyOperator=%v", any), func(b *testing.B) {
			q := q
			q.AnyOperator = any
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = len(FreeSlots(q))
			}
			if n == 0 {
				b.Fatal("no slots: the benchmark measures nothing")
			}
			b.ReportMetric(float64(n), "slots/op")
		})
	}
}
