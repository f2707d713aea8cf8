package extract

import (
	"math"
	"regexp"
	"time"
)

var timePattern = regexp.MustCompile(`\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s?(?i:AM|PM)?\b`)

// pickDate chooses the document date among every plausible date printed:
// a "Date" label on the line or just above, a time printed beside it and an
// early position count for it; expiry and due dates count against.
func pickDate(lines []line) (Field, bool) {
	type cand struct {
		l     *line
		span  dateSpan
		score float64
	}
	var cands []cand
	for i := range lines {
		l := &lines[i]
		spans := findDates(l.text)
		for _, sp := range spans {
			score := 1.0
			tokens := labelTokens(l.text[:sp.from])
			above := []string{}
			if i > 0 && lines[i-1].page == l.page {
				above = labelTokens(lines[i-1].text)
			}
			switch {
			case hasAnyLabel(tokens, "EXPIRY", "EXPIRES", "EXP", "VALID", "DUE", "BEFORE", "UNTIL", "BIRTH", "DOB"):
				score -= 2
			case hasAnyLabel(tokens, "DATE", "DATED", "TARIKH", "DT", "TRANS DATE", "INVOICE DATE", "ISSUED"):
				score += 1.5
			case hasAnyLabel(above, "DATE", "TARIKH") && len(findDates(lines[i-1].text)) == 0:
				score += 1
			}
			if timePattern.MatchString(l.text[sp.to:]) || timePattern.MatchString(l.text[:sp.from]) {
				score += 0.7
			}
			score += 0.3 * (1 - l.relY()) // receipts print the date near the top more often than not
			cands = append(cands, cand{l: l, span: sp, score: score})
		}
	}
	if len(cands) == 0 {
		return Field{}, false
	}
	// The same date printed twice supports itself.
	for i := range cands {
		for j := range cands {
			if i != j && cands[i].span.date.Equal(cands[j].span.date) {
				cands[i].score += 0.3
				break
			}
		}
	}
	best, second := 0, -1
	for i := 1; i < len(cands); i++ {
		if cands[i].score > cands[best].score {
			best = i
		}
	}
	for i := range cands {
		if i != best && !cands[i].span.date.Equal(cands[best].span.date) && (second < 0 || cands[i].score > cands[second].score) {
			second = i
		}
	}
	b := cands[best]
	margin := 2.0
	if second >= 0 {
		margin = b.score - cands[second].score
	}
	conf := 1 / (1 + math.Exp(-(b.score-0.8)*2.2))
	conf *= 0.55 + 0.45*math.Min(1, margin)
	conf *= 0.7 + 0.3*b.l.spanConfidence(b.span.from, b.span.to)
	return Field{
		Value:      b.l.text[b.span.from:b.span.to],
		Normalized: b.span.date.Format(time.DateOnly),
		Confidence: round2(conf),
		Page:       b.l.page,
		Box:        b.l.spanBox(b.span.from, b.span.to),
	}, true
}

func round2(f float64) float64 { return math.Round(math.Min(f, 0.99)*100) / 100 }
