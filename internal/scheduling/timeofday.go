package scheduling

import (
	"encoding/json"
	"fmt"

	"github.com/astralisops/astralis/internal/problem"
)

// TimeOfDay is minutes after local midnight, 0..1440 (1440 only as an end: "24:00").
type TimeOfDay int

// EndOfDay is "24:00", the latest a window may end.
const EndOfDay TimeOfDay = 24 * 60

// ParseTimeOfDay reads "HH:MM" (two digits each, 00:00 to 24:00).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	bad := problem.New(problem.ErrInvalid, fmt.Sprintf("time of day %q is not HH:MM between 00:00 and 24:00", truncate(s, 16)))
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, bad
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	t := TimeOfDay(h*60 + m)
	if m > 59 || t > EndOfDay {
		return 0, bad
	}
	return t, nil
}

// String is "HH:MM"; a value out of range (only a Go caller can make one)
// shows as its minutes, so it is never mistaken for a real time.
func (t TimeOfDay) String() string {
	if t < 0 || t > EndOfDay {
		return fmt.Sprintf("invalid(%d)", int(t))
	}
	return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60)
}

func (t TimeOfDay) valid() bool { return t >= 0 && t <= EndOfDay }

// MarshalJSON writes "HH:MM".
func (t TimeOfDay) MarshalJSON() ([]byte, error) {
	if !t.valid() {
		return nil, fmt.Errorf("scheduling: time of day %d minutes is out of range", int(t))
	}
	return json.Marshal(t.String())
}

// UnmarshalJSON reads "HH:MM"; null or a number is refused rather than read as midnight.
func (t *TimeOfDay) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil || string(b) == "null" {
		return problem.New(problem.ErrInvalid, "a time of day must be a string \"HH:MM\"")
	}
	v, err := ParseTimeOfDay(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// truncate keeps error details short when the input is hostile.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
