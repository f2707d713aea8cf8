package ocr

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/astralisops/astralis/internal/ocr/ocrtest"
)

// The fixtures are made by hand in package ocrtest, so the tests need nothing beside the code.
var (
	textPDF      = ocrtest.TextPDF
	scannedPDF   = ocrtest.ScannedPDF
	scannedPages = ocrtest.ScannedPDFPages
	encryptedPDF = ocrtest.EncryptedPDF
	renderText   = ocrtest.RenderText
)

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func encodePNG(w *bytes.Buffer, img image.Image) error { return png.Encode(w, img) }
