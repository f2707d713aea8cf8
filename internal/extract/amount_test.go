package extract

import (
	"errors"
	"testing"
)

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]string{
		"RM 12.50": "12.50", "12,50": "12.50", "1,234.50": "1234.50", "1.234,50": "1234.50",
		"$8.20": "8.20", "-3.00": "-3.00", "9": "9.00", "RM9.00": "9.00", "12.5": "12.50", "1,234": "1234.00",
	} {
		got, err := ParseAmount(in)
		if err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "12.5.5", "RM", "1,2345", "99999999999999999999999.00"} {
		if got, err := ParseAmount(in); !errors.Is(err, ErrNotAmount) {
			t.Errorf("ParseAmount(%q) = %q, %v; want ErrNotAmount", in, got, err)
		}
	}
}

func TestFindAmountsSkipsDatesAndRates(t *testing.T) {
	got := findAmounts("18.01.2018 GST 6.00% TOTAL RM 33, 92")
	if len(got) != 1 || got[0].value != 3392 || got[0].currency != "MYR" {
		t.Fatalf("findAmounts = %+v; want only RM 33.92", got)
	}
}
