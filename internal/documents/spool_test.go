package documents

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpoolTellsTheClientsFaultFromTheServers: a body cut off is the
// client's (422 upstream), a spool directory that cannot be written the
// server's (500): the API answers each differently.
func TestSpoolTellsTheClientsFaultFromTheServers(t *testing.T) {
	cut := io.MultiReader(strings.NewReader("%PDF-1.4 part of a file"), errReader{io.ErrUnexpectedEOF})
	_, err := Spool(cut, t.TempDir(), 1<<20)
	if !errors.Is(err, ErrBodyUnreadable) || errors.Is(err, ErrSpool) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a body cut off: %v; want ErrBodyUnreadable keeping its cause", err)
	}
	_, err = Spool(strings.NewReader("%PDF-1.4 a whole file"), filepath.Join(t.TempDir(), "missing"), 1<<20)
	if !errors.Is(err, ErrSpool) || errors.Is(err, ErrBodyUnreadable) {
		t.Errorf("an unwritable spool directory: %v; want ErrSpool", err)
	}
	sp, err := Spool(strings.NewReader("%PDF-1.4 a whole file"), t.TempDir(), 1<<20)
	if err != nil || sp.Size != 21 {
		t.Fatalf("a good body: %+v, %v", sp, err)
	}
	sp.Close()
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
