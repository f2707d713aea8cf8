package ocr

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"math"
	"testing"
)

// TestRenderedPagesMatchTheirWords: a page drawn for people is the size its
// words were measured at (a scanned page brought under the pixel cap as it was
// read, an image as it is), or, for a text-layer page whose words were measured
// past the cap, smaller in the same proportions; a page that is not there, or
// one too big even at MinDPI, is a typed error.
func TestRenderedPagesMatchTheirWords(t *testing.T) {
	lim := DefaultLimits()
	lim.MaxPixels = 4_000_000
	e := newTestEngine(t, lim)
	r, err := NewRenderer(lim)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name, mime string
		// scaled: the words were measured at 300 DPI, 8.4 Mpx, past the cap
		scaled bool
	}{
		{"text.pdf", MIMEPDF, true},    // Letter
		{"poster.pdf", MIMEPDF, false}, // 30 × 12 inches: read and drawn at a lower DPI
		{"scan.png", MIMEPNG, false},
	} {
		var data []byte
		switch tc.name {
		case "text.pdf":
			data = textPDF(receiptLines, []string{"PAGE TWO"})
		case "poster.pdf":
			data = scannedPDF(renderText(receiptLines, 2), 30*72, 12*72)
		case "scan.png":
			data = pngBytes(t, receiptLines, 2)
		}
		path := writeFile(t, tc.name, data)
		page, err := e.Page(ctx, path, tc.mime, 1)
		if err != nil {
			t.Fatal(err)
		}
		img, err := r.PagePNG(ctx, path, tc.mime, 1)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(img))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", tc.name, err)
		}
		sameSize := cfg.Width == page.Width && cfg.Height == page.Height
		sameShape := math.Abs(float64(cfg.Width)/float64(cfg.Height)-float64(page.Width)/float64(page.Height)) < 0.01
		if tc.scaled && (int64(cfg.Width)*int64(cfg.Height) > lim.MaxPixels || !sameShape) || !tc.scaled && !sameSize {
			t.Errorf("%s drawn %dx%d, its words measured on %dx%d", tc.name, cfg.Width, cfg.Height, page.Width, page.Height)
		}
		if _, err := r.PagePNG(ctx, path, tc.mime, 3); !errors.Is(err, ErrNoSuchPage) {
			t.Errorf("%s page 3: %v, want ErrNoSuchPage", tc.name, err)
		}
	}
	lim.MinDPI = 200
	strict, err := NewRenderer(lim)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "huge.pdf", scannedPDF(renderText(receiptLines, 2), 30*72, 12*72))
	if _, err := strict.PagePNG(ctx, path, MIMEPDF, 1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a page over the pixel cap at MinDPI 200: %v, want ErrTooLarge", err)
	}
}
