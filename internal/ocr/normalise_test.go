package ocr

import (
	"image"
	"image/draw"
	"testing"
)

func TestNormaliserEnlargesSmallText(t *testing.T) {
	small := renderText(receiptLines, 1) // 13 px type
	got := defaultNormaliser.apply(small)
	if got.scale < 1.5 {
		t.Errorf("scale %.2f for 13 px type, want the text enlarged towards %v px lines", got.scale, defaultNormaliser.targetLineHeight)
	}
	if w := got.img.Rect.Dx(); w != int(float64(small.Rect.Dx())*got.scale+0.5) {
		t.Errorf("normalised width %d, want %d × %.2f", w, small.Rect.Dx(), got.scale)
	}
}

// A small receipt scanned on a whole sheet must not be blown up to tens of
// megapixels: Tesseract's time grows with the pixels.
func TestNormaliserCapsPixels(t *testing.T) {
	sheet := image.NewGray(image.Rect(0, 0, 1400, 1800))
	draw.Draw(sheet, sheet.Rect, image.White, image.Point{}, draw.Src)
	receipt := renderText(receiptLines, 1)
	draw.Draw(sheet, receipt.Rect.Add(image.Pt(500, 700)), receipt, image.Point{}, draw.Src)
	got := defaultNormaliser.apply(sheet)
	px := float64(got.img.Rect.Dx()) * float64(got.img.Rect.Dy())
	if px > defaultNormaliser.maxPixels*1.01 {
		t.Errorf("normalised sheet is %v (%.1f MP), want at most %.1f MP", got.img.Rect.Size(), px/1e6, defaultNormaliser.maxPixels/1e6)
	}
	if got.scale <= 1 {
		t.Errorf("scale %.2f: the small type should still be enlarged as far as the cap allows", got.scale)
	}
}
