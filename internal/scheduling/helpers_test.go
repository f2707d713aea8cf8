package scheduling

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// window builds a Window from "HH:MM" strings.
func window(t *testing.T, start, end string) Window {
	t.Helper()
	s, err := ParseTimeOfDay(start)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ParseTimeOfDay(end)
	if err != nil {
		t.Fatal(err)
	}
	return Window{Start: s, End: e}
}

// everyDay gives the same windows on all seven days.
func everyDay(zone string, ws ...Window) Availability {
	weekly := make(map[string][]Window, 7)
	for _, d := range Weekdays {
		weekly[d] = ws
	}
	return Availability{TimeZone: zone, Weekly: weekly}
}

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// localStarts renders slot starts as local wall times, "15:04", in loc.
func localStarts(slots []Slot, loc *time.Location) []string {
	out := make([]string, len(slots))
	for i, s := range slots {
		out[i] = s.Start.In(loc).Format("15:04")
	}
	return out
}

// dayQuery asks one operator for the slots of one whole local day, long after Now.
func dayQuery(loc *time.Location, date string, r Rules, a Availability) Query {
	day, err := time.ParseInLocation(dateLayout, date, loc)
	if err != nil {
		panic(err)
	}
	return Query{
		Rules:     r,
		Operators: []Operator{{ID: uuid.New(), Availability: a}},
		From:      day,
		To:        day.AddDate(0, 0, 1),
		Now:       day.AddDate(0, 0, -7),
	}
}
