package ocreval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// SROIELine is one ground-truth text line of a SROIE receipt: its box's
// corners (clockwise from top left) and its transcript.
type SROIELine struct {
	Points [8]int
	Text   string
}

// LoadSROIEBoxes reads box/NNN.csv under dir (the sroie folder) for receipt
// id (0 → "000"): lines of `x1,y1,x2,y2,x3,y3,x4,y4,transcript`, where the
// transcript may itself hold commas.
func LoadSROIEBoxes(dir string, id int) ([]SROIELine, error) {
	path := filepath.Join(dir, "box", fmt.Sprintf("%03d.csv", id))
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []SROIELine
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		raw := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(raw) == "" {
			continue
		}
		fields := strings.SplitN(raw, ",", 9)
		if len(fields) != 9 {
			return nil, fmt.Errorf("ocreval: %s:%d: want 8 coordinates and a transcript", path, n)
		}
		var l SROIELine
		for i := range 8 {
			if l.Points[i], err = strconv.Atoi(strings.TrimSpace(fields[i])); err != nil {
				return nil, fmt.Errorf("ocreval: %s:%d: coordinate %d: %w", path, n, i+1, err)
			}
		}
		l.Text = fields[8]
		lines = append(lines, l)
	}
	return lines, sc.Err()
}

// SROIEImage is the path of receipt id's image under dir.
func SROIEImage(dir string, id int) string {
	return filepath.Join(dir, "img", fmt.Sprintf("%03d.jpg", id))
}

// Texts returns the lines' transcripts, in file order (top to bottom).
func Texts(lines []SROIELine) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Text
	}
	return out
}

// SROIEKey is a receipt's ground-truth fields (key/NNN.json), as printed.
type SROIEKey struct {
	Company string `json:"company"`
	Date    string `json:"date"`
	Address string `json:"address"`
	Total   string `json:"total"`
}

// LoadSROIEKey reads key/NNN.json under dir for receipt id.
func LoadSROIEKey(dir string, id int) (SROIEKey, error) {
	path := filepath.Join(dir, "key", fmt.Sprintf("%03d.json", id))
	data, err := os.ReadFile(path)
	if err != nil {
		return SROIEKey{}, err
	}
	var k SROIEKey
	if err := json.Unmarshal(data, &k); err != nil {
		return SROIEKey{}, fmt.Errorf("ocreval: %s: %w", path, err)
	}
	return k, nil
}

// SROIEReceipts lists the receipts under dir, in order: those with an image
// (img/NNN.jpg, with box/ and key/ beside it) and those with only a key.
func SROIEReceipts(dir string) (withImage, keyOnly []int, err error) {
	keys, err := filepath.Glob(filepath.Join(dir, "key", "[0-9][0-9][0-9].json"))
	if err != nil {
		return nil, nil, err
	}
	if len(keys) == 0 {
		return nil, nil, fmt.Errorf("ocreval: no receipts in %s (want key/NNN.json)", dir)
	}
	for _, k := range keys { // Glob sorts, so ids come in order
		id, _ := strconv.Atoi(strings.TrimSuffix(filepath.Base(k), ".json"))
		if _, err := os.Stat(SROIEImage(dir, id)); err == nil {
			withImage = append(withImage, id)
		} else {
			keyOnly = append(keyOnly, id)
		}
	}
	return withImage, keyOnly, nil
}
