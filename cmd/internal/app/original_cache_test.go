package app

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestOrphanedCachesAreRemoved: the cache a killed worker left behind goes
// when the next worker starts; a running worker's stays, and so does
// anything else in the directory.
func TestOrphanedCachesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	orphan := filepath.Join(dir, cacheDirPrefix+"999999999-123")
	live := filepath.Join(dir, cacheDirPrefix+strconv.Itoa(os.Getpid())+"-456")
	other := filepath.Join(dir, "astralis-upload-789")
	for _, d := range []string{orphan, live, other} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "copy"), []byte("%PDF"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removeOrphanedCaches(dir)
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Errorf("the killed worker's cache is still there (%v)", err)
	}
	for _, d := range []string{live, other} {
		if _, err := os.Stat(filepath.Join(d, "copy")); err != nil {
			t.Errorf("%s was touched: %v", filepath.Base(d), err)
		}
	}
}
