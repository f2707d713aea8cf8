// Package extract finds the fields a bookkeeper needs (vendor, address, date,
// totals, tax, currency, document number, line items) in the OCR words of a
// receipt or invoice. It is pure computation: candidates are generated from
// word boxes, scored by labels, position, format and arithmetic, and the
// organisation's known vendors correct OCR noise in names and addresses.
package extract

// Word is one OCR word: its text, the engine's confidence (0..1) and its box
// in page pixels (x0, y0, x1, y1).
type Word struct {
	Text       string
	Confidence float64
	Box        [4]int
}

// Page is one page of OCR output.
type Page struct {
	Number, Width, Height int
	Words                 []Word
}

// Field keys in Result.Fields.
const (
	FieldCompany  = "company"
	FieldAddress  = "address"
	FieldDate     = "date"
	FieldTotal    = "total"
	FieldSubtotal = "subtotal"
	FieldTax      = "tax"
	FieldCurrency = "currency"
	FieldNumber   = "number"
)

// FieldKeys lists every field Extract can return, in a stable order.
var FieldKeys = []string{FieldCompany, FieldAddress, FieldDate, FieldTotal, FieldSubtotal, FieldTax, FieldCurrency, FieldNumber}

// Field is one extracted value: as printed (Value) and normalised (an ISO
// date, a decimal amount with two places, an upper-case currency code, or the
// text with white space collapsed), with a confidence (0..1, roughly the
// probability the value is right) and where it was found.
type Field struct {
	Value      string  `json:"value"`
	Normalized string  `json:"normalized"`
	Confidence float64 `json:"confidence"`
	Page       int     `json:"page"`
	Box        [4]int  `json:"box"`
}

// LineItem is one purchased item: its description and amount as printed, the
// amount normalised, and the quantity when one is printed on the line.
type LineItem struct {
	Description string  `json:"description"`
	Quantity    string  `json:"quantity,omitempty"`
	Amount      string  `json:"amount"`
	Normalized  string  `json:"normalized"`
	Confidence  float64 `json:"confidence"`
	Page        int     `json:"page"`
	Box         [4]int  `json:"box"`
}

// Check is an arithmetic consistency check over the extracted amounts.
type Check struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail"`
}

// Check names.
const (
	CheckSubtotalTax = "subtotal+tax=total"
	CheckLineItems   = "line items sum"
	CheckCashChange  = "cash-change=total"
	// CheckTotalComputed fails when the total is computed from the other
	// amounts, not read: a person confirms it.
	CheckTotalComputed = "total read"
)

// Result is everything Extract found. Fields holds only the fields found;
// Vendor is set when the document matched a known vendor.
type Result struct {
	Fields    map[string]Field `json:"fields"`
	LineItems []LineItem       `json:"line_items"`
	Checks    []Check          `json:"checks"`
	Vendor    *VendorMatch     `json:"vendor,omitempty"`
}

// VendorMatch is the known vendor a document was matched to, with the match
// score (0..1).
type VendorMatch struct {
	Vendor Vendor  `json:"vendor"`
	Score  float64 `json:"score"`
}
