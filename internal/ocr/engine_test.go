package ocr

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// basicfont's period is one pixel: Tesseract reads it as a comma, so no decimals here.
var receiptLines = []string{"INVOICE 2041", "TOTAL 4250", "THANK YOU"}

func newTestEngine(t *testing.T, lim Limits) *Engine {
	t.Helper()
	e, err := NewEngine(2, lim)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func pngBytes(t *testing.T, lines []string, scale int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, renderText(lines, scale)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func hasWords(t *testing.T, p Page, want ...string) {
	t.Helper()
	got := map[string]bool{}
	for _, w := range p.Words {
		got[w.Text] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("word %q missing; page text:\n%s", w, p.Text())
		}
	}
}

func TestImageIsReadByTesseract(t *testing.T) {
	e := newTestEngine(t, DefaultLimits())
	// Small type (13 px lines): the normaliser has to scale it up to be read.
	path := writeFile(t, "scan.png", pngBytes(t, receiptLines, 1))
	p, err := e.Page(context.Background(), path, MIMEPNG, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != SourceOCR || p.Number != 1 {
		t.Errorf("source %q number %d, want ocr 1", p.Source, p.Number)
	}
	hasWords(t, p, "INVOICE", "2041", "TOTAL", "4250", "THANK", "YOU")
	if got := p.Text(); !strings.Contains(got, "TOTAL 4250") {
		t.Errorf("Text() = %q, want the line \"TOTAL 4250\"", got)
	}
	for _, w := range p.Words {
		if w.Confidence <= 0 || w.Confidence > 1 {
			t.Errorf("word %q confidence %v, want in (0, 1]", w.Text, w.Confidence)
		}
		// Boxes are in the original image's pixels, not the normalised image's.
		if w.Box[0] < 0 || w.Box[2] > p.Width || w.Box[1] < 0 || w.Box[3] > p.Height || w.Box[0] >= w.Box[2] || w.Box[1] >= w.Box[3] {
			t.Errorf("word %q box %v outside the %dx%d page", w.Text, w.Box, p.Width, p.Height)
		}
	}
}

func TestPDFTextLayerIsUsedWithoutOCR(t *testing.T) {
	e := newTestEngine(t, DefaultLimits())
	path := writeFile(t, "doc.pdf", textPDF([]string{"Hello World"}, []string{"Invoice 42", "Due 2026-01-31"}))
	info, err := e.Inspect(context.Background(), path, MIMEPDF)
	if err != nil || info.Pages != 2 {
		t.Fatalf("Inspect = %+v, %v; want 2 pages", info, err)
	}
	p, err := e.Page(context.Background(), path, MIMEPDF, 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != SourceText {
		t.Errorf("source %q, want text", p.Source)
	}
	if got, want := p.Text(), "Invoice 42\nDue 2026-01-31"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
	// Letter paper at 300 DPI; "Invoice" starts 1 inch from the left, 1 inch + 24 pt from the top.
	if p.Width != 2550 || p.Height != 3300 {
		t.Errorf("page %dx%d, want 2550x3300", p.Width, p.Height)
	}
	// Its box holds the baseline (300 px down) and starts at x = 300 px.
	if b := p.Words[0].Box; b[0] < 295 || b[0] > 305 || b[1] >= 300 || b[3] <= 300 {
		t.Errorf("first word box %v, want x0 near 300 and y0 < 300 < y1", b)
	}
	if _, err := e.Page(context.Background(), path, MIMEPDF, 3); !errors.Is(err, ErrNoSuchPage) {
		t.Errorf("page 3 of 2: %v, want ErrNoSuchPage", err)
	}
}

func TestScannedPDFIsRasterisedAndRead(t *testing.T) {
	e := newTestEngine(t, DefaultLimits())
	img := renderText(receiptLines, 3)
	// Sized so that at 300 DPI one image pixel is one page pixel, as a 300 DPI scan.
	path := writeFile(t, "scan.pdf", scannedPDF(img, img.Rect.Dx()*72/300, img.Rect.Dy()*72/300))
	p, err := e.Page(context.Background(), path, MIMEPDF, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != SourceOCR {
		t.Errorf("source %q, want ocr", p.Source)
	}
	hasWords(t, p, "INVOICE", "TOTAL", "4250")
	if want := img.Rect.Dx(); p.Width < want-5 || p.Width > want+5 {
		t.Errorf("page width %d px, want about %d (rendered at 300 DPI)", p.Width, want)
	}
}

func TestScannedPagesAreReadOneByOne(t *testing.T) {
	e := newTestEngine(t, DefaultLimits())
	pages := [][]string{{"INVOICE 2041", "TOTAL 4250"}, {"DELIVERY NOTE 77", "PARCELS 3"}, {"RECEIPT 913", "CHANGE 15"}}
	var imgs []*image.Gray
	for _, lines := range pages {
		imgs = append(imgs, renderText(lines, 3))
	}
	path := writeFile(t, "scans.pdf", scannedPages(300, imgs...))
	for i, lines := range pages {
		p, err := e.Page(context.Background(), path, MIMEPDF, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if p.Source != SourceOCR {
			t.Errorf("page %d: source %q, want ocr", i+1, p.Source)
		}
		hasWords(t, p, strings.Fields(lines[0])[0]) // each page its own first word
	}
}

func TestHugePDFPageIsRenderedWithinThePixelCap(t *testing.T) {
	lim := DefaultLimits()
	lim.MaxPixels = 4_000_000
	e := newTestEngine(t, lim)
	img := renderText(receiptLines, 2)
	// 30 × 12 inches: 81 Mpx at 300 DPI, so the DPI must come down.
	path := writeFile(t, "poster.pdf", scannedPDF(img, 30*72, 12*72))
	p, err := e.Page(context.Background(), path, MIMEPDF, 1)
	if err != nil {
		t.Fatal(err)
	}
	if px := int64(p.Width) * int64(p.Height); px > lim.MaxPixels || px < lim.MaxPixels/2 {
		t.Errorf("rendered %dx%d = %d px, want just under the %d cap", p.Width, p.Height, px, lim.MaxPixels)
	}
	lim.MinDPI = 200
	e2 := newTestEngine(t, lim)
	if _, err := e2.Page(context.Background(), path, MIMEPDF, 1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("with MinDPI 200: %v, want ErrTooLarge", err)
	}
}

func TestBadPDFsFailWithTypedErrors(t *testing.T) {
	e := newTestEngine(t, DefaultLimits())
	good := textPDF([]string{"Hello"})
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"truncated", good[:len(good)/2], ErrCorrupt},
		{"truncated tail", good[:len(good)-10], ErrCorrupt},
		{"garbage after header", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 2000)...), ErrCorrupt},
		{"encrypted", encryptedPDF(), ErrEncrypted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "bad.pdf", c.data)
			if _, err := Inspect(context.Background(), path, MIMEPDF, DefaultLimits()); !errors.Is(err, c.want) {
				t.Errorf("Inspect: %v, want %v", err, c.want)
			}
			if _, err := e.Page(context.Background(), path, MIMEPDF, 1); !errors.Is(err, c.want) {
				t.Errorf("Page: %v, want %v", err, c.want)
			}
		})
	}
}

func TestPDFOverThePageCapIsRefused(t *testing.T) {
	lim := DefaultLimits()
	lim.MaxPages = 2
	path := writeFile(t, "long.pdf", textPDF([]string{"one"}, []string{"two"}, []string{"three"}))
	if _, err := Inspect(context.Background(), path, MIMEPDF, lim); !errors.Is(err, ErrTooManyPages) {
		t.Errorf("3 pages, cap 2: %v, want ErrTooManyPages", err)
	}
	lim.MaxPages = 3
	if info, err := Inspect(context.Background(), path, MIMEPDF, lim); err != nil || info.Pages != 3 {
		t.Errorf("3 pages, cap 3: %+v, %v", info, err)
	}
}

func TestToolTimeoutIsTyped(t *testing.T) {
	lim := DefaultLimits()
	lim.ToolTimeout = 1 // 1ns: the tool cannot even start in time
	path := writeFile(t, "doc.pdf", textPDF([]string{"Hello"}))
	if _, err := Inspect(context.Background(), path, MIMEPDF, lim); !errors.Is(err, ErrToolTimeout) {
		t.Errorf("%v, want ErrToolTimeout", err)
	}
}

func TestCancelledPageReturnsContextError(t *testing.T) {
	e := newTestEngine(t, DefaultLimits())
	path := writeFile(t, "scan.png", pngBytes(t, receiptLines, 2))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Page(ctx, path, MIMEPNG, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("%v, want context.Canceled", err)
	}
}

func TestPagesInParallelGiveTheSameWords(t *testing.T) {
	e := newTestEngine(t, DefaultLimits())
	path := writeFile(t, "scan.png", pngBytes(t, receiptLines, 2))
	want, err := e.Page(context.Background(), path, MIMEPNG, 1)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]Page, 6)
	errs := make([]error, 6)
	for i := range results {
		wg.Go(func() { results[i], errs[i] = e.Page(context.Background(), path, MIMEPNG, 1) })
	}
	wg.Wait()
	for i, p := range results {
		if errs[i] != nil || !slices.Equal(p.Words, want.Words) {
			t.Errorf("run %d: %v, words differ from a single run: %q vs %q", i, errs[i], p.Text(), want.Text())
		}
	}
}

// Specks and dotted leaders come out of Tesseract as low-confidence junk
// words; the engine drops them and keeps the text.
func TestSpeckledScanKeepsTextAndDropsNoise(t *testing.T) {
	e := newTestEngine(t, DefaultLimits())
	img := renderText(receiptLines, 2)
	big := image.NewGray(image.Rect(0, 0, img.Rect.Dx(), img.Rect.Dy()+120))
	draw.Draw(big, big.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(big, img.Rect, img, image.Point{}, draw.Src)
	// A band of specks under the text, like a scanner's dirty glass.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 900 {
		x, y := rng.IntN(big.Rect.Dx()-3), img.Rect.Dy()+rng.IntN(110)
		for dy := range 2 + rng.IntN(3) {
			for dx := range 2 + rng.IntN(3) {
				big.SetGray(x+dx, y+dy, color.Gray{})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, big); err != nil {
		t.Fatal(err)
	}
	p, err := e.Page(context.Background(), writeFile(t, "specks.png", buf.Bytes()), MIMEPNG, 1)
	if err != nil {
		t.Fatal(err)
	}
	hasWords(t, p, "INVOICE", "2041", "TOTAL", "4250")
	for _, w := range p.Words {
		if w.Confidence < minWordConfidence {
			t.Errorf("word %q at %v has confidence %.2f: noise should have been dropped", w.Text, w.Box, w.Confidence)
		}
	}
}
