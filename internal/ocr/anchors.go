package ocr

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/otiai10/gosseract/v2"
)

// The anchors: other ways of reading the same image that the engine is
// measured against (`astralis bench-documents` and the SROIE benchmarks).
// They read trusted benchmark images only; uploads go through an Engine.

// BareGosseract reads images with one gosseract client and nothing else: no
// decoding or normalising in Go, no pool, no confidence floor. It is not
// safe for concurrent use; Close it.
type BareGosseract struct {
	client *gosseract.Client
}

// NewBareGosseract starts a client. Call EnsureOpenMPThreadLimit first, as
// for an Engine, so both read with one thread.
func NewBareGosseract() *BareGosseract {
	return &BareGosseract{client: gosseract.NewClient()}
}

// Close frees the client's Tesseract instance.
func (b *BareGosseract) Close() { b.client.Close() }

// Read reads the image file at path as Tesseract would on its own.
func (b *BareGosseract) Read(path string) (Page, error) {
	if err := b.client.SetImage(path); err != nil {
		return Page{}, err
	}
	boxes, err := b.client.GetBoundingBoxes(gosseract.RIL_WORD)
	if err != nil {
		return Page{}, err
	}
	return Page{Number: 1, Source: SourceOCR, Words: wordsFromBoxes(boxes, 1, 1<<30, 1<<30)}, nil
}

// ReadWithTesseractCLI runs `tesseract IMG - tsv`, a process per page, and
// returns its words.
func ReadWithTesseractCLI(ctx context.Context, path string) (Page, error) {
	cmd := exec.CommandContext(ctx, "tesseract", path, "-", "tsv")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Page{}, ErrToolTimeout
		}
		return Page{}, &toolError{tool: "tesseract", stderr: stderr.String()}
	}
	return Page{Number: 1, Source: SourceOCR, Words: parseTesseractTSV(out)}, nil
}

// ReadWithOcrmypdf runs ocrmypdf on the image (it wraps it in a PDF and adds
// a text layer) in workDir, then reads that text layer with e.
func ReadWithOcrmypdf(ctx context.Context, e *Engine, path, workDir string) (Page, error) {
	out := filepath.Join(workDir, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))+".pdf")
	cmd := exec.CommandContext(ctx, "ocrmypdf", "--image-dpi", "150", "--output-type", "pdf", "--optimize", "0", "-q", path, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Page{}, ErrToolTimeout
		}
		return Page{}, &toolError{tool: "ocrmypdf", stderr: string(msg)}
	}
	defer os.Remove(out)
	return e.Page(ctx, out, MIMEPDF, 1)
}

// parseTesseractTSV reads the words (level 5) of tesseract's TSV output.
func parseTesseractTSV(out []byte) []Word {
	var words []Word
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 12 || f[0] != "5" || strings.TrimSpace(f[11]) == "" {
			continue
		}
		var v [5]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(f[6+i], 64)
		}
		words = append(words, Word{Text: f[11], Confidence: v[4] / 100,
			Box: [4]int{int(v[0]), int(v[1]), int(v[0] + v[2]), int(v[1] + v[3])}})
	}
	return words
}
