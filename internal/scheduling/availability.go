package scheduling

import (
	"encoding/json"
	"time"

	"github.com/astralisops/astralis/internal/problem"
)

// Window is a local-time span within one day, Start < End.
type Window struct {
	Start TimeOfDay `json:"start"`
	End   TimeOfDay `json:"end"`
}

// UnmarshalJSON requires both ends: a missing "start" must not silently mean midnight.
func (w *Window) UnmarshalJSON(b []byte) error {
	var raw struct {
		Start *TimeOfDay `json:"start"`
		End   *TimeOfDay `json:"end"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw.Start == nil || raw.End == nil {
		return problem.New(problem.ErrInvalid, "a window needs both \"start\" and \"end\"")
	}
	*w = Window{Start: *raw.Start, End: *raw.End}
	return nil
}

// Override replaces one date's weekly windows: closed, or other hours.
type Override struct {
	Date    string   `json:"date"` // "2026-12-24" (civil date in the operator's zone)
	Closed  bool     `json:"closed,omitempty"`
	Windows []Window `json:"windows,omitempty"`
}

// Availability is one operator's working hours.
type Availability struct {
	TimeZone  string              `json:"time_zone"` // IANA
	Weekly    map[string][]Window `json:"weekly"`    // keys "mon".."sun"; missing or empty = not working
	Overrides []Override          `json:"overrides"`
}

// Weekdays are the keys of Availability.Weekly, Monday first.
var Weekdays = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// weekdayOf maps a Weekly key to Go's weekday.
var weekdayOf = map[string]time.Weekday{
	"mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday,
	"fri": time.Friday, "sat": time.Saturday, "sun": time.Sunday,
}

// Limits that keep one availability (and the work a slot query does for it) bounded.
const (
	MaxWindowsPerDay = 48
	MaxOverrides     = 1000
)

// dateLayout is how Override.Date and Operator.Booked keys are written.
const dateLayout = "2006-01-02"
