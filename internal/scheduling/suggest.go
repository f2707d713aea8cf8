package scheduling

import (
	"slices"
	"strings"
	"time"
)

// Suggestion is one proposed slot with why it fits.
type Suggestion struct {
	Slot   Slot
	Reason string // "Tuesday afternoon, from 2 pm"
}

// How much each part of Preferences.Prefer weighs when ranking: the day
// matters more than the time of day, a named date more than a weekday.
const (
	weightDates    = 8
	weightWeekdays = 4
	weightParts    = 2
	weightBound    = 1 // each of From and Until
)

// Suggest ranks free slots by fit to the preferences (then earliest, then
// their order in slots) and returns at most n, each with a human reason.
// Slots are judged in loc's wall time (nil is UTC). Hard limits (Require,
// Avoid) leave slots out as long as any slot keeps them all; when none does,
// the earliest slots come back with a reason that says so. It only ever
// returns slots from the given list.
func Suggest(slots []Slot, p Preferences, loc *time.Location, n int) []Suggestion {
	if n <= 0 || len(slots) == 0 {
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	type ranked struct {
		slot  Slot
		wall  wallTime
		score int
	}
	var fitting []ranked
	for _, s := range slots {
		w := wallOf(s, loc)
		if p.allows(w) {
			fitting = append(fitting, ranked{slot: s, wall: w, score: p.Prefer.score(w)})
		}
	}
	if len(fitting) == 0 {
		return earliestInstead(slots, p, loc, n)
	}
	slices.SortStableFunc(fitting, func(a, b ranked) int {
		if a.score != b.score {
			return b.score - a.score
		}
		return a.slot.Start.Compare(b.slot.Start)
	})
	out := make([]Suggestion, 0, min(n, len(fitting)))
	for i, r := range fitting[:min(n, len(fitting))] {
		out = append(out, Suggestion{Slot: r.slot, Reason: p.reason(r.wall, i)})
	}
	return out
}

// earliestInstead answers when no slot keeps the hard limits.
func earliestInstead(slots []Slot, p Preferences, loc *time.Location, n int) []Suggestion {
	sorted := slices.Clone(slots)
	slices.SortStableFunc(sorted, func(a, b Slot) int { return a.Start.Compare(b.Start) })
	limits := p.describeLimits()
	out := make([]Suggestion, 0, min(n, len(sorted)))
	for i, s := range sorted[:min(n, len(sorted))] {
		earliest := "next earliest"
		if i == 0 {
			earliest = "earliest free time"
		}
		out = append(out, Suggestion{Slot: s, Reason: capitalised(
			"nothing free meets " + limits + "; " + earliest + ": " + p.head(wallOf(s, loc)))})
	}
	return out
}

// wallTime is a slot as its zone's clocks show it.
type wallTime struct {
	date    string // "2006-01-02"
	weekday time.Weekday
	start   TimeOfDay
	end     int // minutes after the start date's midnight; past 1440 when the slot ends the next day
}

func wallOf(s Slot, loc *time.Location) wallTime {
	start, end := s.Start.In(loc), s.End.In(loc)
	day, endDay := dateOf(start, loc), dateOf(end, loc)
	// A slot that runs past midnight ends after EndOfDay.
	days := int(endDay.noonUTC().Sub(day.noonUTC()) / (24 * time.Hour))
	endMinutes := days*24*60 + end.Hour()*60 + end.Minute()
	return wallTime{
		date:    day.String(),
		weekday: start.Weekday(),
		start:   TimeOfDay(start.Hour()*60 + start.Minute()),
		end:     endMinutes,
	}
}

// allows reports whether w keeps the hard limits.
func (p Preferences) allows(w wallTime) bool {
	if !p.Require.holds(w) {
		return false
	}
	for _, a := range p.Avoid {
		if !a.isZero() && a.holds(w) {
			return false
		}
	}
	return true
}

// holds reports whether w meets every part of c that is set.
func (c Condition) holds(w wallTime) bool {
	return (len(c.Dates) == 0 || c.matchDate(w) != nil) &&
		(len(c.Weekdays) == 0 || slices.Contains(c.Weekdays, w.weekday)) &&
		(len(c.Parts) == 0 || c.matchPart(w) != nil) &&
		(c.From == 0 || w.start >= c.From) &&
		(c.Until == 0 || w.end <= int(c.Until))
}

// score weighs the parts of c that w meets.
func (c Condition) score(w wallTime) int {
	s := 0
	if c.matchDate(w) != nil {
		s += weightDates
	}
	if slices.Contains(c.Weekdays, w.weekday) {
		s += weightWeekdays
	}
	if c.matchPart(w) != nil {
		s += weightParts
	}
	if c.From != 0 && w.start >= c.From {
		s += weightBound
	}
	if c.Until != 0 && w.end <= int(c.Until) {
		s += weightBound
	}
	return s
}

func (c Condition) matchDate(w wallTime) *DateSpan {
	for i, d := range c.Dates {
		if d.First <= w.date && w.date <= d.Last { // ISO dates sort as strings
			return &c.Dates[i]
		}
	}
	return nil
}

func (c Condition) matchPart(w wallTime) *PartOfDay {
	for i, part := range c.Parts {
		if part.Start <= w.start && w.start < part.End {
			return &c.Parts[i]
		}
	}
	return nil
}

// reason says why the i-th suggestion fits: what it meets, then what it
// does not ("wanted Tuesday").
func (p Preferences) reason(w wallTime, i int) string {
	var said []string
	said = append(said, p.head(w))
	from, until := max(p.Require.From, p.Prefer.From), p.Require.Until
	if until == 0 || (p.Prefer.Until != 0 && p.Prefer.Until < until) {
		until = p.Prefer.Until
	}
	if from != 0 && w.start >= from {
		said = append(said, "from "+from.spoken())
	}
	if until != 0 && w.end <= int(until) {
		said = append(said, "done by "+until.spoken())
	}
	if p.ASAP || p.Prefer.isZero() {
		if i == 0 {
			said = append(said, "earliest free time")
		} else {
			said = append(said, "next earliest")
		}
	}
	text := strings.Join(said, ", ")
	if missed := p.Prefer.missed(w); len(missed) > 0 {
		text += " (wanted " + strings.Join(missed, ", ") + ")"
	}
	return capitalised(text)
}

// head names the slot's day and part of the day: "Tuesday afternoon",
// "tomorrow morning", "Monday morning next week", "Wednesday evening, 24 June".
func (p Preferences) head(w wallTime) string {
	day := w.weekday.String()
	part := ""
	if m := p.Prefer.matchPart(w); m != nil {
		part = m.Name
	} else if m := p.Require.matchPart(w); m != nil {
		part = m.Name
	} else if m := (Condition{Parts: []PartOfDay{Morning, Afternoon, Evening}}).matchPart(w); m != nil {
		part = m.Name
	}
	head := strings.TrimSpace(day + " " + part)
	d := p.Prefer.matchDate(w)
	if d == nil {
		d = p.Require.matchDate(w)
	}
	switch {
	case d == nil:
	case d.Label == "today" || d.Label == "tomorrow" || d.Label == "the day after tomorrow":
		head = strings.TrimSpace(d.Label + " " + part)
	case strings.HasPrefix(d.Label, "this ") || strings.HasPrefix(d.Label, "next "):
		head += " " + d.Label
	default:
		head += ", " + d.Label
	}
	return head
}

// missed lists the wishes of c that w does not meet, as the client put them.
func (c Condition) missed(w wallTime) []string {
	var out []string
	if len(c.Dates) > 0 && c.matchDate(w) == nil {
		out = append(out, orList(c.Dates, func(d DateSpan) string { return d.Label }))
	}
	if len(c.Weekdays) > 0 && !slices.Contains(c.Weekdays, w.weekday) {
		out = append(out, orList(c.Weekdays, time.Weekday.String))
	}
	if len(c.Parts) > 0 && c.matchPart(w) == nil {
		out = append(out, orList(c.Parts, func(p PartOfDay) string { return p.Name }))
	}
	if c.From != 0 && w.start < c.From {
		out = append(out, "from "+c.From.spoken())
	}
	if c.Until != 0 && w.end > int(c.Until) {
		out = append(out, "done by "+c.Until.spoken())
	}
	return out
}

// describeLimits says the hard limits: "not Friday", "only Tuesday", "not before 2 pm".
func (p Preferences) describeLimits() string {
	var out []string
	r := p.Require
	if len(r.Dates)+len(r.Weekdays)+len(r.Parts) > 0 {
		out = append(out, "only "+r.describe())
	}
	if r.From != 0 {
		out = append(out, "not before "+r.From.spoken())
	}
	if r.Until != 0 {
		out = append(out, "not after "+r.Until.spoken())
	}
	for _, a := range p.Avoid {
		if !a.isZero() {
			out = append(out, "not "+a.describe())
		}
	}
	return strings.Join(out, " and ")
}

// describe says a condition's dates, weekdays, parts and time bounds.
func (c Condition) describe() string {
	var out []string
	if len(c.Weekdays) > 0 {
		out = append(out, orList(c.Weekdays, time.Weekday.String))
	}
	if len(c.Parts) > 0 {
		out = append(out, orList(c.Parts, func(p PartOfDay) string { return p.Name }))
	}
	if len(c.Dates) > 0 {
		out = append(out, orList(c.Dates, func(d DateSpan) string { return d.Label }))
	}
	switch {
	case c.From != 0 && c.Until != 0:
		out = append(out, "between "+c.From.spoken()+" and "+c.Until.spoken())
	case c.From != 0:
		out = append(out, "from "+c.From.spoken())
	case c.Until != 0:
		out = append(out, "until "+c.Until.spoken())
	}
	return strings.Join(out, " ")
}

func orList[T any](xs []T, name func(T) string) string {
	names := make([]string, len(xs))
	for i, x := range xs {
		names[i] = name(x)
	}
	return strings.Join(names, " or ")
}

func capitalised(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
