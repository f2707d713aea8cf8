package extract

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// cents is a money amount in hundredths, so sums compare exactly.
type cents int64

func (c cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return sign + strconv.FormatInt(int64(c/100), 10) + "." + twoDigits(int64(c%100))
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// ErrNotAmount is returned by ParseAmount for text that is not a money amount.
var ErrNotAmount = errors.New("extract: not an amount")

// maxAmount bounds parsed amounts (a trillion) so hostile digits cannot overflow.
const maxAmount = cents(100_000_000_000_000)

// currencySymbols maps what receipts print to ISO 4217 codes.
var currencySymbols = map[string]string{
	"RM": "MYR", "MYR": "MYR", "$": "USD", "US$": "USD", "USD": "USD", "S$": "SGD", "SGD": "SGD",
	"€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP", "¥": "JPY", "JPY": "JPY", "IDR": "IDR", "RP": "IDR",
	"CHF": "CHF", "AUD": "AUD", "A$": "AUD", "CAD": "CAD", "C$": "CAD", "INR": "INR", "₹": "INR", "THB": "THB", "฿": "THB",
}

// amountPattern finds money in a line: an optional currency, digits with
// optional thousands separators, and exactly two decimals after "." or ","
// (OCR sometimes puts a space around the separator: "33, 92").
var amountPattern = regexp.MustCompile(`(?i)(-\s?)?(RM|MYR|US\$|S\$|A\$|C\$|USD|SGD|EUR|GBP|\$|€|£)?\s?(-\s?)?(\d{1,3}(?:[,.]\d{3})+|\d{1,12})\s?([.,])\s?(\d{2})\b`)

// wholeAmountPattern finds whole amounts written with a currency ("RM 9").
var wholeAmountPattern = regexp.MustCompile(`(?i)\b(RM|MYR|USD|SGD|EUR|GBP)\s?(\d{1,9})\b|([$€£])\s?(\d{1,9})\b`)

// ParseAmount reads an amount as printed on a receipt ("RM 12.50", "12,50",
// "1,234.50", "1.234,50", "$8.20", "-3.00") and returns it as a decimal
// string with two places ("12.50"). A separator followed by exactly two
// digits at the end is the decimal mark; any other "." or "," groups
// thousands. Text with no digits or other letters than a currency is refused.
func ParseAmount(s string) (string, error) {
	c, err := parseCents(s)
	if err != nil {
		return "", err
	}
	return c.String(), nil
}

func parseCents(s string) (cents, error) {
	s = strings.TrimSpace(s)
	neg := false
	var digits strings.Builder
	decimals := -1 // number of digits after the decimal mark; -1: none yet
	body := strings.ToUpper(s)
	for code := range currencySymbols {
		if strings.HasPrefix(body, code) || strings.HasSuffix(body, code) {
			body = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(body, code), code))
			break
		}
	}
	if strings.HasPrefix(body, "-") || strings.HasSuffix(body, "-") || (strings.HasPrefix(body, "(") && strings.HasSuffix(body, ")")) {
		neg = true
		body = strings.Trim(body, "-() ")
	}
	for code := range currencySymbols {
		body = strings.TrimSpace(strings.TrimPrefix(body, code))
	}
	body = strings.ReplaceAll(body, " ", "")
	if body == "" || len(body) > 24 {
		return 0, ErrNotAmount
	}
	lastSep := strings.LastIndexAny(body, ".,")
	if lastSep >= 0 && len(body)-lastSep-1 == 2 {
		decimals = 2
	} else if lastSep >= 0 && len(body)-lastSep-1 == 1 {
		decimals = 1
	}
	for i, r := range body {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case (r == '.' || r == ',') && i > 0 && i < len(body)-1:
			if i != lastSep && decimals > 0 {
				// grouping before the decimal mark: must be followed by three digits
				if !threeDigitsFollow(body, i) {
					return 0, ErrNotAmount
				}
			}
			if i == lastSep && decimals < 0 && !threeDigitsFollow(body, i) {
				return 0, ErrNotAmount
			}
		default:
			return 0, ErrNotAmount
		}
	}
	d := digits.String()
	if d == "" {
		return 0, ErrNotAmount
	}
	switch decimals {
	case -1:
		d += "00"
	case 1:
		d += "0"
	}
	v, err := strconv.ParseInt(d, 10, 64)
	if err != nil || cents(v) > maxAmount {
		return 0, ErrNotAmount
	}
	if neg {
		v = -v
	}
	return cents(v), nil
}

func threeDigitsFollow(s string, i int) bool {
	n := 0
	for j := i + 1; j < len(s) && s[j] >= '0' && s[j] <= '9'; j++ {
		n++
	}
	return n == 3
}

// amountSpan is an amount found in a line's text.
type amountSpan struct {
	from, to int // byte offsets in the line text
	value    cents
	currency string // ISO code when printed with the amount
}

// findAmounts lists the amounts printed in a line, left to right.
func findAmounts(text string) []amountSpan {
	var out []amountSpan
	for _, m := range amountPattern.FindAllStringSubmatchIndex(text, -1) {
		// A longer number around the match ("12.50.3", "0123.45" inside a code) is not money.
		for m[0] < m[1] && text[m[0]] == ' ' {
			m[0]++ // the optional space before the digits is not part of the amount
		}
		if m[4] == m[0] && m[0] > 0 && isDigitOrLetter(text[m[0]-1]) {
			// A currency glued to a word ("ARM 86.00", a misread "RM"): keep the number alone.
			m[0], m[4], m[5] = m[8], -1, -1
			if m[6] >= 0 {
				m[0] = m[6]
			}
		}
		if m[0] > 0 && isDigitOrLetter(text[m[0]-1]) || followedByNumberOrPercent(text, m[1]) {
			continue
		}
		intPart := text[m[8]:m[9]]
		val, err := parseCents(intPart + "." + text[m[12]:m[13]])
		if err != nil {
			continue
		}
		if m[2] >= 0 || m[6] >= 0 {
			val = -val
		}
		sp := amountSpan{from: m[0], to: m[1], value: val}
		if m[4] >= 0 {
			sp.currency = currencySymbols[strings.ToUpper(text[m[4]:m[5]])]
		}
		out = append(out, sp)
	}
	for _, m := range wholeAmountPattern.FindAllStringSubmatchIndex(text, -1) {
		if overlapsAny(out, m[0], m[1]) {
			continue
		}
		symbol, digits := "", ""
		if m[2] >= 0 {
			symbol, digits = text[m[2]:m[3]], text[m[4]:m[5]]
		} else {
			symbol, digits = text[m[6]:m[7]], text[m[8]:m[9]]
		}
		if m[1] < len(text) && (text[m[1]] == '.' || text[m[1]] == ',' || text[m[1]] == '%') {
			continue
		}
		val, err := parseCents(digits)
		if err != nil {
			continue
		}
		out = append(out, amountSpan{from: m[0], to: m[1], value: val, currency: currencySymbols[strings.ToUpper(symbol)]})
	}
	return out
}

func overlapsAny(spans []amountSpan, from, to int) bool {
	for _, s := range spans {
		if from < s.to && to > s.from {
			return true
		}
	}
	return false
}

func isDigitOrLetter(b byte) bool {
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
}

// followedByNumberOrPercent tells dates ("18.01.2018") and rates ("6.00%")
// from money.
func followedByNumberOrPercent(text string, i int) bool {
	if i < len(text) && text[i] == '%' {
		return true
	}
	return i+1 < len(text) && strings.ContainsRune(".,/", rune(text[i])) && text[i+1] >= '0' && text[i+1] <= '9'
}
