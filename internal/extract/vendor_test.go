package extract

import (
	"encoding/json"
	"testing"
)

var knownVendors = []Vendor{
	{Name: "BOOK TA .K (TAMAN DAYA) SDN BHD", Address: "NO.53 55,57 & 59, JALAN SAGU 18, TAMAN DAYA, 81100 JOHOR BAHRU, JOHOR."},
	{Name: "MR D.I.Y. (M) SDN BHD", Address: "LOT 1851-A & 1851-B, JALAN KPB 6, KAWASAN PERINDUSTRIAN BALAKONG, 43300 SERI KEMBANGAN, SELANGOR"},
	{Name: "GARDENIA BAKERIES (KL) SDN BHD", Address: "LOT 3, JALAN PELABUR 23/1, 40300 SHAH ALAM, SELANGOR."},
}

func TestVendorMatchDespiteOCRNoise(t *testing.T) {
	page := testPage(
		"B0OK TA .K (TAMAN DAYA) SDN BH",   // 0 for O, a letter missing
		"NO.53 55,57 & 59, JALAN SAGU 1B,", // 8 for B
		"TAMAN DAYA, 81100 J0HOR BAHRU, JOHOR.",
		"TOTAL 9.00",
	)
	res := Extract([]Page{page}, NewVendorIndex(knownVendors))
	if res.Vendor == nil || res.Vendor.Vendor.Name != knownVendors[0].Name {
		t.Fatalf("vendor = %+v; want %q", res.Vendor, knownVendors[0].Name)
	}
	if got := res.Fields[FieldCompany].Value; got != knownVendors[0].Name {
		t.Errorf("company = %q; want the vendor's spelling %q", got, knownVendors[0].Name)
	}
	if got := res.Fields[FieldAddress].Value; got != knownVendors[0].Address {
		t.Errorf("address = %q; want the vendor's spelling %q", got, knownVendors[0].Address)
	}
	if res.Fields[FieldCompany].Box[1] != 20 {
		t.Errorf("company box = %v; want the first line", res.Fields[FieldCompany].Box)
	}
}

func TestDissimilarVendorIsNotMatched(t *testing.T) {
	page := testPage(
		"BOOK CAFE SDN BHD",
		"12, JALAN MERANTI 3, TAMAN SRI, 50000 KUALA LUMPUR",
		"TOTAL 9.00",
	)
	ix := NewVendorIndex(knownVendors)
	if m, ok := ix.Match([]Page{page}); ok {
		t.Fatalf("matched %+v; want no match for an unknown vendor", m)
	}
	res := Extract([]Page{page}, ix)
	if got := res.Fields[FieldCompany].Value; got != "BOOK CAFE SDN BHD" {
		t.Errorf("company = %q; want the printed name", got)
	}
}

func TestAnotherBranchKeepsPrintedAddress(t *testing.T) {
	page := testPage(
		"MR D.I.Y. (M) SDN BHD",
		"NO 7, JALAN BUNGA RAYA, 75100 MELAKA",
		"TOTAL 5.00",
	)
	res := Extract([]Page{page}, NewVendorIndex(knownVendors))
	if got := res.Fields[FieldCompany].Value; got != "MR D.I.Y. (M) SDN BHD" {
		t.Errorf("company = %q; want the vendor's name", got)
	}
	if got := res.Fields[FieldAddress].Value; got != "NO 7, JALAN BUNGA RAYA, 75100 MELAKA" {
		t.Errorf("address = %q; want the printed address of this branch", got)
	}
}

func TestLearnAndJSON(t *testing.T) {
	ix := NewVendorIndex(nil)
	page := testPage("T0P FRESH MART", "8, JALAN AMAN, 81100 JOHOR BAHRU", "TOTAL 3.00")
	if _, ok := ix.Match([]Page{page}); ok {
		t.Fatal("matched with no vendors known")
	}
	if !ix.Learn(map[string]string{FieldCompany: "TOP FRESH MART", FieldAddress: "8, JALAN AMAN, 81100 JOHOR BAHRU"}) {
		t.Fatal("Learn did not change the index")
	}
	if ix.Learn(map[string]string{FieldCompany: " "}) {
		t.Error("Learn accepted a review without a company")
	}
	raw, err := json.Marshal(ix)
	if err != nil {
		t.Fatal(err)
	}
	restored := &VendorIndex{}
	if err := json.Unmarshal(raw, restored); err != nil {
		t.Fatal(err)
	}
	m, ok := restored.Match([]Page{page})
	if !ok || m.Vendor.Name != "TOP FRESH MART" {
		t.Fatalf("after learning and a JSON round trip (%s): match %+v, %v; want TOP FRESH MART", raw, m, ok)
	}
}

func TestMostUsedSpellingWins(t *testing.T) {
	ix := NewVendorIndex([]Vendor{{Name: "ACME SDN. BHD.", Address: "1, JALAN SATU, 81100 JOHOR BAHRU"}})
	for range 2 {
		ix.Learn(map[string]string{FieldCompany: "ACME SDN BHD", FieldAddress: "1, JALAN SATU, 81100 JOHOR BAHRU"})
	}
	m, ok := ix.Match([]Page{testPage("ACME SDN. BHD.", "1, JALAN SATU, 81100 JOHOR BAHRU")})
	if !ok || m.Vendor.Name != "ACME SDN BHD" {
		t.Fatalf("match = %+v, %v; want the spelling reviewers used twice", m, ok)
	}
}
