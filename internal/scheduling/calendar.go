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

// span builds window w on day d with time.Date, so a time inside a skipped
// hour moves forward as Go normalises it; ok is false when nothing is left.
func (s *schedule) span(d civilDate, w Window) (span, bool) {
	start := time.Date(d.year, d.month, d.day, 0, int(w.Start), 0, 0, s.loc)
	end := time.Date(d.year, d.month, d.day, 0, int(w.End), 0, 0, s.loc)
	if !end.After(start) {
		return span{}, false
	}
	_, zoneEnd := start.ZoneBounds()
	return span{
		day: d, loc: s.loc, start: start, end: end,
		startWall: time.Duration(w.Start) * time.Minute,
		uniform:   zoneEnd.IsZero() || !zoneEnd.Before(end),
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
// in (twice a year at most), skipping wall times the change skips; each wall
// time names one instant, so a repeated hour is offered once.
func (sp span) firstAcrossChange(from time.Time, interval time.Duration) (time.Time, bool) {
	for wall := sp.startWall; wall < 24*time.Hour; wall += interval {
		s := time.Date(sp.day.year, sp.day.month, sp.day.day, 0, 0, 0, int(wall), sp.loc)
		if !sp.exists(s, wall) || s.Before(sp.start) || s.Before(from) {
			if !s.Before(sp.end) {
				return time.Time{}, false
			}
			continue
		}
		return s, true
	}
	return time.Time{}, false
}

// exists reports whether s shows the wall time asked for: time.Date moves a
// wall time inside a skipped hour forward, to a clock that differs.
func (sp span) exists(s time.Time, wall time.Duration) bool {
	y, m, d := s.Date()
	if (civilDate{y, m, d}) != sp.day {
		return false
	}
	h, min, sec := s.Clock()
	got := time.Duration(h)*time.Hour + time.Duration(min)*time.Minute +
		time.Duration(sec)*time.Second + time.Duration(s.Nanosecond())
	return got == wall
}
