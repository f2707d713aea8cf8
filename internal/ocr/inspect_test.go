package ocr

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/astralisops/astralis/internal/ocr/ocrtest"
)

func TestHugePNGIsRefusedBeforeAllocating(t *testing.T) {
	path := writeFile(t, "bomb.png", ocrtest.PNGHeader(30000, 30000, 8))
	e := newTestEngine(t, DefaultLimits())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, inspectErr := Inspect(context.Background(), path, MIMEPNG, DefaultLimits())
	_, pageErr := e.Page(context.Background(), path, MIMEPNG, 1)
	runtime.ReadMemStats(&after)
	if !errors.Is(inspectErr, ErrTooLarge) || !errors.Is(pageErr, ErrTooLarge) {
		t.Errorf("Inspect: %v; Page: %v; want ErrTooLarge from both", inspectErr, pageErr)
	}
	// Decoding would take 3.6 GB; refusing it takes a few KB.
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 1<<20 {
		t.Errorf("allocated %d bytes refusing a 30000x30000 PNG, want < 1 MiB", allocated)
	}
}

func TestInspectImages(t *testing.T) {
	path := writeFile(t, "small.png", pngBytes(t, []string{"HI"}, 1))
	info, err := Inspect(context.Background(), path, MIMEPNG, DefaultLimits())
	if err != nil || info.Pages != 1 || info.Width == 0 {
		t.Errorf("Inspect = %+v, %v; want 1 page with a size", info, err)
	}
	lim := DefaultLimits()
	lim.MaxPixels = int64(info.Width*info.Height) - 1
	if _, err := Inspect(context.Background(), path, MIMEPNG, lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("one pixel over the cap: %v, want ErrTooLarge", err)
	}
	trunc := writeFile(t, "trunc.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"))
	if _, err := Inspect(context.Background(), trunc, MIMEJPEG, DefaultLimits()); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated JPEG: %v, want ErrCorrupt", err)
	}
}

func TestSniff(t *testing.T) {
	cases := map[string]struct {
		head []byte
		want string
	}{
		"pdf":  {textPDF([]string{"x"}), MIMEPDF},
		"png":  {ocrtest.PNGHeader(10, 10, 8), MIMEPNG},
		"jpeg": {[]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), MIMEJPEG},
		"tiff": {[]byte("II*\x00\x08\x00\x00\x00"), MIMETIFF},
	}
	for name, c := range cases {
		if got, err := Sniff(c.head); got != c.want || err != nil {
			t.Errorf("%s: Sniff = %q, %v; want %q", name, got, err, c.want)
		}
	}
	// A PDF named .png is still a PDF; HTML is refused whatever it is called.
	_, err := Sniff([]byte("<!DOCTYPE html><html><body>hi</body></html>"))
	var unsupported *UnsupportedTypeError
	if !errors.As(err, &unsupported) || !errors.Is(err, ErrUnsupportedType) || unsupported.Detected != "text/html; charset=utf-8" {
		t.Errorf("HTML: %v, want an UnsupportedTypeError naming text/html", err)
	}
}

func TestTextGroupsWordsIntoLines(t *testing.T) {
	p := Page{Words: []Word{
		{Text: "42.50", Box: [4]int{300, 102, 360, 121}},
		{Text: "THANKS", Box: [4]int{10, 150, 90, 170}},
		{Text: "TOTAL", Box: [4]int{10, 100, 80, 120}},
		{Text: "SHOP", Box: [4]int{10, 50, 70, 70}},
	}}
	if got, want := p.Text(), "SHOP\nTOTAL 42.50\nTHANKS"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}

// FuzzSniffAndInspect: no input makes sniffing or an image's header check
// and decode panic, and whatever Inspect accepts stays within the pixel cap.
func FuzzSniffAndInspect(f *testing.F) {
	f.Add(ocrtest.PNGHeader(30000, 30000, 8))
	f.Add(ocrtest.PNGHeader(4, 4, 8))
	f.Add([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"))
	f.Add([]byte("II*\x00\x08\x00\x00\x00\x01\x00\x00\x01\x03\x00\x01\x00\x00\x00\x10\x00"))
	f.Add([]byte("%PDF-1.4\n%%EOF"))
	var buf bytes.Buffer
	buf.Write(pngBytesF(f))
	f.Add(buf.Bytes())
	lim := DefaultLimits()
	lim.MaxPixels = 1 << 20
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		mime, err := Sniff(data)
		if err != nil {
			return
		}
		path := filepath.Join(dir, "in")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if mime == MIMEPDF {
			_ = checkPDFEnd(path) // the poppler tools are exercised by the PDF tests, not per fuzz input
			return
		}
		info, err := Inspect(context.Background(), path, mime, lim)
		if err != nil {
			return
		}
		if int64(info.Width)*int64(info.Height) > lim.MaxPixels {
			t.Fatalf("accepted %dx%d over the cap", info.Width, info.Height)
		}
		_, _ = decodeImage(path, mime, lim)
	})
}

func pngBytesF(f *testing.F) []byte {
	var buf bytes.Buffer
	img := renderText([]string{"A"}, 1)
	if err := encodePNG(&buf, img); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}

// TestDeepImagesCountTheirBytes: a 16-bit PNG under the pixel cap but over the
// bytes an 8-bit image of the cap would take is refused from its header
// (a few hundred KiB of PNG would otherwise decode to hundreds of MB).
func TestDeepImagesCountTheirBytes(t *testing.T) {
	lim := DefaultLimits()
	lim.MaxPixels = 1000 * 1000
	deep := ocrtest.PNGHeader(900, 900, 8) // 8-bit RGBA (colour type 6): 3.2 MB decoded, within 4 bytes × 1 Mpx
	if _, err := imageConfig(bytes.NewReader(deep), MIMEPNG, lim); err != nil {
		t.Fatalf("8-bit 900x900 under a 1 Mpx cap: %v", err)
	}
	deep = ocrtest.PNGHeader(900, 900, 16) // 16-bit: 8 bytes a pixel, 6.5 MB
	if _, err := imageConfig(bytes.NewReader(deep), MIMEPNG, lim); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("16-bit 900x900 under a 1 Mpx cap: %v, want ErrTooLarge", err)
	}
}
