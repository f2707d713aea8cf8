package ocreval

import (
	"bufio"
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
