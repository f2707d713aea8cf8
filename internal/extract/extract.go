package extract

import "strings"

// Extract finds the fields of a receipt or invoice in its OCR words. When the
// document matches one of vendors (nil: none known), the company and
// address come out in the vendor's spelling.
func Extract(pages []Page, vendors *VendorIndex) Result {
	res := Result{Fields: map[string]Field{}}
	lines := documentLines(pages)
	if len(lines) == 0 {
		return res
	}

	hs := scanHeader(lines)
	if hs.company != nil {
		res.Fields[FieldCompany] = Field{Value: hs.companyText, Normalized: collapseSpace(hs.companyText), Confidence: hs.companyConf,
			Page: hs.company.page, Box: hs.company.spanBox(0, len(hs.companyText))}
	}
	if len(hs.address) > 0 {
		parts := make([]string, len(hs.address))
		box := hs.address[0].box
		for i, l := range hs.address {
			parts[i] = l.text
			box = union(box, l.box)
		}
		v := collapseSpace(strings.Join(parts, " "))
		res.Fields[FieldAddress] = Field{Value: v, Normalized: v, Confidence: hs.addressConf, Page: hs.address[0].page, Box: box}
	}
	if hit, ok := vendors.matchLines(lines); ok {
		res.Vendor = &VendorMatch{Vendor: hit.vendor, Score: round2(hit.score)}
		applyVendor(res.Fields, hit, lines)
	}

	if f, ok := pickDate(lines); ok {
		res.Fields[FieldDate] = f
	}
	amounts := pickAmounts(lines)
	res.Checks = amounts.checks
	if c := amounts.total; c != nil {
		res.Fields[FieldTotal] = amountField(c, amounts.totalConfidence)
	}
	for key, c := range map[string]*amountCandidate{FieldSubtotal: amounts.subtotal, FieldTax: amounts.tax} {
		if c == nil {
			continue
		}
		conf := 0.5
		if passedCheck(res.Checks, CheckSubtotalTax) {
			conf = 0.9
		}
		res.Fields[key] = amountField(c, conf*(0.7+0.3*c.line.spanConfidence(c.span.from, c.span.to)))
	}
	if f, ok := pickCurrency(lines, amounts.currency); ok {
		res.Fields[FieldCurrency] = f
	}
	if f, ok := pickNumber(lines); ok {
		res.Fields[FieldNumber] = f
	}
	if amounts.total != nil {
		res.LineItems = pickLineItems(lines, amounts.total.line)
		if chk, ok := lineItemsCheck(res.LineItems, amounts.subtotal, amounts.total); ok {
			res.Checks = append(res.Checks, chk)
			if chk.Passed {
				f := res.Fields[FieldTotal]
				f.Confidence = round2(f.Confidence + (1-f.Confidence)/2)
				res.Fields[FieldTotal] = f
			}
		}
	}
	return res
}

func amountField(c *amountCandidate, conf float64) Field {
	l := c.line
	value := strings.TrimSpace(l.text[c.span.from:c.span.to])
	if c.derived {
		value = c.span.value.String()
	}
	return Field{
		Value:      value,
		Normalized: c.span.value.String(),
		Confidence: round2(conf * (0.75 + 0.25*l.spanConfidence(c.span.from, c.span.to))),
		Page:       l.page,
		Box:        l.spanBox(c.span.from, c.span.to),
	}
}

func passedCheck(checks []Check, name string) bool {
	for _, c := range checks {
		if c.Name == name && c.Passed {
			return true
		}
	}
	return false
}

// applyVendor replaces the company (and the address, when the vendor's
// address was found too) with the vendor's spelling, located on the lines
// that read most like it.
func applyVendor(fields map[string]Field, hit vendorHit, lines []line) {
	page, box := locate(lines, hit.nameKey, 2)
	fields[FieldCompany] = Field{Value: hit.vendor.Name, Normalized: hit.vendor.Name, Confidence: round2(vendorConfidence(hit.nameSim, hit.score)), Page: page, Box: box}
	if hit.hasAddress {
		page, box := locate(lines, hit.addrKey, 5)
		fields[FieldAddress] = Field{Value: hit.vendor.Address, Normalized: hit.vendor.Address, Confidence: round2(vendorConfidence(hit.addrSim, hit.score)), Page: page, Box: box}
	}
}

// vendorConfidence: a near-exact match of a known vendor is right nearly
// always; at the threshold, about four times in five.
func vendorConfidence(sim, score float64) float64 {
	return 0.55 + 0.43*min(1, (min(sim, score)-minNameSimilarity+0.05)/(1-minNameSimilarity+0.05))
}

// locate finds the window of up to maxLines consecutive lines near the top
// of the first page that reads most like key.
func locate(lines []line, key []rune, maxLines int) (int, [4]int) {
	bestSim := -1.0
	page, box := lines[0].page, lines[0].box
	for i := 0; i < len(lines) && lines[i].page == lines[0].page && i < vendorAddressLines; i++ {
		var text []rune
		b := lines[i].box
		for n := 0; n < maxLines && i+n < len(lines) && lines[i+n].page == lines[i].page; n++ {
			text = append(text, foldKey(lines[i+n].text)...)
			b = union(b, lines[i+n].box)
			if s := editSimilarity(text, key); s > bestSim {
				bestSim, page, box = s, lines[i].page, b
			}
		}
	}
	return page, box
}
