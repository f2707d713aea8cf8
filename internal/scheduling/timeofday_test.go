package scheduling

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/astralisops/astralis/internal/problem"
)

func TestParseTimeOfDay(t *testing.T) {
	valid := map[string]TimeOfDay{"00:00": 0, "09:00": 540, "09:05": 545, "23:59": 1439, "24:00": 1440}
	for s, want := range valid {
		got, err := ParseTimeOfDay(s)
		if err != nil || got != want {
			t.Errorf("ParseTimeOfDay(%q) = %d, %v; want %d", s, got, err, want)
		}
		if got.String() != s {
			t.Errorf("%d.String() = %q, want %q", got, got.String(), s)
		}
	}
	for _, s := range []string{"", "9", "9:00", "09:0", "25:00", "24:01", "09:60", "-1:00", "+9:00", "09.00", "0900", "09:00:00", "ab:cd", "２３:００", " 9:00"} {
		_, err := ParseTimeOfDay(s)
		if !errors.Is(err, problem.ErrInvalid) {
			t.Errorf("ParseTimeOfDay(%q) error %v, want an invalid-input error", s, err)
		}
	}
}

func TestWindowJSON(t *testing.T) {
	var w Window
	if err := json.Unmarshal([]byte(`{"start":"09:30","end":"24:00"}`), &w); err != nil || w != (Window{570, 1440}) {
		t.Fatalf("decode = %+v, %v", w, err)
	}
	out, err := json.Marshal(w)
	if err != nil || string(out) != `{"start":"09:30","end":"24:00"}` {
		t.Fatalf("encode = %s, %v", out, err)
	}
	for _, bad := range []string{
		`{"end":"17:00"}`,                 // start missing must not mean midnight
		`{"start":"09:00"}`,               // end missing
		`{"start":null,"end":"17:00"}`,    // null is not midnight either
		`{"start":540,"end":"17:00"}`,     // minutes are not the wire format
		`{"start":"9:00","end":"17:00"}`,  // one-digit hour
		`{"start":"09:00","end":"24:30"}`, // past the end of the day
	} {
		var w Window
		err := json.Unmarshal([]byte(bad), &w)
		if !errors.Is(err, problem.ErrInvalid) {
			t.Errorf("decode %s: error %v, want an invalid-input error", bad, err)
		}
	}
	if _, err := json.Marshal(Window{Start: -1, End: 60}); err == nil {
		t.Error("encoding an out-of-range time succeeded, want an error")
	}
}
