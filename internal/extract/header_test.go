package extract

import "testing"

func TestCompanyAndAddressCold(t *testing.T) {
	res := Extract([]Page{testPage(
		"tan woon yann",
		"HOME MASTER HARDWARE &",
		"ELECTRICAL",
		"(789417-W)",
		"NO.113G & 115G, JALAN SETIA,",
		"40170 BANDAR SETIA ALAM, SELANGOR.",
		"TEL: 03-3359 7977",
		"DATE: 22/12/2017",
		"TOTAL 15.90",
	)}, nil)
	if got := res.Fields[FieldCompany].Value; got != "HOME MASTER HARDWARE & ELECTRICAL" {
		t.Errorf("company = %q; want the name over two lines", got)
	}
	if got := res.Fields[FieldAddress].Value; got != "NO.113G & 115G, JALAN SETIA, 40170 BANDAR SETIA ALAM, SELANGOR." {
		t.Errorf("address = %q; want the two address lines up to the telephone", got)
	}
}

func TestLegalFormRepaired(t *testing.T) {
	if got := cleanCompany("WARAKUYA PERMAS CITY SON BHD:"); got != "WARAKUYA PERMAS CITY SDN BHD" {
		t.Errorf("cleanCompany = %q", got)
	}
}

func TestNumberAndCurrency(t *testing.T) {
	res := Extract([]Page{testPage("SHOP SDN BHD", "Invoice No: CS1801/26874", "TOTAL RM 4.90")}, nil)
	if got := res.Fields[FieldNumber].Value; got != "CS1801/26874" {
		t.Errorf("number = %q; want CS1801/26874", got)
	}
	if got := res.Fields[FieldCurrency]; got.Normalized != "MYR" || got.Value != "RM" {
		t.Errorf("currency = %+v; want RM as MYR", got)
	}
}

func TestHostileInputDoesNotPanic(t *testing.T) {
	long := make([]byte, 200000)
	for i := range long {
		long[i] = "0123456789.,/-:RMTOTAL "[i%23]
	}
	pages := []Page{
		{},
		{Number: 2, Words: []Word{{Text: string(long), Box: [4]int{0, 0, 10, 10}}, {Text: "x", Box: [4]int{5, 5, 1, 1}}}},
		testPage("", "  ", "TOTAL -5.00", "\x00\xff"),
	}
	res := Extract(pages, NewVendorIndex(knownVendors))
	if f, ok := res.Fields[FieldTotal]; ok && f.Normalized == "-5.00" {
		t.Errorf("a negative amount became the total: %+v", f)
	}
}

func TestAddressEndsAfterThePostcode(t *testing.T) {
	res := Extract([]Page{testPage(
		"MR D.I.Y. (JOHOR) SDN BHD",
		"(CO.REG :933109-X)",
		"NO.53 55,57 & 59, JALAN KPB 6,",
		"43300 SERI KEMBANGAN, SELANGOR",
		"(MR DIY TESCO TERBAU)",
		"CHOPPING BOARD 35.5x25.5CM 803M#",
		"Document No : TD01167104",
	)}, nil)
	want := "NO.53 55,57 & 59, JALAN KPB 6, 43300 SERI KEMBANGAN, SELANGOR (MR DIY TESCO TERBAU)"
	if got := res.Fields[FieldAddress].Value; got != want {
		t.Errorf("address = %q; want %q: the street with numbers, the branch in brackets, not the first item", got, want)
	}
}

func TestAddressKeepsItsStateLine(t *testing.T) {
	res := Extract([]Page{testPage(
		"KEDAI BUKU SDN BHD",
		"LOT 12, JALAN SULTAN YAHYA PETRA,",
		"15150 KOTA BHARU",
		"KELANTAN DARUL NAIM",
		"TEL: 09-744 1234",
	)}, nil)
	if got, want := res.Fields[FieldAddress].Value, "LOT 12, JALAN SULTAN YAHYA PETRA, 15150 KOTA BHARU KELANTAN DARUL NAIM"; got != want {
		t.Errorf("address = %q; want %q, its state line kept", got, want)
	}
}
