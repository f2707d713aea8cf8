package scheduling

import (
	"fmt"
	"slices"
	"time"
)

// civilDate is a date without a zone: stepping it never meets a DST change.
type civilDate struct {
	year  int
	month time.Month
	day   int
}

func dateOf(t time.Time, loc *time.Location) civilDate {
	y, m, d := t.In(loc).Date()
	return civilDate{y, m, d}
}

// next is the following day, computed at UTC noon where days are all 24 h.
func (c civilDate) next() civilDate {
	y, m, d := time.Date(c.year, c.month, c.day+1, 12, 0, 0, 0, time.UTC).Date()
	return civilDate{y, m, d}
}

func (c civilDate) after(o civilDate) bool {
	if c.year != o.year {
		return c.year > o.year
	}
	if c.month != o.month {
		return c.month > o.month
	}
	return c.day > o.day
}

func (c civilDate) weekday() time.Weekday {
	return time.Date(c.year, c.month, c.day, 12, 0, 0, 0, time.UTC).Weekday()
}

// String is "2006-01-02", the key of Operator.Booked.
func (c civilDate) String() string {
	if c.year < 0 || c.year > 9999 {
		return fmt.Sprintf("%04d-%02d-%02d", c.year, int(c.month), c.day)
	}
	b := [10]byte{
		byte('0' + c.year/1000), byte('0' + c.year/100%10), byte('0' + c.year/10%10), byte('0' + c.year%10), '-',
		byte('0' + int(c.month)/10), byte('0' + int(c.month)%10), '-',
		byte('0' + c.day/10), byte('0' + c.day%10),
	}
	return string(b[:])
}

// schedule is an Availability made ready to query: its zone loaded, each
// day's windows sane and sorted by start, overrides keyed by date.
type schedule struct {
	loc       *time.Location
	weekly    [7][]Window // by time.Weekday
	overrides map[civilDate][]Window
}

// compile prepares a. It does not trust that a was validated: windows that
// are out of range or empty are dropped, so hostile input costs nothing and
// offers nothing. It fails only when the zone is unknown.
func compile(a Availability) (*schedule, error) {
	loc, err := LoadZone(a.TimeZone)
	if err != nil {
		return nil, err
	}
	s := &schedule{loc: loc}
	for key, ws := range a.Weekly {
		if day, ok := weekdayOf[key]; ok {
			s.weekly[day] = saneWindows(ws)
		}
	}
	for _, o := range a.Overrides {
		d, err := time.Parse(dateLayout, o.Date)
		if err != nil {
			continue
		}
		if s.overrides == nil {
			s.overrides = make(map[civilDate][]Window, len(a.Overrides))
		}
		var ws []Window
		if !o.Closed {
			ws = saneWindows(o.Windows)
		}
		y, m, dd := d.Date()
		s.overrides[civilDate{y, m, dd}] = ws
	}
	return s, nil
}

func saneWindows(ws []Window) []Window {
	out := make([]Window, 0, min(len(ws), MaxWindowsPerDay))
	for _, w := range ws {
		if len(out) == MaxWindowsPerDay {
			break
		}
		if w.Start.valid() && w.End.valid() && w.Start < w.End {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b Window) int { return int(a.Start - b.Start) })
	return out
}

// windows are the day's windows: its override's if it has one, else its weekday's.
func (s *schedule) windows(d civilDate) []Window {
	if ws, ok := s.overrides[d]; ok {
		return ws
	}
	return s.weekly[d.weekday()]
}

// span is one window on one day, as instants.
type span struct {
	day        civilDate
	loc        *time.Location
	start, end time.Time
	startWall  time.Duration // the window's start after local midnight, as written
	// uniform: the UTC offset is the same throughout, so the candidate
	// starts, which step in wall time, are also start + k·interval in real time.
	uniform bool
}

// span builds window w on day d; ok is false when nothing is left of it
// (a window lying wholly inside a skipped hour).
func (s *schedule) span(d civilDate, w Window) (span, bool) {
	startWall, endWall := time.Duration(w.Start)*time.Minute, time.Duration(w.End)*time.Minute
	start, _ := instant(d, startWall, s.loc)
	end, _ := instant(d, endWall, s.loc)
	if !end.After(start) {
		return span{}, false
	}
	_, zoneEnd := start.ZoneBounds()
	return span{
		day: d, loc: s.loc, start: start, end: end, startWall: startWall,
		uniform: zoneEnd.IsZero() || !zoneEnd.Before(end),
	}, true
}

// first is the earliest candidate start at or after from whose slot of the
// given duration ends inside the span. Candidates step by interval in local
// wall time from the window's start.
func (sp span) first(from time.Time, duration, interval time.Duration) (time.Time, bool) {
	var s time.Time
	if sp.uniform {
		k := time.Duration(0)
		if from.After(sp.start) {
			k = (from.Sub(sp.start) + interval - 1) / interval
		}
		s = sp.start.Add(k * interval)
	} else {
		var ok bool
		if s, ok = sp.firstAcrossChange(from, interval); !ok {
			return time.Time{}, false
		}
	}
	if s.Add(duration).After(sp.end) {
		return time.Time{}, false
	}
	return s, true
}

// firstAcrossChange walks the wall-time grid of a window the offset changes
// in (twice a year at most): wall times the change skips are left out, and a
// repeated wall time is offered once, at its first occurrence.
func (sp span) firstAcrossChange(from time.Time, interval time.Duration) (time.Time, bool) {
	for wall := sp.startWall; wall < 24*time.Hour; wall += interval {
		s, exists := instant(sp.day, wall, sp.loc)
		if !s.Before(sp.end) {
			return time.Time{}, false
		}
		if exists && !s.Before(sp.start) && !s.Before(from) {
			return s, true
		}
	}
	return time.Time{}, false
}

// instant resolves wall time (after local midnight; 24h is the next
// midnight) on day d in loc the way RFC 5545 reads local times, so slots and
// the invites mailed for them agree: a time repeated by a fall-back change is
// its first occurrence; a time skipped by a spring-forward change is read with
// the offset before the gap, so it moves forward by the gap, and exists is
// false. (time.Date alone does not promise either choice, and New York and
// London get different ones.)
func instant(d civilDate, wall time.Duration, loc *time.Location) (t time.Time, exists bool) {
	t = time.Date(d.year, d.month, d.day, 0, 0, 0, int(wall), loc)
	zoneStart, zoneEnd := t.ZoneBounds()
	const near = 26 * time.Hour // more than any UTC offset change
	if (zoneStart.IsZero() || t.Sub(zoneStart) > near) && (zoneEnd.IsZero() || zoneEnd.Sub(t) > near) {
		return t, true // no change nearby: the wall time names exactly one instant
	}
	_, offset := t.Zone()
	offsets := []int{offset}
	if !zoneStart.IsZero() {
		_, before := zoneStart.Add(-1).Zone()
		offsets = append(offsets, before)
	}
	if !zoneEnd.IsZero() {
		_, after := zoneEnd.Zone()
		offsets = append(offsets, after)
	}
	naive := time.Date(d.year, d.month, d.day, 0, 0, 0, int(wall), time.UTC)
	var first, latest time.Time
	for _, o := range offsets {
		candidate := naive.Add(-time.Duration(o) * time.Second).In(loc)
		if latest.IsZero() || candidate.After(latest) {
			latest = candidate
		}
		if _, actual := candidate.Zone(); actual == o && (first.IsZero() || candidate.Before(first)) {
			first = candidate
		}
	}
	if !first.IsZero() {
		return first, true
	}
	return latest, false
}
