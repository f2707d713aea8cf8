package ocreval

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestWordF1(t *testing.T) {
	// Truth has 4 tokens; the prediction 4, of which 3 match (case ignored, one "9.00" only once).
	p, r, f1 := WordF1([]string{"Total", "9.00", "9.00", "RM"}, []string{"TOTAL 9.00", "CASH RM"})
	if !near(p, 0.75) || !near(r, 0.75) || !near(f1, 0.75) {
		t.Errorf("got p=%v r=%v f1=%v, want 0.75 each", p, r, f1)
	}
	if _, _, f1 := WordF1([]string{"A"}, []string{"B"}); f1 != 0 {
		t.Errorf("no match: f1 %v, want 0", f1)
	}
	if _, _, f1 := WordF1(nil, nil); f1 != 1 {
		t.Errorf("both empty: f1 %v, want 1", f1)
	}
}

func TestCER(t *testing.T) {
	if got := CER("TOTAL  9.0O\nCASH", "total 9.00 cash"); !near(got, 1.0/15) {
		t.Errorf("CER = %v, want 1/15 (one substitution; case and line breaks ignored)", got)
	}
	if got := CER("", "ABCD"); got != 1 {
		t.Errorf("CER of nothing = %v, want 1", got)
	}
}

func TestLoadSROIEBoxes(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "box"), 0o755)
	csv := "72,25,326,25,326,64,72,64,TAN WOON YANN\r\n110,144,383,144,383,163,110,163,NO.53 55,57 & 59, JALAN SAGU 18,\n"
	os.WriteFile(filepath.Join(dir, "box", "007.csv"), []byte(csv), 0o644)
	lines, err := LoadSROIEBoxes(dir, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[1].Text != "NO.53 55,57 & 59, JALAN SAGU 18," || lines[0].Points[2] != 326 || lines[0].Text != "TAN WOON YANN" {
		t.Errorf("got %+v", lines)
	}
	os.WriteFile(filepath.Join(dir, "box", "008.csv"), []byte("1,2,3,TEXT\n"), 0o644)
	if _, err := LoadSROIEBoxes(dir, 8); err == nil {
		t.Error("a line with 3 coordinates loaded without error")
	}
}

func TestSROIEReceiptsAndKeys(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"img", "key"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	for _, id := range []string{"000", "001", "002"} {
		os.WriteFile(filepath.Join(dir, "key", id+".json"), []byte(`{"company":"SHOP `+id+`","date":"25/12/2018","address":"1 ROAD","total":"9.00"}`), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "img", "001.jpg"), []byte("jpeg"), 0o644)
	withImage, keyOnly, err := SROIEReceipts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(withImage) != 1 || withImage[0] != 1 || len(keyOnly) != 2 || keyOnly[0] != 0 || keyOnly[1] != 2 {
		t.Errorf("with image %v, key only %v; want [1] and [0 2]", withImage, keyOnly)
	}
	k, err := LoadSROIEKey(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if k.Company != "SHOP 002" || k.Total != "9.00" || k.Date != "25/12/2018" || k.Address != "1 ROAD" {
		t.Errorf("key %+v", k)
	}
	if _, _, err := SROIEReceipts(t.TempDir()); err == nil {
		t.Error("an empty folder listed without error")
	}
}
