package extract

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ErrNotDate is returned by ParseDate for text that is not a plausible date.
var ErrNotDate = errors.New("extract: not a date")

// Years outside this range are OCR misreads, not receipt dates.
const (
	minYear = 1990
	maxYear = 2099
)

var monthNames = map[string]time.Month{
	"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "SEPT": 9, "OCT": 10, "NOV": 11, "DEC": 12,
	// Malay, common on the receipts we see
	"MAC": 3, "MEI": 5, "OGO": 8, "OGOS": 8, "DIS": 12, "JANUARI": 1, "FEBRUARI": 2, "APRIL": 4, "JULAI": 7, "OKT": 10, "DISEMBER": 12,
}

const monthAlternation = `JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER|JANUARI|FEBRUARI|JULAI|DISEMBER|SEPT|JAN|FEB|MAR|APR|JUN|JUL|AUG|SEP|OCT|NOV|DEC|MAC|MEI|OGOS|OGO|OKT|DIS`

var (
	// 2018-12-25, 2018/12/25
	isoDatePattern = regexp.MustCompile(`\b(\d{4})\s?[-/.]\s?(\d{1,2})\s?[-/.]\s?(\d{1,2})\b`)
	// 25/12/2018, 25-12-18, 25.12.2018 (and 12/28/2017 when the day cannot be first)
	numericDatePattern = regexp.MustCompile(`\b(\d{1,2})\s?([-/.])\s?(\d{1,2})\s?[-/.]\s?(\d{4}|\d{2})\b`)
	// 25 Dec 2018, 25-DEC-18, 25Dec2018
	dayMonthPattern = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*(` + monthAlternation + `)\.?[\s\-/.,]*(\d{4}|\d{2})\b`)
	// Dec 25, 2018
	monthDayPattern = regexp.MustCompile(`(?i)\b(` + monthAlternation + `)\.?[\s\-/.]*(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/.]*(\d{4})\b`)
)

// dateSpan is a date found in a line's text.
type dateSpan struct {
	from, to int
	date     time.Time
}

// ParseDate reads a date as printed on a receipt and returns it as an ISO
// date (2018-12-25). Accepted: 25/12/2018, 25-12-18, 25.12.2018, 2018-12-25,
// 25 Dec 2018, 25-DEC-18, Dec 25, 2018. Numeric dates are read day first
// (25/12, as in Malaysia, Europe and most of the world); month first only when
// the day-first reading is impossible (12/28/2017). Two-digit years are
// 2000-2069 below 70 and 1970-1999 otherwise.
func ParseDate(s string) (string, error) {
	spans := findDates(s)
	if len(spans) == 0 {
		return "", ErrNotDate
	}
	return spans[0].date.Format(time.DateOnly), nil
}

// findDates lists the plausible dates printed in a line, left to right.
func findDates(text string) []dateSpan {
	var out []dateSpan
	add := func(from, to int, y, m, d int) {
		t, ok := makeDate(y, m, d)
		if !ok {
			return
		}
		for _, o := range out {
			if from < o.to && to > o.from {
				return
			}
		}
		out = append(out, dateSpan{from: from, to: to, date: t})
	}
	for _, m := range overlappingMatches(isoDatePattern, text) {
		add(m[0], m[1], atoi(text[m[2]:m[3]]), atoi(text[m[4]:m[5]]), atoi(text[m[6]:m[7]]))
	}
	for _, m := range overlappingMatches(numericDatePattern, text) {
		a, b := atoi(text[m[2]:m[3]]), atoi(text[m[6]:m[7]])
		yearText := text[m[8]:m[9]]
		if len(yearText) == 2 && text[m[4]:m[5]] == "." {
			continue // 12.50.30 is more likely amounts or versions than a date
		}
		y := expandYear(atoi(yearText), len(yearText))
		day, month := a, b
		if month > 12 && day <= 12 {
			day, month = b, a
		}
		add(m[0], m[1], y, month, day)
	}
	for _, m := range overlappingMatches(dayMonthPattern, text) {
		month, ok := lookupMonth(text[m[4]:m[5]])
		if !ok {
			continue
		}
		yearText := text[m[6]:m[7]]
		add(m[0], m[1], expandYear(atoi(yearText), len(yearText)), int(month), atoi(text[m[2]:m[3]]))
	}
	for _, m := range overlappingMatches(monthDayPattern, text) {
		month, ok := lookupMonth(text[m[2]:m[3]])
		if !ok {
			continue
		}
		add(m[0], m[1], atoi(text[m[6]:m[7]]), int(month), atoi(text[m[4]:m[5]]))
	}
	// left to right
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].from < out[j-1].from; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// overlappingMatches is FindAllStringSubmatchIndex except that the search
// resumes at the next word after each match's start, not after its end: in
// "REG #19- 18/01/2018" the first match, "19- 18/01", is no date and must not
// hide the one that follows. Overlapping dates are settled by findDates.
func overlappingMatches(re *regexp.Regexp, text string) [][]int {
	var out [][]int
	for off := 0; off < len(text); {
		m := re.FindStringSubmatchIndex(text[off:])
		if m == nil {
			break
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += off
			}
		}
		out = append(out, m)
		off = nextWordStart(text, m[0])
	}
	return out
}

// nextWordStart is the index of the first letter or digit after the run of
// them that holds index i (len(text) when there is none), so that a search
// resumed there sees the same word boundary the whole text has.
func nextWordStart(text string, i int) int {
	isWord := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_'
	}
	for i < len(text) && isWord(text[i]) {
		i++
	}
	for i < len(text) && !isWord(text[i]) {
		i++
	}
	return i
}

func lookupMonth(name string) (time.Month, bool) {
	name = strings.ToUpper(name)
	if m, ok := monthNames[name]; ok {
		return m, true
	}
	if len(name) > 3 {
		if m, ok := monthNames[name[:3]]; ok {
			return m, true
		}
	}
	return 0, false
}

func expandYear(y, digits int) int {
	if digits == 2 {
		if y < 70 {
			return 2000 + y
		}
		return 1900 + y
	}
	return y
}

func makeDate(y, m, d int) (time.Time, bool) {
	if y < minYear || y > maxYear || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31/02 rolls over: not a date
		return time.Time{}, false
	}
	return t, true
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
