package extract

import (
	"regexp"
	"strings"
)

// currencyPattern finds a currency printed on its own or beside an amount.
var currencyPattern = regexp.MustCompile(`(?i)\b(RM|MYR|USD|SGD|EUR|GBP|IDR|AUD|CAD|INR|THB|CHF|JPY)\b|(US\$|S\$|A\$|C\$|\$|€|£|₹|฿)`)

// pickCurrency prefers the currency printed with the total, else the one
// printed most often. "$" alone is ambiguous (US, Singapore, Australian...)
// and gets a low confidence.
func pickCurrency(lines []line, withTotal string) (Field, bool) {
	counts := map[string]int{}
	first := map[string]Field{}
	order := []string{}
	for _, l := range lines {
		for _, m := range currencyPattern.FindAllStringIndex(l.text, -1) {
			printed := l.text[m[0]:m[1]]
			code := currencySymbols[strings.ToUpper(printed)]
			if code == "" {
				continue
			}
			if counts[code] == 0 {
				order = append(order, code)
				first[code] = Field{Value: printed, Normalized: code, Page: l.page, Box: l.spanBox(m[0], m[1])}
			}
			counts[code]++
		}
	}
	if len(order) == 0 {
		return Field{}, false
	}
	best := order[0]
	for _, c := range order {
		if counts[c] > counts[best] {
			best = c
		}
	}
	if withTotal != "" && counts[withTotal] > 0 {
		best = withTotal
	}
	f := first[best]
	f.Confidence = 0.6 + 0.1*float64(min(counts[best], 3))
	if withTotal == best {
		f.Confidence += 0.05
	}
	if f.Value == "$" {
		f.Confidence = 0.45
	}
	f.Confidence = round2(f.Confidence)
	return f, true
}
