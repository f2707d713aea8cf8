package csvin

import (
	"reflect"
	"strings"
	"testing"
)

// TestNewReaderDropsOnlyTheByteOrderMark: the mark goes, also before a quoted
// first field; a mark later in the file and invalid UTF-8 stay as they are.
func TestNewReaderDropsOnlyTheByteOrderMark(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][][]string{
		"\ufeffname,address\nAcme,1 Main St\n": {{"name", "address"}, {"Acme", "1 Main St"}},
		"\ufeff\"Acme, Inc\",\"1 Main St\"\n":  {{"Acme, Inc", "1 Main St"}},
		"name\n\ufeffAcme\n":                   {{"name"}, {"\ufeffAcme"}},
		"bad \xff\xfe bytes\n":                 {{"bad \xff\xfe bytes"}},
		"\ufeff":                               nil,
		"ab":                                   {{"ab"}},
	} {
		got, err := NewReader(strings.NewReader(in)).ReadAll()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q = %q, %v; want %q", in, got, err, want)
		}
	}
}
