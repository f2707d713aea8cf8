package extract

import (
	"errors"
	"testing"
)

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"25/12/2018":           "2018-12-25",
		"25-12-18":             "2018-12-25",
		"25.12.2018":           "2018-12-25",
		"25 Dec 2018":          "2018-12-25",
		"25-DEC-18":            "2018-12-25",
		"2018-12-25":           "2018-12-25",
		"Dec 25, 2018":         "2018-12-25",
		"05/03/2018":           "2018-03-05", // day first when ambiguous
		"12/28/2017":           "2017-12-28", // month first only when the day cannot be first
		"Date: 5/3/2018 10:25": "2018-03-05",
		// the first match, "19- 18/01", is no date and must not hide the date
		"ORD #50 -REG #19- 18/01/2018 10:27:03": "2018-01-18",
	} {
		got, err := ParseDate(in)
		if err != nil || got != want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"31/02/2018", "12.50.30", "1 Mar 2048x", "99/99/99", "hello"} {
		if got, err := ParseDate(in); !errors.Is(err, ErrNotDate) {
			t.Errorf("ParseDate(%q) = %q, %v; want ErrNotDate", in, got, err)
		}
	}
}

func TestDatePrefersLabelledDateOverExpiry(t *testing.T) {
	res := Extract([]Page{testPage(
		"SHOP SDN BHD",
		"VOUCHER EXPIRY 01/06/2019",
		"DATE: 25/12/2018 10:15",
		"TOTAL 9.00",
	)}, nil)
	if f := res.Fields[FieldDate]; f.Normalized != "2018-12-25" || f.Value != "25/12/2018" {
		t.Fatalf("date = %+v; want 25/12/2018 as 2018-12-25", f)
	}
}
