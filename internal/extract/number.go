package extract

import (
	"regexp"
	"strings"
)

// numberLabelPattern finds the label of a document number; the number follows it.
var numberLabelPattern = regexp.MustCompile(`(?i)\b(?:TAX\s+)?(?:INVOICE|INV|RECEIPT|RCPT|RESIT|BILL|DOC(?:UMENT)?|TRANS(?:ACTION)?|TXN|ORDER|ORD|CHECK|CHK|SLIP|REF(?:ERENCE)?|CS|OR)\s*(?:NO\.?|NUMBER|NUM|#|:)\s*[:#.]?\s*`)

// numberValuePattern is a document number: letters, digits and dashes with at least one digit.
var numberValuePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9\-/]{2,29}`)

// pickNumber finds the invoice or receipt number next to its label.
func pickNumber(lines []line) (Field, bool) {
	for _, l := range lines {
		for _, m := range numberLabelPattern.FindAllStringIndex(l.text, -1) {
			rest := l.text[m[1]:]
			v := numberValuePattern.FindString(rest)
			if v == "" || !strings.ContainsAny(v, "0123456789") {
				continue
			}
			from := m[1]
			to := from + len(v)
			conf := 0.45 + 0.45*l.spanConfidence(from, to)
			return Field{Value: v, Normalized: strings.ToUpper(v), Confidence: round2(conf), Page: l.page, Box: l.spanBox(from, to)}, true
		}
	}
	return Field{}, false
}
