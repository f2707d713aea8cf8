package extract

import (
	"strings"
	"unicode"
)

// labelTokens splits text into upper-case words of letters and digits, the
// unit labels are matched in ("Sub-Total:" -> SUB, TOTAL).
func labelTokens(s string) []string {
	return strings.FieldsFunc(strings.ToUpper(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// hasLabel reports whether the words of label occur in a row among tokens,
// each word allowing one OCR error when it is five letters or longer
// ("TOTAI" reads as TOTAL, "GST" must be exact).
func hasLabel(tokens []string, label string) bool {
	want := strings.Fields(label)
	for i := 0; i+len(want) <= len(tokens); i++ {
		ok := true
		for j, w := range want {
			if !tokenMatches(tokens[i+j], w) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func hasAnyLabel(tokens []string, labels ...string) bool {
	for _, l := range labels {
		if hasLabel(tokens, l) {
			return true
		}
	}
	return false
}

func tokenMatches(got, want string) bool {
	if got == want {
		return true
	}
	if len(want) < 5 || abs(len(got)-len(want)) > 1 {
		return false
	}
	return editSimilarity([]rune(got), []rune(want)) >= 1-1.0/float64(len(want))-1e-9
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
