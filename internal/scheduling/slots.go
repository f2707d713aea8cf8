package scheduling

import (
	"cmp"
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
	return merge(perOperator, q, lower, r.Duration)
}

// Inside a query, instants are offsets from its lower bound: the range is at
// most MaxQuerySpan long, so they fit, and integers sort, compare and merge
// much faster than time.Time (which also carries a pointer the GC must scan).

// found is one free start of one operator (an offset from the query's lower
// bound), with the bookings the operator already has on that local day.
type found struct {
	at   time.Duration
	load int
}

// busySpan is a busy interval as offsets from the query's lower bound.
type busySpan struct{ start, end time.Duration }

// sweep walks one operator's candidate starts in time order together with a
// cursor over its merged busy time, jumping past each busy block instead of
// testing every candidate against every block.
func sweep(r Rules, op Operator, lower, upper time.Time) []found {
	sched, err := compile(op.Availability)
	if err != nil {
		return nil
	}
	busy := mergedBusy(op.Busy, lower, lower.Add(-r.BufferBefore), upper.Add(r.Duration+r.BufferAfter))
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
				at := s.Sub(lower)
				blockStart, blockEnd := at-r.BufferBefore, at+r.Duration+r.BufferAfter
				for next < len(busy) && busy[next].end <= blockStart {
					next++
				}
				if next < len(busy) && busy[next].start < blockEnd {
					// The first start whose buffer clears this block.
					from = lower.Add(busy[next].end + r.BufferBefore)
					continue
				}
				out = append(out, found{at: at, load: load})
				from = s.Add(1)
			}
		}
	}
	return out
}

// mergedBusy keeps the busy intervals that touch [from, to), as offsets from
// origin, sorted and merged so that both their starts and their ends increase.
func mergedBusy(busy []Interval, origin, from, to time.Time) []busySpan {
	kept := make([]busySpan, 0, len(busy))
	for _, b := range busy {
		if b.End.After(b.Start) && b.End.After(from) && b.Start.Before(to) {
			// Clipped to the range, so the offsets cannot overflow.
			start, end := b.Start, b.End
			if start.Before(from) {
				start = from
			}
			if end.After(to) {
				end = to
			}
			kept = append(kept, busySpan{start.Sub(origin), end.Sub(origin)})
		}
	}
	slices.SortFunc(kept, func(a, b busySpan) int { return cmp.Compare(a.start, b.start) })
	merged := kept[:0]
	for _, b := range kept {
		if n := len(merged); n > 0 && b.start <= merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, b.end)
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
// operator order, or with AnyOperator one per start from the least-loaded
// (ties: the earlier operator).
func merge(perOperator [][]found, q Query, lower time.Time, duration time.Duration) []Slot {
	h := heads{lists: perOperator}
	total, longest := 0, 0
	for i, fs := range perOperator {
		if len(fs) > 0 {
			h.push(i)
		}
		total, longest = total+len(fs), max(longest, len(fs))
	}
	if total == 0 {
		return nil
	}
	zone := q.From.Location()
	capacity := total
	if q.AnyOperator {
		capacity = longest // at least one operator's starts, likely most of them
	}
	out := make([]Slot, 0, capacity)
	emit := func(op int, at time.Duration) {
		start := lower.Add(at)
		out = append(out, Slot{Start: start.In(zone), End: start.Add(duration).In(zone), OperatorID: q.Operators[op].ID})
	}
	for len(h.order) > 0 {
		op := h.pop()
		at := perOperator[op][h.pos[op]].at
		if q.AnyOperator {
			// Every other operator free at the same start: keep the least loaded, advance them all.
			best, bestLoad := op, perOperator[op][h.pos[op]].load
			h.advance(op)
			for len(h.order) > 0 && perOperator[h.order[0]][h.pos[h.order[0]]].at == at {
				other := h.pop()
				if load := perOperator[other][h.pos[other]].load; load < bestLoad || (load == bestLoad && other < best) {
					best, bestLoad = other, load
				}
				h.advance(other)
			}
			emit(best, at)
			continue
		}
		emit(op, at)
		h.advance(op)
	}
	return out
}

// heads is a min-heap of operators by their next free start, then operator
// order: a k-way merge in n·log(operators) steps.
type heads struct {
	lists [][]found
	pos   []int // per operator: its next unmerged entry
	order []int // the heap of operator indices
}

func (h *heads) less(a, b int) bool {
	x, y := h.lists[a][h.pos[a]].at, h.lists[b][h.pos[b]].at
	return x < y || (x == y && a < b)
}

func (h *heads) push(op int) {
	if h.pos == nil {
		h.pos = make([]int, len(h.lists))
	}
	h.order = append(h.order, op)
	for i := len(h.order) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(h.order[i], h.order[parent]) {
			break
		}
		h.order[i], h.order[parent] = h.order[parent], h.order[i]
		i = parent
	}
}

// pop removes and returns the operator with the earliest next start.
func (h *heads) pop() int {
	top := h.order[0]
	n := len(h.order) - 1
	h.order[0] = h.order[n]
	h.order = h.order[:n]
	for i := 0; ; {
		smallest, l, r := i, 2*i+1, 2*i+2
		if l < n && h.less(h.order[l], h.order[smallest]) {
			smallest = l
		}
		if r < n && h.less(h.order[r], h.order[smallest]) {
			smallest = r
		}
		if smallest == i {
			break
		}
		h.order[i], h.order[smallest] = h.order[smallest], h.order[i]
		i = smallest
	}
	return top
}

// advance moves a popped operator to its next entry and back into the heap.
func (h *heads) advance(op int) {
	h.pos[op]++
	if h.pos[op] < len(h.lists[op]) {
		h.push(op)
	}
}
