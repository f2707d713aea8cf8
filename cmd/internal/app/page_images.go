package app

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/ocr"
	"github.com/astralisops/astralis/internal/problem"
)

// pageRenderer draws pages for the console's viewer, a few at a time: each
// render is a poppler process and up to MaxPixels of image.
type pageRenderer struct {
	r     *ocr.Renderer
	slots chan struct{}
}

// concurrentRenders bounds the API's renders, whoever asks.
const concurrentRenders = 2

func (s *Services) pageRenderer() (*pageRenderer, error) {
	s.rendererOnce.Do(func() {
		r, err := ocr.NewRenderer(ocrLimits(s.documents().Limits(), s.Config.Documents.DPI))
		if err != nil {
			s.rendererErr = err
			return
		}
		s.renderer = &pageRenderer{r: r, slots: make(chan struct{}, concurrentRenders)}
	})
	return s.renderer, s.rendererErr
}

// PageImage fetches the original into the spool directory and renders its page n as a PNG.
func (o originals) PageImage(ctx context.Context, org uuid.UUID, sha256Hex, contentType string, n int) ([]byte, error) {
	pr, err := o.s.pageRenderer()
	if err != nil {
		return nil, err
	}
	select {
	case pr.slots <- struct{}{}:
		defer func() { <-pr.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	f, err := os.CreateTemp(o.s.Config.Documents.SpoolDir, "astralis-page-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	err = o.GetOriginal(ctx, org, sha256Hex, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("documents: fetch the original %s: %w", sha256Hex, err)
	}
	img, err := pr.r.PagePNG(ctx, f.Name(), contentType, n)
	switch {
	case errors.Is(err, ocr.ErrNoSuchPage):
		return nil, problem.New(problem.ErrNotFound, fmt.Sprintf("the document has no page %d", n))
	case errors.Is(err, ocr.ErrTooLarge), errors.Is(err, ocr.ErrCorrupt), errors.Is(err, ocr.ErrEncrypted), errors.Is(err, ocr.ErrUnsupportedType):
		return nil, problem.Invalid("the page cannot be drawn: " + err.Error())
	}
	return img, err
}
