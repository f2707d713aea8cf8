package scheduling

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// Rules are what a service asks of a slot.
type Rules struct {
	Duration, BufferBefore, BufferAfter time.Duration
	MinNotice                           time.Duration // a slot must start at least this long after Now
	Horizon                             time.Duration // ... and no later than Now + Horizon; 0 = no horizon
	Interval                            time.Duration // slots start on multiples of this from the start of each availability window, in local time; 0 = Duration
	DailyLimit                          int           // bookings per operator per local day; 0 = no limit
}

// MinInterval is the finest grid slots start on; a smaller Interval counts as this.
const MinInterval = time.Minute

// MaxQuerySpan is the longest range one query searches; FreeSlots stops after
// it, so the API should refuse longer ranges with a field error.
const MaxQuerySpan = 366 * 24 * time.Hour

// normalised replaces settings that would make a search endless or meaningless.
func (r Rules) normalised() Rules {
	if r.Interval <= 0 {
		r.Interval = r.Duration
	}
	r.Interval = max(r.Interval, MinInterval)
	r.BufferBefore = max(r.BufferBefore, 0)
	r.BufferAfter = max(r.BufferAfter, 0)
	return r
}

// Interval is a half-open span [Start, End).
type Interval struct{ Start, End time.Time }

// Operator is one operator's input to a slot search.
type Operator struct {
	ID           uuid.UUID
	Availability Availability   // already validated
	Busy         []Interval     // any order; bookings already widened by their own buffers, local events, external busy time
	Booked       map[string]int // bookings per local civil date "2006-01-02" (in the operator's zone), for DailyLimit and least-loaded
}

// Slot is a free start for one operator.
type Slot struct {
	Start, End time.Time
	OperatorID uuid.UUID
}

// Query asks for free slots of a service between From and To (a slot must start in [From, To)).
type Query struct {
	Rules     Rules
	Operators []Operator
	From, To  time.Time
	Now       time.Time
	// AnyOperator true: one slot per start time, from the operator with the
	// fewest bookings that day (ties: the order of Operators).
	AnyOperator bool
}

// FreeSlots returns the free slots in start order (then operator order when AnyOperator is false).
// A slot [s, s+Duration) is free when [s-BufferBefore, s+Duration+BufferAfter) overlaps no Busy interval,
// the slot lies inside one availability window of its local day (the slot itself, not its buffers),
// it respects notice, horizon and the daily limit. Times returned are in the zone of From.
// An operator whose time zone is unknown offers nothing; the search covers at most MaxQuerySpan.
func FreeSlots(q Query) []Slot {
	r := q.Rules.normalised()
	if r.Duration <= 0 || len(q.Operators) == 0 {
		return nil
	}
	// Starts lie in [lower, upper).
	lower := q.From
	if notice := q.Now.Add(r.MinNotice); notice.After(lower) {
		lower = notice
	}
	upper := q.To
	if r.Horizon > 0 {
		if h := q.Now.Add(r.Horizon + 1); h.Before(upper) {
			upper = h
		}
	}
	if limit := lower.Add(MaxQuerySpan); limit.Before(upper) {
		upper = limit
	}
	if !lower.Before(upper) {
		return nil
	}

	perOperator := make([][]found, len(q.Operators))
	for i, op := range q.Operators {
		perOperator[i] = sweep(r, op, lower, upper)
	}
	return merge(perOperator, q, r.Duration)
}

// found is one free start of one operator, with the bookings the operator
// already has on that local day (for least-loaded choice).
type found struct {
	start time.Time
	load  int
}

// sweep walks one operator's candidate starts in time order together with a
// cursor over its merged busy time, jumping past each busy block instead of
// testing every candidate against every block.
func sweep(r Rules, op Operator, lower, upper time.Time) []found {
	sched, err := compile(op.Availability)
	if err != nil {
		return nil
	}
	busy := mergedBusy(op.Busy, lower.Add(-r.BufferBefore), upper.Add(r.Duration+r.BufferAfter))
	var out []found
	next := 0          // busy cursor: every block before it ends before the current candidate's buffer
	var last time.Time // candidates must increase, or the cursor would skip a block
	first, final := dateOf(lower, sched.loc), dateOf(upper, sched.loc)
	for day := first; !day.after(final); day = day.next() {
		ws := sched.windows(day)
		if len(ws) == 0 {
			continue
		}
		load := dayLoad(op.Booked, day)
		if r.DailyLimit > 0 && load >= r.DailyLimit {
			continue
		}
		for _, w := range ws {
			sp, ok := sched.span(day, w)
			if !ok {
				continue
			}
			from := lower
			if !last.IsZero() && !last.Before(from) {
				from = last.Add(1)
			}
			for {
				s, ok := sp.first(from, r.Duration, r.Interval)
				if !ok || !s.Before(upper) {
					break
				}
				last = s
				blockStart, blockEnd := s.Add(-r.BufferBefore), s.Add(r.Duration+r.BufferAfter)
				for next < len(busy) && !busy[next].End.After(blockStart) {
					next++
				}
				if next < len(busy) && busy[next].Start.Before(blockEnd) {
					// The first start whose buffer clears this block.
					from = busy[next].End.Add(r.BufferBefore)
					continue
				}
				out = append(out, found{start: s, load: load})
				from = s.Add(1)
			}
		}
	}
	return out
}

// mergedBusy keeps the busy intervals that touch [from, to), sorted and merged
// so that both their starts and their ends increase.
func mergedBusy(busy []Interval, from, to time.Time) []Interval {
	kept := make([]Interval, 0, len(busy))
	for _, b := range busy {
		if b.End.After(b.Start) && b.End.After(from) && b.Start.Before(to) {
			kept = append(kept, b)
		}
	}
	slices.SortFunc(kept, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	merged := kept[:0]
	for _, b := range kept {
		if n := len(merged); n > 0 && !b.Start.After(merged[n-1].End) {
			if b.End.After(merged[n-1].End) {
				merged[n-1].End = b.End
			}
			continue
		}
		merged = append(merged, b)
	}
	return merged
}

func dayLoad(booked map[string]int, day civilDate) int {
	if len(booked) == 0 {
		return 0
	}
	return booked[day.String()]
}

// merge joins the operators' start-ordered lists: every slot in start then
// operator order, or with AnyOperator one per start from the least-loaded.
func merge(perOperator [][]found, q Query, duration time.Duration) []Slot {
	total := 0
	for _, fs := range perOperator {
		total += len(fs)
	}
	if total == 0 {
		return nil
	}
	zone := q.From.Location()
	out := make([]Slot, 0, total)
	heads := make([]int, len(perOperator))
	for {
		best := -1
		var bestStart time.Time
		bestLoad := 0
		for i, fs := range perOperator {
			if heads[i] == len(fs) {
				continue
			}
			f := fs[heads[i]]
			if c := f.start.Compare(bestStart); best < 0 || c < 0 || (q.AnyOperator && c == 0 && f.load < bestLoad) {
				best, bestStart, bestLoad = i, f.start, f.load
			}
		}
		if best < 0 {
			return out
		}
		out = append(out, Slot{
			Start:      bestStart.In(zone),
			End:        bestStart.Add(duration).In(zone),
			OperatorID: q.Operators[best].ID,
		})
		if !q.AnyOperator {
			heads[best]++
			continue
		}
		for i, fs := range perOperator {
			if heads[i] < len(fs) && fs[heads[i]].start.Equal(bestStart) {
				heads[i]++
			}
		}
	}
}
