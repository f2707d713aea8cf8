package extract

import "strings"

// Match tells whether an extracted value equals the expected one the way an
// evaluation should: dates as dates (either may be printed in any accepted
// format), amounts as amounts ("$8.20" equals "8.2"), other text after
// trimming and collapsing white space, ignoring letter case. Case is ignored
// because SROIE's keys, like its transcripts, are upper-cased whatever the
// receipt printed ("GERBANG ALAF RESTAURANTS SDN BHD" for "Gerbang Alaf
// Restaurants Sdn Bhd"), and Extract returns values as printed. Nothing
// matches an empty expectation except an empty value.
func Match(field, got, want string) bool {
	got, want = collapseSpace(got), collapseSpace(want)
	if want == "" || got == "" {
		return got == want
	}
	switch field {
	case FieldDate:
		g, err1 := ParseDate(got)
		w, err2 := ParseDate(want)
		if err1 == nil && err2 == nil {
			return g == w
		}
	case FieldTotal, FieldSubtotal, FieldTax:
		g, err1 := ParseAmount(got)
		w, err2 := ParseAmount(want)
		if err1 == nil && err2 == nil {
			return g == w
		}
	}
	return strings.EqualFold(got, want)
}
