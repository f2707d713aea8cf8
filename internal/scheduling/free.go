package scheduling

import "time"

// Reasons Free gives for a start that is not free.
const (
	ReasonOutsideHours = "outside working hours"
	ReasonNotice       = "inside the minimum notice"
	ReasonHorizon      = "beyond the booking horizon"
	ReasonInterval     = "not on the interval"
	ReasonTaken        = "taken"
	ReasonDailyLimit   = "daily limit reached"
	ReasonInvalidRules = "the service has no duration"
)

// Free tells whether one start is free for one operator under the rules (what booking and reschedule
// validators call); the reason names why not ("outside working hours", "inside the minimum notice",
// "beyond the booking horizon", "not on the interval", "taken", "daily limit reached").
// It agrees with FreeSlots: a start is free exactly when FreeSlots would offer it.
// When several reasons apply, the first in that order of checks is given:
// notice, horizon, hours, interval, daily limit, taken.
func Free(r Rules, op Operator, start, now time.Time) (ok bool, reason string) {
	r = r.normalised()
	if r.Duration <= 0 {
		return false, ReasonInvalidRules
	}
	if start.Before(now.Add(r.MinNotice)) {
		return false, ReasonNotice
	}
	if r.Horizon > 0 && start.After(now.Add(r.Horizon)) {
		return false, ReasonHorizon
	}
	sched, err := compile(op.Availability)
	if err != nil {
		return false, ReasonOutsideHours
	}
	// Only the start's own local day can hold it: a window ends by the next
	// day's first instant, and time.Date only ever moves a window later.
	day := dateOf(start, sched.loc)
	inHours, onGrid := false, false
	for _, w := range sched.windows(day) {
		sp, ok := sched.span(day, w)
		if !ok || start.Before(sp.start) || start.Add(r.Duration).After(sp.end) {
			continue
		}
		inHours = true
		if s, ok := sp.first(start, r.Duration, r.Interval); ok && s.Equal(start) {
			onGrid = true
			break
		}
	}
	switch {
	case !inHours:
		return false, ReasonOutsideHours
	case !onGrid:
		return false, ReasonInterval
	case r.DailyLimit > 0 && dayLoad(op.Booked, day) >= r.DailyLimit:
		return false, ReasonDailyLimit
	}
	blockStart, blockEnd := start.Add(-r.BufferBefore), start.Add(r.Duration+r.BufferAfter)
	for _, b := range op.Busy {
		if b.Start.Before(blockEnd) && b.End.After(blockStart) && b.End.After(b.Start) {
			return false, ReasonTaken
		}
	}
	return true, ""
}
