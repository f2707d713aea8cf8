package extract

import "testing"

func TestTotalFromLabels(t *testing.T) {
	res := Extract([]Page{testPage(
		"ACME TRADING SDN BHD",
		"DATE 01/02/2019",
		"WIDGET            25.00",
		"TOTAL QTY: 2",
		"SUBTOTAL          25.00",
		"ROUNDING ADJ      -0.02",
		"GRAND TOTAL RM    24.98",
		"CASH              50.00",
		"CHANGE            25.02",
	)}, nil)
	f := res.Fields[FieldTotal]
	if f.Normalized != "24.98" || f.Value != "RM    24.98" && f.Value != "RM 24.98" {
		t.Fatalf("total = %+v; want the GRAND TOTAL 24.98", f)
	}
	if f.Page != 1 || f.Box[1] != 20+30*6 {
		t.Errorf("total found at page %d box %v; want the GRAND TOTAL line", f.Page, f.Box)
	}
	if !passedCheck(res.Checks, CheckCashChange) {
		t.Errorf("checks = %+v; want cash - change = total passed", res.Checks)
	}
}

func TestArithmeticPicksTotalAmongCandidates(t *testing.T) {
	// Two amounts labelled TOTAL: only one is subtotal + tax.
	res := Extract([]Page{testPage(
		"SOME SHOP ENTERPRISE",
		"WIDGET A          10.00",
		"GADGET B          20.00",
		"SUB TOTAL         30.00",
		"GST 6%             1.80",
		"TOTAL             31.80",
		"TOTAL             13.18",
	)}, nil)
	if got := res.Fields[FieldTotal].Normalized; got != "31.80" {
		t.Fatalf("total = %q; want 31.80 (30.00 + 1.80)", got)
	}
	if res.Fields[FieldSubtotal].Normalized != "30.00" || res.Fields[FieldTax].Normalized != "1.80" {
		t.Errorf("subtotal, tax = %+v, %+v; want 30.00 and 1.80", res.Fields[FieldSubtotal], res.Fields[FieldTax])
	}
	if !passedCheck(res.Checks, CheckSubtotalTax) || !passedCheck(res.Checks, CheckLineItems) {
		t.Errorf("checks = %+v; want subtotal+tax and line items passed", res.Checks)
	}
	if len(res.LineItems) != 2 || res.LineItems[0].Description != "WIDGET A" || res.LineItems[1].Normalized != "20.00" {
		t.Errorf("line items = %+v; want WIDGET A 10.00 and GADGET B 20.00", res.LineItems)
	}
}

func TestFailedCheckLowersConfidence(t *testing.T) {
	good := Extract([]Page{testPage("SHOP SDN BHD", "SUBTOTAL 10.00", "TAX 0.60", "TOTAL 10.60")}, nil)
	bad := Extract([]Page{testPage("SHOP SDN BHD", "SUBTOTAL 10.00", "TAX 0.60", "TOTAL 17.25")}, nil)
	if bad.Fields[FieldTotal].Normalized != "17.25" {
		t.Fatalf("total = %+v; want the labelled 17.25 (not a one-digit misread of 10.60)", bad.Fields[FieldTotal])
	}
	if passedCheck(bad.Checks, CheckSubtotalTax) || bad.Fields[FieldTotal].Confidence >= good.Fields[FieldTotal].Confidence {
		t.Errorf("a total that does not add up: checks %+v, confidence %.2f (consistent: %.2f); want a failed check and lower confidence",
			bad.Checks, bad.Fields[FieldTotal].Confidence, good.Fields[FieldTotal].Confidence)
	}
}

func TestLabelOnLineAbove(t *testing.T) {
	res := Extract([]Page{testPage("SHOP SDN BHD", "ITEM 3.00", "AMOUNT DUE", "12.40")}, nil)
	if got := res.Fields[FieldTotal].Normalized; got != "12.40" {
		t.Fatalf("total = %q; want 12.40 printed under AMOUNT DUE", got)
	}
}

func TestOCRNoisyLabel(t *testing.T) {
	if r := classifyLabel("T0TAL AMOUNT:"); r != roleTotalStrong {
		t.Errorf("classifyLabel(T0TAL AMOUNT) = %v; want strong total", r)
	}
	if r := classifyLabel("SUB-TOTAL"); r != roleSubtotal {
		t.Errorf("classifyLabel(SUB-TOTAL) = %v; want subtotal", r)
	}
	if r := classifyLabel("Total Qty"); r != roleOther {
		t.Errorf("classifyLabel(Total Qty) = %v; want other", r)
	}
}

func TestMisreadTotalIsCorrectedByTheArithmetic(t *testing.T) {
	for name, c := range map[string]struct {
		lines []string
		want  string
	}{
		// 51.42 + 3.08: the printed 64.50 is one digit off.
		"digit changed": {[]string{"SHOP SDN BHD", "Total Sales (Excluding GST) 51.42", "Total GST : 3.08", "Total Sales (Inclusive of GST) 64.50"}, "54.50"},
		// 26.00 + 1.56 - 0.01: the printed total lost its first digit.
		"digit dropped": {[]string{"SHOP SDN BHD", "SUB-TOTAL (EX) 26.00", "TOTAL TAX 1.56", "ROUNDING -0.01", "TOTAL 7.55"}, "27.55"},
	} {
		t.Run(name, func(t *testing.T) {
			res := Extract([]Page{testPage(c.lines...)}, nil)
			f := res.Fields[FieldTotal]
			if f.Normalized != c.want || f.Value != c.want {
				t.Fatalf("total = %+v; want %s, computed", f, c.want)
			}
			if f.Confidence > derivedConfidence || !failedCheck(res.Checks, CheckTotalComputed) {
				t.Errorf("a computed total: confidence %.2f, checks %+v; want at most %.2f and a failed %q check, so a person confirms it",
					f.Confidence, res.Checks, derivedConfidence, CheckTotalComputed)
			}
		})
	}
	// Totals the receipt bears out, or that cash rounding explains, stay as printed.
	for name, c := range map[string]struct {
		lines []string
		want  string
	}{
		"not one digit off the sums": {[]string{"SHOP SDN BHD", "SUBTOTAL 10.00", "TAX 0.60", "TOTAL 19.99"}, "19.99"},
		"confirmed by cash - change": {[]string{"SHOP SDN BHD", "SUB TOTAL 42.90", "GST 2.57", "ROUNDING ADJ -0.02", "TOTAL 45.45", "CASH 50.00", "CHANGE 4.55"}, "45.45"},
		"a service charge and a tax": {[]string{"CAFE SDN BHD", "SUBTOTAL 10.00", "SERVICE CHARGE 1.00", "GST 0.66", "TOTAL 11.66"}, "11.66"},
		"rounded to 5 sen":           {[]string{"SHOP SDN BHD", "SUBTOTAL 7.59", "GST 0.45", "TOTAL 8.00"}, "8.00"},
		"subtotal and cash agree":    {[]string{"PASAR MINI", "SUBTOTAL: 28.60", "28 .60", "6% GST 0.07", "CASH 100.00", "CHANGE 71.40"}, "28.60"},
	} {
		res := Extract([]Page{testPage(c.lines...)}, nil)
		if got := res.Fields[FieldTotal].Normalized; got != c.want || failedCheck(res.Checks, CheckTotalComputed) {
			t.Errorf("%s: total = %q, checks %+v; want the printed %s, not a computed one", name, got, res.Checks, c.want)
		}
	}
}

func failedCheck(checks []Check, name string) bool {
	for _, c := range checks {
		if c.Name == name && !c.Passed {
			return true
		}
	}
	return false
}

func TestTotalLabels(t *testing.T) {
	res := Extract([]Page{testPage("SHOP SDN BHD", "Total Qty: 1.00 9.00", "Total Includes GST 6% 9.00", "Cash 50.00")}, nil)
	if got := res.Fields[FieldTotal].Normalized; got != "9.00" {
		t.Errorf("total = %q; want 9.00 (Total Includes GST)", got)
	}
	// "ARM" is a misread "RM": the amount still counts.
	res = Extract([]Page{testPage("SHELL PETRO TRADING", "6.00% GST A RM 4.87", "Total Gross ARM 86.00")}, nil)
	if got := res.Fields[FieldTotal].Normalized; got != "86.00" {
		t.Errorf("total = %q; want 86.00 after a misread currency", got)
	}
}
