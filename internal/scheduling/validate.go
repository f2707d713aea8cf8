package scheduling

import (
	"fmt"
	"slices"
	"time"

	"github.com/astralisops/astralis/internal/problem"
)

// Validate names every problem as a field error, e.g. "time_zone" unknown, "weekly.mon[1]" end not after
// start or overlapping another window, "weekly.xyz" unknown day, "overrides[0].date" not a date or
// repeated, "overrides[0]" closed with windows. It returns a problem.Invalid error, nil when valid.
func (a Availability) Validate() error {
	var fields []problem.FieldError
	add := func(field, format string, args ...any) {
		fields = append(fields, problem.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}

	switch {
	case a.TimeZone == "":
		add("time_zone", "required: an IANA time zone such as \"Europe/London\"")
	default:
		if _, err := LoadZone(a.TimeZone); err != nil {
			add("time_zone", "unknown time zone %q: use an IANA name such as \"Europe/London\"", truncate(a.TimeZone, 64))
		}
	}

	// Known days in week order, then unknown keys sorted, so errors come out the same every time.
	keys := make([]string, 0, len(a.Weekly))
	for key := range a.Weekly {
		if _, known := weekdayOf[key]; !known {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys[:min(len(keys), len(Weekdays))] { // a few name the mistake; thousands would only echo the input
		add("weekly."+truncate(key, 16), "unknown day: use mon, tue, wed, thu, fri, sat or sun")
	}
	for _, day := range Weekdays {
		validateWindows(a.Weekly[day], "weekly."+day, add)
	}

	if len(a.Overrides) > MaxOverrides {
		add("overrides", "at most %d overrides", MaxOverrides)
	} else {
		seen := make(map[string]int, len(a.Overrides))
		for i, o := range a.Overrides {
			path := fmt.Sprintf("overrides[%d]", i)
			if d, err := time.Parse(dateLayout, o.Date); err != nil || d.Format(dateLayout) != o.Date {
				add(path+".date", "not a date: use YYYY-MM-DD")
			} else if first, dup := seen[o.Date]; dup {
				add(path+".date", "%s is repeated: overrides[%d] has the same date", o.Date, first)
			} else {
				seen[o.Date] = i
			}
			switch {
			case o.Closed && len(o.Windows) > 0:
				add(path, "closed with windows: give either closed or windows")
			case !o.Closed && len(o.Windows) == 0:
				add(path, "neither closed nor any windows: give closed true or the day's windows")
			}
			validateWindows(o.Windows, path+".windows", add)
		}
	}

	if len(fields) > 0 {
		return problem.Invalid("invalid availability", fields...)
	}
	return nil
}

// validateWindows checks one day's windows: each in range with end after start, none overlapping.
func validateWindows(ws []Window, path string, add func(field, format string, args ...any)) {
	if len(ws) > MaxWindowsPerDay {
		add(path, "at most %d windows a day", MaxWindowsPerDay)
		return
	}
	for i, w := range ws {
		field := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case !w.Start.valid() || !w.End.valid():
			add(field, "times must lie between 00:00 and 24:00")
			continue
		case w.End <= w.Start:
			add(field, "end %s is not after start %s", w.End, w.Start)
			continue
		}
		for j, earlier := range ws[:i] {
			if earlier.Start.valid() && earlier.End.valid() && earlier.Start < earlier.End &&
				w.Start < earlier.End && earlier.Start < w.End {
				add(field, "overlaps %s[%d] (%s–%s)", path, j, earlier.Start, earlier.End)
				break
			}
		}
	}
}
