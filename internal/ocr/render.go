package ocr

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
)

// Renderer draws documents' pages as PNGs for people to look at, with the
// same tools and bounds as reading them, but without Tesseract.
type Renderer struct{ e *Engine }

// NewRenderer checks that poppler's tools are installed.
func NewRenderer(lim Limits) (*Renderer, error) {
	lim = lim.withDefaults()
	tools, err := newToolRunner(lim)
	if err != nil {
		return nil, err
	}
	return &Renderer{e: &Engine{lim: lim, tools: tools}}, nil
}

// PagePNG renders page n (from 1) of the document at path, of type mime, as
// a PNG in the pixels its words' boxes are measured in: an image as it is, a
// PDF page at Limits.DPI lowered to stay within MaxPixels. A scanned page is
// read at that same DPI; a text-layer page's words are measured at DPI even
// past MaxPixels, so such a page comes smaller, in the same proportions.
func (r *Renderer) PagePNG(ctx context.Context, path, mime string, n int) ([]byte, error) {
	if n < 1 {
		return nil, fmt.Errorf("%w: page %d", ErrNoSuchPage, n)
	}
	switch mime {
	case MIMEJPEG, MIMEPNG, MIMETIFF:
		if n != 1 {
			return nil, fmt.Errorf("%w: page %d of an image", ErrNoSuchPage, n)
		}
		img, err := decodeImage(path, mime, r.e.lim)
		if err != nil {
			return nil, err
		}
		// Speed over size: the PNG is drawn on request for a person waiting.
		var out bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, img); err != nil {
			return nil, err
		}
		return out.Bytes(), nil
	case MIMEPDF:
		return r.pdfPage(ctx, path, n)
	default:
		return nil, &UnsupportedTypeError{Detected: mime}
	}
}

func (r *Renderer) pdfPage(ctx context.Context, path string, n int) ([]byte, error) {
	if err := checkPDFEnd(path); err != nil {
		return nil, err
	}
	info, err := r.e.pdfinfo(ctx, path, n)
	if err != nil {
		return nil, err
	}
	if n > info.pages {
		return nil, fmt.Errorf("%w: page %d of %d", ErrNoSuchPage, n, info.pages)
	}
	dpi, err := renderDPI(info.width, info.height, r.e.lim)
	if err != nil {
		return nil, err
	}
	data, err := r.e.rasterise(ctx, path, n, dpi)
	if err != nil {
		return nil, err
	}
	// pdftoppm exits 0 when it cannot allocate the page: check what it gave.
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: pdftoppm output for page %d: %v", ErrTooLarge, n, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > r.e.lim.MaxPixels {
		return nil, fmt.Errorf("%w: page %d rendered at %dx%d", ErrTooLarge, n, cfg.Width, cfg.Height)
	}
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("%w: pdftoppm output for page %d: %v", ErrTooLarge, n, err)
	}
	return data, nil
}
