package scheduling

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/astralisops/astralis/internal/problem"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []string // "field: fragment of the message"
	}{
		{"valid, the shape the API documents", `{"time_zone":"America/New_York",
			"weekly":{"mon":[{"start":"09:00","end":"12:00"},{"start":"13:00","end":"17:00"}],"sat":[{"start":"10:00","end":"24:00"}],"sun":[]},
			"overrides":[{"date":"2026-12-24","closed":true},{"date":"2026-12-31","windows":[{"start":"09:00","end":"12:00"}]}]}`, nil},
		{"touching windows do not overlap", `{"time_zone":"UTC","weekly":{"tue":[{"start":"12:00","end":"17:00"},{"start":"09:00","end":"12:00"}]}}`, nil},
		{"missing zone", `{"weekly":{}}`, []string{"time_zone: required"}},
		{"unknown zone", `{"time_zone":"Europe/Atlantis"}`, []string{"time_zone: unknown time zone"}},
		{"the host's zone is not an operator's", `{"time_zone":"Local"}`, []string{"time_zone: unknown time zone"}},
		{"a path is not a zone", `{"time_zone":"../../etc/passwd"}`, []string{"time_zone: unknown time zone"}},
		{"end before start", `{"time_zone":"UTC","weekly":{"mon":[{"start":"09:00","end":"12:00"},{"start":"17:00","end":"13:00"}]}}`,
			[]string{"weekly.mon[1]: end 13:00 is not after start 17:00"}},
		{"end equal to start", `{"time_zone":"UTC","weekly":{"fri":[{"start":"09:00","end":"09:00"}]}}`,
			[]string{"weekly.fri[0]: end 09:00 is not after start 09:00"}},
		{"overlapping windows", `{"time_zone":"UTC","weekly":{"wed":[{"start":"09:00","end":"12:00"},{"start":"11:30","end":"14:00"}]}}`,
			[]string{"weekly.wed[1]: overlaps weekly.wed[0]"}},
		{"overlapping windows listed out of order", `{"time_zone":"UTC","weekly":{"thu":[{"start":"11:30","end":"14:00"},{"start":"09:00","end":"12:00"}]}}`,
			[]string{"weekly.thu[1]: overlaps weekly.thu[0]"}},
		{"a window inside another", `{"time_zone":"UTC","weekly":{"wed":[{"start":"09:00","end":"17:00"},{"start":"10:00","end":"11:00"}]}}`,
			[]string{"weekly.wed[1]: overlaps weekly.wed[0]"}},
		{"unknown weekday", `{"time_zone":"UTC","weekly":{"xyz":[],"Mon":[]}}`,
			[]string{"weekly.Mon: unknown day", "weekly.xyz: unknown day"}},
		{"bad dates", `{"time_zone":"UTC","overrides":[{"date":"2026-02-30","closed":true},{"date":"24/12/2026","closed":true},{"date":"2026-1-05","closed":true}]}`,
			[]string{"overrides[0].date: not a date", "overrides[1].date: not a date", "overrides[2].date: not a date"}},
		{"duplicate date", `{"time_zone":"UTC","overrides":[{"date":"2026-12-24","closed":true},{"date":"2026-12-25","closed":true},{"date":"2026-12-24","windows":[{"start":"09:00","end":"10:00"}]}]}`,
			[]string{"overrides[2].date: 2026-12-24 is repeated: overrides[0]"}},
		{"closed with windows", `{"time_zone":"UTC","overrides":[{"date":"2026-12-24","closed":true,"windows":[{"start":"09:00","end":"10:00"}]}]}`,
			[]string{"overrides[0]: closed with windows"}},
		{"neither closed nor windows", `{"time_zone":"UTC","overrides":[{"date":"2026-12-24"}]}`,
			[]string{"overrides[0]: neither closed nor any windows"}},
		{"override windows checked too", `{"time_zone":"UTC","overrides":[{"date":"2026-12-24","windows":[{"start":"10:00","end":"09:00"}]}]}`,
			[]string{"overrides[0].windows[0]: end 09:00 is not after start 10:00"}},
		{"every problem at once", `{"time_zone":"Mars/Base","weekly":{"sun":[{"start":"10:00","end":"09:00"}],"funday":[]},"overrides":[{"date":"soon","closed":true}]}`,
			[]string{"time_zone: unknown time zone", "weekly.funday: unknown day", "weekly.sun[0]: end 09:00 is not after start 10:00", "overrides[0].date: not a date"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Availability
			if err := json.Unmarshal([]byte(tt.json), &a); err != nil {
				t.Fatalf("decode: %v", err)
			}
			err := a.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v, want valid", err)
				}
				return
			}
			var p *problem.Error
			if !errors.As(err, &p) || !errors.Is(err, problem.ErrInvalid) {
				t.Fatalf("Validate: %v (%T), want a problem.Invalid error", err, err)
			}
			var got []string
			for _, f := range p.Fields {
				got = append(got, f.Field+": "+f.Message)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("fields %q, want %d matching %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("field %d: %q, want it to start %q", i, got[i], w)
				}
			}
		})
	}
}

// Values only Go code can build (never JSON) are caught too, and limits bound the work.
func TestValidateOutOfRangeAndLimits(t *testing.T) {
	a := Availability{TimeZone: "UTC", Weekly: map[string][]Window{"mon": {{Start: -10, End: 60}, {Start: 60, End: 1500}}}}
	many := make([]Window, MaxWindowsPerDay+1)
	for i := range many {
		many[i] = Window{Start: TimeOfDay(i), End: TimeOfDay(i + 1)}
	}
	a.Weekly["tue"] = many
	a.Overrides = make([]Override, MaxOverrides+1)
	var p *problem.Error
	if !errors.As(a.Validate(), &p) {
		t.Fatal("want a problem error")
	}
	var fields []string
	for _, f := range p.Fields {
		fields = append(fields, f.Field)
	}
	if want := []string{"weekly.mon[0]", "weekly.mon[1]", "weekly.tue", "overrides"}; !slices.Equal(fields, want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
}
