package api

import (
	"reflect"
	"strings"
	"testing"

	"github.com/astralisops/astralis/internal/intake"
)

// TestExamplesCSVSkipsAByteOrderMark: routing history saved as Excel's "CSV
// UTF-8" starts with a byte order mark, before a header that may be quoted.
func TestExamplesCSVSkipsAByteOrderMark(t *testing.T) {
	t.Parallel()
	want := []intake.Example{{Text: "my screen, it is cracked", Pipeline: "repairs"}}
	for _, csv := range []string{
		"\ufefftext,pipeline\n\"my screen, it is cracked\",repairs\n",
		"\ufeff\"text\",\"pipeline\"\n\"my screen, it is cracked\",repairs\n",
		"text,pipeline\n\"my screen, it is cracked\",repairs\n",
	} {
		got, err := readExamplesCSV(strings.NewReader(csv))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q = %+v, %v; want %+v", csv, got, err, want)
		}
	}
}
