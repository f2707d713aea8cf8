package ocr

import (
	"context"
	"fmt"
	"image"
	"math"
	"runtime"
	"strconv"
	"sync"

	"github.com/otiai10/gosseract/v2"
)

// tesseractPool runs Tesseract on a fixed number of goroutines, each with its
// own gosseract client: a client is not safe for concurrent use and holds C
// memory that only Close frees, so clients are never shared and every one is
// closed when the pool stops.
type tesseractPool struct {
	jobs chan tesseractJob
	wg   sync.WaitGroup
}

// tesseractVariables are set on every client.
var tesseractVariables = map[string]string{}

type tesseractJob struct {
	pgm    []byte
	dpi    int
	result chan<- tesseractResult // buffered: the worker never blocks on a caller that gave up
}

type tesseractResult struct {
	boxes []gosseract.BoundingBox
	err   error
}

// startTesseractPool starts workers clients and waits until each has loaded
// its model, so a missing language file fails here and not on a page.
func startTesseractPool(workers int, psm gosseract.PageSegMode) (*tesseractPool, error) {
	p := &tesseractPool{jobs: make(chan tesseractJob)}
	ready := make(chan error, workers)
	for range workers {
		p.wg.Add(1)
		go p.work(ready, psm)
	}
	var firstErr error
	for range workers {
		if err := <-ready; err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil {
		p.stop()
		return nil, firstErr
	}
	return p, nil
}

func (p *tesseractPool) work(ready chan<- error, psm gosseract.PageSegMode) {
	defer p.wg.Done()
	// Tesseract keeps per-thread state (OpenMP, locale); keep each client on one thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	client := gosseract.NewClient()
	defer client.Close()
	// SetPageSegMode before the client's lazy Init is lost; a variable is applied after it.
	if err := client.SetVariable("tessedit_pageseg_mode", strconv.Itoa(int(psm))); err != nil {
		ready <- err
		return
	}
	for k, v := range tesseractVariables {
		if err := client.SetVariable(gosseract.SettableVariable(k), v); err != nil {
			ready <- err
			return
		}
	}
	ready <- warmUp(client)
	for job := range p.jobs {
		job.result <- recognise(client, job.pgm, job.dpi)
	}
}

// warmUp loads the model by reading a small blank image.
func warmUp(client *gosseract.Client) error {
	blank := image.NewGray(image.Rect(0, 0, 16, 16))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	if r := recognise(client, encodePGM(blank), 300); r.err != nil {
		return fmt.Errorf("ocr: starting Tesseract (is tesseract-ocr-eng installed?): %w", r.err)
	}
	return nil
}

func recognise(client *gosseract.Client, pgm []byte, dpi int) tesseractResult {
	// The PGM carries no resolution; tell Tesseract what the normalised text size corresponds to.
	if err := client.SetVariable("user_defined_dpi", strconv.Itoa(dpi)); err != nil {
		return tesseractResult{err: err}
	}
	if err := client.SetImageFromBytes(pgm); err != nil {
		return tesseractResult{err: err}
	}
	boxes, err := client.GetBoundingBoxes(gosseract.RIL_WORD)
	return tesseractResult{boxes: boxes, err: err}
}

// recognise runs one image through a free client. Tesseract cannot be
// interrupted, so a cancelled caller returns at once and the worker finishes
// the image (bounded by MaxPixels) before taking the next.
func (p *tesseractPool) recognise(ctx context.Context, pgm []byte, dpi int) ([]gosseract.BoundingBox, error) {
	result := make(chan tesseractResult, 1)
	select {
	case p.jobs <- tesseractJob{pgm: pgm, dpi: dpi, result: result}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case r := <-result:
		return r.boxes, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *tesseractPool) stop() {
	close(p.jobs)
	p.wg.Wait()
}

// wordsFromBoxes turns Tesseract's words into Words in the original image's
// pixels (the normalised image was scaled by scale).
func wordsFromBoxes(boxes []gosseract.BoundingBox, scale float64, w, h int) []Word {
	words := make([]Word, 0, len(boxes))
	back := func(v, hi int) int { return min(max(int(math.Round(float64(v)/scale)), 0), hi) }
	for _, b := range boxes {
		if b.Word == "" {
			continue
		}
		words = append(words, Word{
			Text:       b.Word,
			Confidence: min(max(b.Confidence/100, 0), 1),
			Box:        [4]int{back(b.Box.Min.X, w), back(b.Box.Min.Y, h), back(b.Box.Max.X, w), back(b.Box.Max.Y, h)},
		})
	}
	return words
}
