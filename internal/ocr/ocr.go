// Package ocr turns one page of an uploaded document into words with
// confidences and boxes: a PDF page's own text layer when it has one
// (poppler's pdftotext), otherwise the page rasterised (pdftoppm) or the
// image itself, decoded and normalised in Go and read by Tesseract through
// gosseract.
//
// The package links Tesseract and Leptonica (cgo): import it only where OCR
// runs (the worker), never from the API binary.
package ocr

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Word is one recognised word.
type Word struct {
	Text string
	// Confidence is Tesseract's word confidence scaled to 0..1; words from a
	// PDF's text layer have confidence 1.
	Confidence float64
	// Box is x0,y0,x1,y1 in the page image's pixels (origin top left). For a
	// PDF page that is the page rendered at Limits.DPI, whether or not the
	// page was actually rasterised.
	Box [4]int
}

// Page is the result of reading one page.
type Page struct {
	Number        int
	Width, Height int
	// Source is "text" when the words come from a PDF's text layer, "ocr"
	// when Tesseract read them.
	Source string
	Words  []Word
}

// Sources of a page's words.
const (
	SourceText = "text"
	SourceOCR  = "ocr"
)

// Text returns the page's words as lines in reading order: words whose
// boxes share most of their height form a line, lines run top to bottom and
// words left to right. Grouping by geometry rather than by Tesseract's
// blocks keeps a receipt's label and its amount on one line.
func (p Page) Text() string {
	lines := groupLines(p.Words)
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		for j, w := range line {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w.Text)
		}
	}
	return b.String()
}

// groupLines clusters words into lines by vertical overlap.
func groupLines(words []Word) [][]Word {
	sorted := slices.Clone(words)
	slices.SortStableFunc(sorted, func(a, b Word) int {
		return cmp.Compare(a.Box[1]+a.Box[3], b.Box[1]+b.Box[3])
	})
	type line struct {
		top, bottom int
		words       []Word
	}
	var lines []*line
	for _, w := range sorted {
		if strings.TrimSpace(w.Text) == "" {
			continue
		}
		centre := (w.Box[1] + w.Box[3]) / 2
		var joined bool
		// Only the last few lines can overlap a word further down the sort.
		for i := len(lines) - 1; i >= 0 && i >= len(lines)-3; i-- {
			l := lines[i]
			if centre >= l.top && centre <= l.bottom {
				l.words = append(l.words, w)
				l.top, l.bottom = min(l.top, w.Box[1]), max(l.bottom, w.Box[3])
				joined = true
				break
			}
		}
		if !joined {
			lines = append(lines, &line{top: w.Box[1], bottom: w.Box[3], words: []Word{w}})
		}
	}
	slices.SortStableFunc(lines, func(a, b *line) int { return cmp.Compare(a.top, b.top) })
	out := make([][]Word, len(lines))
	for i, l := range lines {
		slices.SortStableFunc(l.words, func(a, b Word) int { return cmp.Compare(a.Box[0], b.Box[0]) })
		out[i] = l.words
	}
	return out
}

// Limits bound what a document may cost to read.
type Limits struct {
	// MaxPages is the most pages a PDF may have.
	MaxPages int
	// MaxPixels is the most pixels an image, or a PDF page rendered at DPI,
	// may have; a PDF page above it is rendered at a lower DPI, down to MinDPI.
	MaxPixels int64
	// DPI is the resolution PDF pages are rendered at (and text-layer boxes
	// scaled to); MinDPI the lowest it may be lowered to for a huge page.
	DPI, MinDPI int
	// ToolTimeout bounds each run of an external tool (pdfinfo, pdftotext, pdftoppm).
	ToolTimeout time.Duration
	// ToolMemory is the address-space limit, in bytes, of each external tool.
	ToolMemory int64
}

// DefaultLimits suit receipts, invoices and letters up to A3 at 300 DPI.
func DefaultLimits() Limits {
	return Limits{
		MaxPages:    500,
		MaxPixels:   40_000_000,
		DPI:         300,
		MinDPI:      72,
		ToolTimeout: 60 * time.Second,
		ToolMemory:  1 << 30,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxPages <= 0 {
		l.MaxPages = d.MaxPages
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.DPI <= 0 {
		l.DPI = d.DPI
	}
	if l.MinDPI <= 0 || l.MinDPI > l.DPI {
		l.MinDPI = min(d.MinDPI, l.DPI)
	}
	if l.ToolTimeout <= 0 {
		l.ToolTimeout = d.ToolTimeout
	}
	if l.ToolMemory <= 0 {
		l.ToolMemory = d.ToolMemory
	}
	return l
}
