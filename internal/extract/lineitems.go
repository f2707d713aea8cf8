package extract

import (
	"fmt"
	"regexp"
	"strings"
)

var quantityPattern = regexp.MustCompile(`(?i)(?:^|\s)(\d{1,3})\s?[xX@](?:\s|$)|^(\d{1,3})\s+\D`)

// pickLineItems reads the purchased items: lines above the totals that end
// in an amount and carry no total, tax or payment label. A line of numbers
// only takes its description from the line above (item name, then code,
// quantity and price on the next line).
func pickLineItems(lines []line, totalLine *line) []LineItem {
	if totalLine == nil {
		return nil
	}
	var items []LineItem
	for i := range lines {
		l := &lines[i]
		if l.page > totalLine.page || (l.page == totalLine.page && l.index >= totalLine.index) {
			break
		}
		amounts := findAmounts(l.text)
		if len(amounts) == 0 {
			continue
		}
		last := amounts[len(amounts)-1]
		if last.to < len(strings.TrimRight(l.text, " *")) || last.value <= 0 {
			continue // the amount must close the line
		}
		desc := strings.TrimSpace(l.text[:amounts[0].from])
		box := l.box
		if classifyLabel(desc) != roleNone {
			continue
		}
		if countLetters(desc) < 3 && i > 0 && lines[i-1].page == l.page && len(findAmounts(lines[i-1].text)) == 0 {
			prev := lines[i-1]
			if classifyLabel(prev.text) != roleNone || isStopLine(prev.text, labelTokens(prev.text)) {
				continue
			}
			desc = strings.TrimSpace(prev.text + " " + desc)
			box = union(prev.box, box)
		}
		if countLetters(desc) < 3 || len(findDates(l.text)) > 0 {
			continue
		}
		item := LineItem{
			Description: collapseSpace(desc),
			Amount:      l.text[last.from:last.to],
			Normalized:  last.value.String(),
			Confidence:  round2(0.35 + 0.4*l.spanConfidence(last.from, last.to)),
			Page:        l.page,
			Box:         box,
		}
		if m := quantityPattern.FindStringSubmatch(l.text[:last.from]); m != nil {
			item.Quantity = m[1] + m[2]
		}
		items = append(items, item)
	}
	return items
}

// lineItemsCheck compares the sum of the items with the subtotal, else the total.
func lineItemsCheck(items []LineItem, subtotal, total *amountCandidate) (Check, bool) {
	if len(items) == 0 || (subtotal == nil && total == nil) {
		return Check{}, false
	}
	var sum cents
	for _, it := range items {
		c, err := parseCents(it.Normalized)
		if err != nil {
			return Check{}, false
		}
		sum += c
	}
	for _, ref := range []*amountCandidate{subtotal, total} {
		if ref != nil && absCents(sum-ref.span.value) <= roundingTolerance {
			return Check{Name: CheckLineItems, Passed: true, Detail: fmt.Sprintf("items sum to %s", sum)}, true
		}
	}
	want := total
	if subtotal != nil {
		want = subtotal
	}
	return Check{Name: CheckLineItems, Passed: false, Detail: fmt.Sprintf("items sum to %s, not %s", sum, want.span.value)}, true
}

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r > 127 {
			n++
		}
	}
	return n
}
