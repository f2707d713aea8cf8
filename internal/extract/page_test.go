package extract

import "strings"

// testPage lays out rows of text as OCR words: one row per line, 30 px
// apart, each character 10 px wide, every word read with confidence 0.95.
func testPage(rows ...string) Page {
	p := Page{Number: 1, Width: 600, Height: 30*len(rows) + 40}
	for i, row := range rows {
		y := 20 + 30*i
		x := 10
		for _, field := range strings.Split(row, " ") {
			if field == "" {
				x += 10
				continue
			}
			w := 10 * len([]rune(field))
			p.Words = append(p.Words, Word{Text: field, Confidence: 0.95, Box: [4]int{x, y, x + w, y + 20}})
			x += w + 10
		}
	}
	return p
}
