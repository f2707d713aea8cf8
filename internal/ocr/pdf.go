package ocr

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// pdfInfo is what pdfinfo says about a document, or about one page of it.
type pdfInfo struct {
	pages int
	// width and height of the asked-for page in points, after its rotation.
	width, height float64
}

// pdfinfo runs `pdfinfo [-f n -l n]` (n = 0 means the document only).
func (e *Engine) pdfinfo(ctx context.Context, path string, n int) (pdfInfo, error) {
	args := []string{"-"}
	if n > 0 {
		args = []string{"-f", strconv.Itoa(n), "-l", strconv.Itoa(n), "-"}
	}
	out, err := e.tools.run(ctx, path, 1<<20, "pdfinfo", args...)
	if err != nil {
		return pdfInfo{}, pdfError(err)
	}
	var info pdfInfo
	var rot int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch {
		case key == "Pages":
			info.pages, _ = strconv.Atoi(value)
		case strings.HasPrefix(key, "Page ") && strings.HasSuffix(key, " size"):
			// "595 x 842 pts (A4)"
			f := strings.Fields(value)
			if len(f) >= 3 {
				info.width, _ = strconv.ParseFloat(f[0], 64)
				info.height, _ = strconv.ParseFloat(f[2], 64)
			}
		case strings.HasPrefix(key, "Page ") && strings.HasSuffix(key, " rot"):
			rot, _ = strconv.Atoi(value)
		}
	}
	if rot%180 != 0 {
		info.width, info.height = info.height, info.width
	}
	if info.pages <= 0 {
		return pdfInfo{}, fmt.Errorf("%w: pdfinfo found no pages", ErrCorrupt)
	}
	return info, nil
}

// pdfError maps a poppler tool's failure to the document's typed error.
func pdfError(err error) error {
	var te *toolError
	if !errors.As(err, &te) {
		return err
	}
	switch {
	case strings.Contains(te.stderr, "Incorrect password"):
		return fmt.Errorf("%w: %s", ErrEncrypted, te.stderr)
	case strings.Contains(te.stderr, "Wrong page range"):
		return fmt.Errorf("%w: %s", ErrNoSuchPage, te.stderr)
	case te.code == 3:
		// Poppler's status 3: the document's permissions forbid the action.
		return fmt.Errorf("%w: %s", ErrEncrypted, te.stderr)
	default:
		return fmt.Errorf("%w: %s", ErrCorrupt, te.Error())
	}
}

// checkPDFEnd refuses a PDF without "%%EOF" in its last KiB: a truncated
// upload. Poppler would quietly rebuild what it can of a truncated file and
// lose the rest, so the document would look fine but miss pages.
func checkPDFEnd(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	const tail = 1024
	off := max(st.Size()-tail, 0)
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
		return err
	}
	if !bytes.Contains(buf, []byte("%%EOF")) {
		return fmt.Errorf("%w: no %%%%EOF marker at the end (truncated?)", ErrCorrupt)
	}
	return nil
}

// pageScale is pixels per point at dpi.
func pageScale(dpi int) float64 { return float64(dpi) / 72 }

// textLayer reads page n's words from the PDF's text layer with
// `pdftotext -tsv`; the boxes are scaled from points to pixels at dpi. It
// also returns the page's size in points, from the TSV's page row.
func (e *Engine) textLayer(ctx context.Context, path string, n, dpi int) (words []Word, wPt, hPt float64, err error) {
	p := strconv.Itoa(n)
	out, err := e.tools.run(ctx, path, 64<<20, "pdftotext", "-tsv", "-f", p, "-l", p, "-", "-")
	if err != nil {
		return nil, 0, 0, pdfError(err)
	}
	s := pageScale(dpi)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		// level page par block line word left top width height conf text
		f := strings.SplitN(sc.Text(), "\t", 12)
		if len(f) != 12 {
			continue
		}
		var box [4]float64
		for i := range box {
			if box[i], err = strconv.ParseFloat(f[6+i], 64); err != nil {
				break
			}
		}
		if err != nil {
			err = nil
			continue // the header row
		}
		switch f[0] {
		case "1":
			wPt, hPt = box[2], box[3]
		case "5":
			text := strings.TrimSpace(f[11])
			if text == "" {
				continue
			}
			words = append(words, Word{
				Text:       text,
				Confidence: 1,
				Box: [4]int{
					int(math.Round(box[0] * s)), int(math.Round(box[1] * s)),
					int(math.Round((box[0] + box[2]) * s)), int(math.Round((box[1] + box[3]) * s)),
				},
			})
		}
	}
	return words, wPt, hPt, nil
}

// renderDPI is the resolution to render a page of wPt × hPt points at: the
// configured DPI, lowered so the image stays within MaxPixels, never below
// MinDPI (then ErrTooLarge).
func renderDPI(wPt, hPt float64, lim Limits) (int, error) {
	if wPt <= 0 || hPt <= 0 || math.IsInf(wPt*hPt, 0) || math.IsNaN(wPt*hPt) {
		return 0, fmt.Errorf("%w: page size %gx%g pt", ErrCorrupt, wPt, hPt)
	}
	px := func(dpi int) float64 { return math.Ceil(wPt*pageScale(dpi)) * math.Ceil(hPt*pageScale(dpi)) }
	dpi := lim.DPI
	if px(dpi) > float64(lim.MaxPixels) {
		dpi = int(float64(dpi) * math.Sqrt(float64(lim.MaxPixels)/px(dpi)))
		for dpi > 0 && px(dpi) > float64(lim.MaxPixels) {
			dpi--
		}
	}
	if dpi < lim.MinDPI {
		return 0, fmt.Errorf("%w: page of %.0fx%.0f pt exceeds %d pixels even at %d DPI", ErrTooLarge, wPt, hPt, lim.MaxPixels, lim.MinDPI)
	}
	return dpi, nil
}

// rasterise renders page n with `pdftoppm -gray -png` at dpi and returns the
// PNG. pdftoppm exits 0 even when it could not allocate the page, so the
// caller checks the image's size against what it asked for.
func (e *Engine) rasterise(ctx context.Context, path string, n, dpi int) ([]byte, error) {
	p := strconv.Itoa(n)
	// A PNG of the page is at most its raw pixels plus headers.
	maxOut := 4*e.lim.MaxPixels + 1<<20
	out, err := e.tools.run(ctx, path, maxOut, "pdftoppm", "-gray", "-png", "-r", strconv.Itoa(dpi), "-f", p, "-l", p, "-")
	if err != nil {
		return nil, pdfError(err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: pdftoppm rendered nothing for page %d (out of memory?)", ErrTooLarge, n)
	}
	return out, nil
}
