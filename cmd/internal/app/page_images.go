package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/ocr"
	"github.com/astralisops/astralis/internal/problem"
)

// pageRenderer draws pages for the console's viewer, a few at a time: each
// render is a download, a poppler process and up to MaxPixels of image.
type pageRenderer struct {
	r     *ocr.Renderer
	slots chan struct{}
	wait  time.Duration // how long a request waits for its turn before a 503 with Retry-After

	mu      sync.Mutex
	busy    map[uuid.UUID]bool // organisations with a render under way
	orgBusy chan struct{}      // closed and replaced whenever an organisation's render ends
}

const (
	// concurrentRenders bounds the API's renders, whoever asks; each
	// organisation has one at a time, so one cannot hold them all.
	concurrentRenders = 2
	renderWait        = 10 * time.Second
)

func (s *Services) pageRenderer() (*pageRenderer, error) {
	s.rendererOnce.Do(func() {
		r, err := ocr.NewRenderer(ocrLimits(s.documents().Limits(), s.Config.Documents.DPI))
		if err != nil {
			s.rendererErr = err
			return
		}
		s.renderer = &pageRenderer{r: r, slots: make(chan struct{}, concurrentRenders), wait: renderWait, busy: map[uuid.UUID]bool{}, orgBusy: make(chan struct{})}
	})
	return s.renderer, s.rendererErr
}

// errRenderBusy is the answer when no turn came in time.
var errRenderBusy = &problem.Error{Kind: problem.ErrUnavailable, Detail: "pages are being drawn for others: try again shortly", RetryAfter: 5 * time.Second}

// turn waits for the organisation's turn and a free slot; release ends both.
func (pr *pageRenderer) turn(ctx context.Context, org uuid.UUID) (release func(), err error) {
	ctx, cancel := context.WithTimeout(ctx, pr.wait)
	defer cancel()
	for {
		pr.mu.Lock()
		if !pr.busy[org] {
			pr.busy[org] = true
			pr.mu.Unlock()
			break
		}
		ended := pr.orgBusy
		pr.mu.Unlock()
		select {
		case <-ended:
		case <-ctx.Done():
			return nil, errRenderBusy
		}
	}
	endOrg := func() {
		pr.mu.Lock()
		delete(pr.busy, org)
		close(pr.orgBusy)
		pr.orgBusy = make(chan struct{})
		pr.mu.Unlock()
	}
	select {
	case pr.slots <- struct{}{}:
		return func() { <-pr.slots; endOrg() }, nil
	case <-ctx.Done():
		endOrg()
		return nil, errRenderBusy
	}
}

// PageImage fetches the original into the spool directory and renders its page n as a PNG.
func (o originals) PageImage(ctx context.Context, org uuid.UUID, sha256Hex, contentType string, n int) ([]byte, error) {
	pr, err := o.s.pageRenderer()
	if err != nil {
		return nil, err
	}
	release, err := pr.turn(ctx, org)
	if err != nil {
		return nil, err
	}
	defer release()
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
	// Fixed words for the person; poppler's own output stays out of the answer.
	switch {
	case errors.Is(err, ocr.ErrNoSuchPage):
		return nil, problem.New(problem.ErrNotFound, fmt.Sprintf("the document has no page %d", n))
	case errors.Is(err, ocr.ErrTooLarge):
		return nil, problem.Invalid("the page cannot be drawn: it is too large")
	case errors.Is(err, ocr.ErrCorrupt), errors.Is(err, ocr.ErrEncrypted), errors.Is(err, ocr.ErrUnsupportedType):
		return nil, problem.Invalid("the page cannot be drawn: the file is damaged, encrypted or of a type that cannot be drawn")
	case errors.Is(err, ocr.ErrToolTimeout):
		return nil, &problem.Error{Kind: problem.ErrUnavailable, Detail: "drawing the page took too long", RetryAfter: 30 * time.Second}
	}
	return img, err
}
