package documents

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseVendorsCSVSkipsAByteOrderMark: a file saved as Excel's "CSV UTF-8"
// starts with a byte order mark, which is neither part of its header nor of
// its first vendor's name.
func TestParseVendorsCSVSkipsAByteOrderMark(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		csv  string
		want []VendorInput
	}{
		"header":    {"\ufeffname,address\nAcme,1 Main St\n", []VendorInput{{Name: "Acme", Address: "1 Main St"}}},
		"no header": {"\ufeffAcme,1 Main St\nGamma\n", []VendorInput{{Name: "Acme", Address: "1 Main St"}, {Name: "Gamma"}}},
		"no mark":   {"name,address\nAcme\n", []VendorInput{{Name: "Acme"}}},
		"quoted":    {"\ufeff\"Acme, Inc\",\"1 Main St\"\n", []VendorInput{{Name: "Acme, Inc", Address: "1 Main St"}}},
	} {
		got, err := ParseVendorsCSV(strings.NewReader(tc.csv))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q = %+v, %v; want %+v", name, tc.csv, got, err, tc.want)
		}
	}
}
