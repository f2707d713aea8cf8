package extract

import (
	"slices"
	"strings"
)

// line is a row of words read left to right, as grouped from box geometry.
type line struct {
	page   int
	index  int // position of the line on its page, top to bottom
	words  []Word
	text   string // words joined by single spaces
	starts []int  // byte offset of each word in text
	box    [4]int
	pageW  int
	pageH  int
}

// sameLineOverlap is how much of the shorter word's height must overlap a
// line's band for the word to join it: tolerant of slightly skewed scans,
// strict enough that neighbouring rows stay apart.
const sameLineOverlap = 0.5

// groupLines groups a page's words into lines by vertical overlap and sorts
// each line left to right and the lines top to bottom.
func groupLines(p Page) []line {
	words := make([]Word, 0, len(p.Words))
	for _, w := range p.Words {
		w.Text = strings.TrimSpace(w.Text)
		if w.Text == "" || w.Box[2] <= w.Box[0] || w.Box[3] <= w.Box[1] {
			continue
		}
		words = append(words, w)
	}
	slices.SortStableFunc(words, func(a, b Word) int {
		return (a.Box[1] + a.Box[3]) - (b.Box[1] + b.Box[3])
	})
	type band struct {
		y0, y1 int
		words  []Word
	}
	var bands []*band
	for _, w := range words {
		var best *band
		bestOverlap := 0.0
		// Only recent bands can overlap: words arrive sorted by centre.
		for i := len(bands) - 1; i >= 0 && i >= len(bands)-4; i-- {
			b := bands[i]
			ov := min(b.y1, w.Box[3]) - max(b.y0, w.Box[1])
			h := min(b.y1-b.y0, w.Box[3]-w.Box[1])
			if h <= 0 || ov <= 0 {
				continue
			}
			frac := float64(ov) / float64(h)
			if frac < sameLineOverlap || overlapsHorizontally(b.words, w) {
				continue
			}
			if frac > bestOverlap {
				best, bestOverlap = b, frac
			}
		}
		if best == nil {
			bands = append(bands, &band{y0: w.Box[1], y1: w.Box[3], words: []Word{w}})
			continue
		}
		best.words = append(best.words, w)
		// Keep the band as tall as its median word so one tall word does not swallow neighbours.
		best.y0, best.y1 = medianBand(best.words)
	}
	lines := make([]line, 0, len(bands))
	for _, b := range bands {
		slices.SortFunc(b.words, func(a, c Word) int { return a.Box[0] - c.Box[0] })
		lines = append(lines, newLine(p, b.words))
	}
	slices.SortStableFunc(lines, func(a, b line) int { return a.box[1] - b.box[1] })
	for i := range lines {
		lines[i].index = i
	}
	return lines
}

func overlapsHorizontally(ws []Word, w Word) bool {
	for _, o := range ws {
		ov := min(o.Box[2], w.Box[2]) - max(o.Box[0], w.Box[0])
		if ov > (min(o.Box[2]-o.Box[0], w.Box[2]-w.Box[0]))/2 {
			return true
		}
	}
	return false
}

func medianBand(ws []Word) (int, int) {
	y0s := make([]int, len(ws))
	y1s := make([]int, len(ws))
	for i, w := range ws {
		y0s[i], y1s[i] = w.Box[1], w.Box[3]
	}
	slices.Sort(y0s)
	slices.Sort(y1s)
	return y0s[len(y0s)/2], y1s[len(y1s)/2]
}

func newLine(p Page, ws []Word) line {
	l := line{page: p.Number, words: ws, pageW: p.Width, pageH: p.Height}
	var sb strings.Builder
	l.box = ws[0].Box
	for i, w := range ws {
		if i > 0 {
			sb.WriteByte(' ')
		}
		l.starts = append(l.starts, sb.Len())
		sb.WriteString(w.Text)
		l.box = union(l.box, w.Box)
	}
	l.text = sb.String()
	return l
}

func union(a, b [4]int) [4]int {
	return [4]int{min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])}
}

// spanBox is the box of the words that overlap text[from:to].
func (l line) spanBox(from, to int) [4]int {
	var box [4]int
	found := false
	for i, w := range l.words {
		start, end := l.starts[i], l.starts[i]+len(w.Text)
		if end <= from || start >= to {
			continue
		}
		if !found {
			box, found = w.Box, true
		} else {
			box = union(box, w.Box)
		}
	}
	if !found {
		return l.box
	}
	return box
}

// spanConfidence is the lowest OCR confidence of the words in text[from:to]:
// one misread word spoils the value.
func (l line) spanConfidence(from, to int) float64 {
	c := 1.0
	for i, w := range l.words {
		start, end := l.starts[i], l.starts[i]+len(w.Text)
		if end <= from || start >= to {
			continue
		}
		c = min(c, w.Confidence)
	}
	return c
}

// height is the median word height of the line, a proxy for font size.
func (l line) height() int {
	y0, y1 := medianBand(l.words)
	return y1 - y0
}

// relY is the vertical position of the line on its page (0 top, 1 bottom).
func (l line) relY() float64 {
	if l.pageH <= 0 {
		return 0.5
	}
	return float64(l.box[1]+l.box[3]) / 2 / float64(l.pageH)
}

// documentLines groups every page into lines, pages in order.
func documentLines(pages []Page) []line {
	var all []line
	for _, p := range pages {
		all = append(all, groupLines(p)...)
	}
	return all
}
