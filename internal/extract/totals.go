package extract

import (
	"fmt"
	"math"
	"slices"
)

// amountRole is what a line's label says an amount on it is.
type amountRole int

const (
	roleNone amountRole = iota
	roleTotalStrong
	roleTotal
	roleSubtotal
	roleTax
	roleRounding
	roleTender
	roleChange
	roleOther // quantities, discounts, points: never the total
)

// classifyLabel reads the label text printed before an amount.
func classifyLabel(label string) amountRole {
	t := labelTokens(label)
	switch {
	case len(t) == 0:
		return roleNone
	case hasAnyLabel(t, "SUB TOTAL", "SUBTOTAL", "SUB", "EXCL", "EXCLUDING", "EXCLUSIVE", "BEFORE", "NET OF"):
		return roleSubtotal
	case hasAnyLabel(t, "ROUNDING", "ROUND", "ADJ", "ADJUSTMENT", "ROUNDED ADJ"):
		if hasAnyLabel(t, "TOTAL ROUNDED", "ROUNDED TOTAL", "TOTAL AFTER ROUNDING") {
			return roleTotalStrong
		}
		return roleRounding
	case hasAnyLabel(t, "SERVICE CHARGE", "SERVICE", "SVC CHARGE", "SVC") && !hasAnyLabel(t, "TOTAL", "AMOUNT", "AMT"):
		return roleTax // before CHANGE: an OCR-tolerant match would read CHARGE as CHANGE
	case hasAnyLabel(t, "CHANGE", "BAKI", "CHANGE DUE"):
		return roleChange
	case hasAnyLabel(t, "CASH", "TENDER", "TENDERED", "PAID", "PAYMENT", "CARD", "VISA", "MASTER", "MASTERCARD", "CREDIT", "DEBIT", "TUNAI"):
		return roleTender
	case hasAnyLabel(t, "QTY", "QUANTITY", "ITEM", "ITEMS", "POINT", "POINTS", "SAVING", "SAVINGS", "DISCOUNT", "DISC", "DEPOSIT", "UNIT", "PRICE", "WEIGHT", "KG"):
		return roleOther
	case hasAnyLabel(t, "GST", "TAX", "SST", "VAT", "SERVICE CHARGE", "SVC", "CHARGE"):
		if hasAnyLabel(t, "INCL", "INCLUSIVE", "INCLUDING", "INCLUDES", "INC") && hasAnyLabel(t, "TOTAL", "AMOUNT", "AMT") {
			return roleTotalStrong
		}
		return roleTax
	case hasAnyLabel(t, "GRAND TOTAL", "NETT TOTAL", "NET TOTAL", "TOTAL AMOUNT", "AMOUNT DUE", "TOTAL DUE",
		"BALANCE DUE", "TOTAL PAYABLE", "AMOUNT PAYABLE", "NET AMOUNT", "NETT AMOUNT", "TOTAL RM", "TOTAL MYR",
		"TOTAL SALES", "AMOUNT TO PAY", "PAYABLE", "JUMLAH", "TOTAL INCL", "NETT", "NET"):
		return roleTotalStrong
	case hasAnyLabel(t, "TOTAL", "AMOUNT", "AMT", "TTL"):
		return roleTotal
	}
	return roleNone
}

// amountCandidate is an amount on a line, with the role its label gives it.
type amountCandidate struct {
	line  *line
	span  amountSpan
	role  amountRole
	score float64
	// derived: the value is computed from other amounts (cash - change,
	// subtotal + tax), not read; line and span say where those were printed.
	derived bool
}

// amountCandidates lists every amount in the document with its role. An
// amount alone on its line takes the label of the line above ("TOTAL" / "9.00").
func amountCandidates(lines []line) []amountCandidate {
	var out []amountCandidate
	for i := range lines {
		l := &lines[i]
		for _, sp := range findAmounts(l.text) {
			label := l.text[:sp.from]
			role := classifyLabel(label)
			if role == roleNone && len(labelTokens(label)) == 0 && sp.to >= len(l.text)-1 && i > 0 && lines[i-1].page == l.page {
				if prev := lines[i-1].text; len(findAmounts(prev)) == 0 {
					role = classifyLabel(prev)
				}
			}
			out = append(out, amountCandidate{line: l, span: sp, role: role})
		}
	}
	return out
}

// amountFields picks total, subtotal and tax, and runs the arithmetic checks.
type amountFields struct {
	total, subtotal, tax *amountCandidate
	totalConfidence      float64
	checks               []Check
	currency             string
}

// roundingTolerance allows for cash rounding to the nearest 5 cents.
const roundingTolerance = cents(2)

func pickAmounts(lines []line) amountFields {
	cands := amountCandidates(lines)
	var res amountFields
	byRole := func(roles ...amountRole) []*amountCandidate {
		var out []*amountCandidate
		for i := range cands {
			if slices.Contains(roles, cands[i].role) && cands[i].span.value > 0 {
				out = append(out, &cands[i])
			}
		}
		return out
	}
	subs, taxes, tenders, changes := byRole(roleSubtotal), byRole(roleTax), byRole(roleTender), byRole(roleChange)
	var roundings []*amountCandidate // a rounding is as often negative as not
	for i := range cands {
		if cands[i].role == roleRounding && cands[i].span.value != 0 {
			roundings = append(roundings, &cands[i])
		}
	}

	// Score every positive amount as the total.
	type valueScore struct {
		value cents
		best  *amountCandidate
		score float64
	}
	scores := map[cents]*valueScore{}
	for i := range cands {
		c := &cands[i]
		if c.span.value <= 0 {
			continue
		}
		base := 0.0
		switch c.role {
		case roleTotalStrong:
			base = 3
		case roleTotal:
			base = 2.2
		case roleTender:
			base = 0.8
		case roleNone:
			base = 0.3
		case roleSubtotal:
			base = 0.5
		default:
			continue
		}
		base += 0.5 * c.line.relY() // totals sit low on the page
		vs := scores[c.span.value]
		if vs == nil {
			vs = &valueScore{value: c.span.value}
			scores[c.span.value] = vs
		}
		if vs.best == nil || base > vs.best.score {
			c.score = base
			vs.best = c
		}
		if base > vs.score {
			vs.score = base
		}
	}
	// Amounts the arithmetic implies, as candidates of their own: a total
	// not read at all still has its value in the sums.
	for _, d := range derivedTotals(subs, taxes, roundings, tenders, changes) {
		if scores[d.span.value] == nil {
			d.score = derivedBase
			scores[d.span.value] = &valueScore{value: d.span.value, best: d, score: derivedBase}
		}
	}
	var ranked []*valueScore
	supported := map[cents]bool{}
	for _, vs := range scores {
		v := vs.value
		// The same amount printed again as total, cash or subtotal confirms it.
		repeats := 0
		for i := range cands {
			c := &cands[i]
			if c != vs.best && c.span.value == v && (c.role == roleTotal || c.role == roleTotalStrong || c.role == roleTender || c.role == roleSubtotal) {
				repeats++
			}
		}
		vs.score += 0.6 * float64(min(repeats, 2))
		cashChange := cashChangeMatches(tenders, changes, v)
		_, _, sum := sumMatches(subs, taxes, roundings, v)
		switch {
		case vs.best.derived:
			// Computed by one of the two sums, it is no support for itself;
			// both sums giving it are.
			if cashChange && sum {
				vs.score += 1
			}
		default:
			if cashChange {
				vs.score += 1
			}
			if sum {
				vs.score += 1
			}
		}
		supported[v] = repeats > 0 || cashChange || sum
		ranked = append(ranked, vs)
	}
	// A labelled total nothing else bears out, one digit away from a value
	// the sums imply ("64.50" under 51.42 + 3.08 = 54.50, "7.55" for 27.55),
	// was misread: the computed value stands in for it, flagged for review.
	// A difference cash rounding explains (80.91 and 80.90) is no misread.
	var corrected, misread *valueScore
	for _, vs := range ranked {
		if vs.best.derived || (vs.best.role != roleTotal && vs.best.role != roleTotalStrong) || supported[vs.value] {
			continue
		}
		for _, d := range ranked {
			if d.best.derived && absCents(d.value-vs.value) > cashRounding && oneDigitApart(vs.value, d.value) && (corrected == nil || d.score > corrected.score) {
				corrected, misread = d, vs
			}
		}
	}
	if corrected != nil {
		corrected.score += misreadBonus
		misread.score -= misreadBonus
	}
	slices.SortFunc(ranked, func(a, b *valueScore) int {
		if a.score != b.score {
			return cmpFloat(b.score, a.score)
		}
		return int(b.value - a.value) // tie: the larger amount
	})
	if len(ranked) == 0 {
		return res
	}
	top := ranked[0]
	res.total = top.best
	margin := top.score
	if len(ranked) > 1 {
		margin = top.score - ranked[1].score
	}
	res.totalConfidence = amountConfidence(top.score, margin)
	if top.best.derived {
		res.totalConfidence = min(res.totalConfidence, derivedConfidence)
		detail := "no total was read; " + top.value.String() + " is computed from the other amounts"
		if top == corrected {
			detail = "the printed total " + misread.value.String() + " reads as a misread of the computed " + top.value.String()
		}
		res.checks = append(res.checks, Check{Name: CheckTotalComputed, Passed: false, Detail: detail})
	}
	res.currency = top.best.span.currency

	if s, t, ok := sumMatches(subs, taxes, roundings, top.value); ok {
		res.subtotal, res.tax = s, t
		res.checks = append(res.checks, Check{Name: CheckSubtotalTax, Passed: true,
			Detail: fmt.Sprintf("%s + %s = %s", s.span.value, t.span.value, top.value)})
	} else {
		res.subtotal = lastBelow(subs, top.value, true)
		res.tax = lastBelow(taxes, top.value, false)
		if res.subtotal != nil && res.tax != nil {
			res.checks = append(res.checks, Check{Name: CheckSubtotalTax, Passed: false,
				Detail: fmt.Sprintf("%s + %s != %s", res.subtotal.span.value, res.tax.span.value, top.value)})
			res.totalConfidence *= 0.7
		}
	}
	if len(tenders) > 0 && len(changes) > 0 {
		ok := cashChangeMatches(tenders, changes, top.value)
		detail := fmt.Sprintf("%s - %s = %s", tenders[len(tenders)-1].span.value, changes[len(changes)-1].span.value, top.value)
		if !ok {
			detail = fmt.Sprintf("no cash - change equals %s", top.value)
		}
		res.checks = append(res.checks, Check{Name: CheckCashChange, Passed: ok, Detail: detail})
	}
	return res
}

// derivedBase is a computed total's score: below any amount printed and
// confirmed by the sums (+1 when both sums give it). misreadBonus moves the lead from a labelled total nothing bears out
// to a computed one a single digit away.
const (
	derivedBase  = 0.7
	misreadBonus = 1.5
	// cashRounding is how far cash rounding (to 5 cents) moves a total.
	cashRounding = cents(4)
	// derivedConfidence caps a computed total's confidence: it is sent for review.
	derivedConfidence = 0.6
)

// derivedTotals lists the totals implied by cash - change and by subtotal +
// tax (with or without a printed rounding), each anchored on the tender or
// subtotal it came from.
func derivedTotals(subs, taxes, roundings, tenders, changes []*amountCandidate) []*amountCandidate {
	var out []*amountCandidate
	add := func(anchor *amountCandidate, v cents) {
		if v <= 0 {
			return
		}
		for _, o := range out {
			if o.span.value == v {
				return
			}
		}
		span := anchor.span
		span.value = v
		out = append(out, &amountCandidate{line: anchor.line, span: span, role: roleTotal, derived: true})
	}
	for _, t := range tenders {
		for _, c := range changes {
			if c.span.value < t.span.value {
				add(t, t.span.value-c.span.value)
			}
		}
	}
	for _, sub := range subs {
		for _, tax := range taxes {
			if sub == tax || tax.span.value >= sub.span.value {
				continue
			}
			sum := sub.span.value + tax.span.value
			add(sub, sum)
			for _, r := range roundings {
				add(sub, sum+r.span.value)
			}
		}
		if all := taxTotal(taxes); all > 0 && all < sub.span.value {
			add(sub, sub.span.value+all) // a service charge and a tax
		}
	}
	return out
}

// taxTotal adds the distinct tax amounts (a service charge and a tax; the
// same tax printed twice counts once).
func taxTotal(taxes []*amountCandidate) cents {
	var seen []cents
	var total cents
	for _, t := range taxes {
		if !slices.Contains(seen, t.span.value) {
			seen = append(seen, t.span.value)
			total += t.span.value
		}
	}
	return total
}

// oneDigitApart tells whether two amounts print the same but for one digit
// changed, dropped or added: what a misread does to a total.
func oneDigitApart(a, b cents) bool {
	x, y := a.String(), b.String()
	if len(x) == len(y) {
		diff := 0
		for i := range x {
			if x[i] != y[i] {
				diff++
			}
		}
		return diff == 1
	}
	if len(x) > len(y) {
		x, y = y, x
	}
	if len(y) != len(x)+1 {
		return false
	}
	for i := range y {
		if y[:i]+y[i+1:] == x {
			return true
		}
	}
	return false
}

// amountConfidence maps a total's score and its lead over the runner-up to
// a probability-like confidence (fitted by eye on receipts: a labelled total
// with arithmetic support is right nearly always, an unlabelled guess rarely).
func amountConfidence(score, margin float64) float64 {
	c := 1 / (1 + math.Exp(-(score-2.2)*1.6))
	c *= 0.6 + 0.4*math.Min(1, margin)
	return math.Round(math.Min(c, 0.98)*100) / 100
}

func cashChangeMatches(tenders, changes []*amountCandidate, total cents) bool {
	for _, t := range tenders {
		for _, c := range changes {
			if t.span.value-c.span.value == total {
				return true
			}
		}
	}
	return false
}

// sumMatches finds a subtotal and tax that add up to total, exactly or after
// a printed rounding adjustment, or within cash rounding.
func sumMatches(subs, taxes, roundings []*amountCandidate, total cents) (*amountCandidate, *amountCandidate, bool) {
	for _, s := range subs {
		for _, t := range taxes {
			sum := s.span.value + t.span.value
			if s == t || t.span.value >= total || s.span.value >= total {
				continue
			}
			if sum == total || absCents(sum-total) <= roundingTolerance {
				return s, t, true
			}
			for _, r := range roundings {
				if sum+r.span.value == total || sum-r.span.value == total {
					return s, t, true
				}
			}
		}
		if len(taxes) > 1 && absCents(s.span.value+taxTotal(taxes)-total) <= roundingTolerance {
			return s, taxes[len(taxes)-1], true
		}
	}
	return nil, nil, false
}

// lastBelow is the lowest-printed candidate under the total (or equal to it,
// for a subtotal on a receipt without tax).
func lastBelow(cs []*amountCandidate, total cents, allowEqual bool) *amountCandidate {
	for i := len(cs) - 1; i >= 0; i-- {
		v := cs[i].span.value
		if v < total || (allowEqual && v == total) {
			return cs[i]
		}
	}
	return nil
}

func absCents(c cents) cents {
	if c < 0 {
		return -c
	}
	return c
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
