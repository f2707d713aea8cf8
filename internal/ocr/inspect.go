package ocr

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"

	"golang.org/x/image/tiff"
)

// Info is what Inspect learns about a document before any page is read.
type Info struct {
	Pages int
	// Width and Height are an image's size in pixels; 0 for a PDF.
	Width, Height int
}

// Inspect checks a document against the limits without decoding it: an
// image's header (DecodeConfig) for its pixel count, a PDF's pdfinfo for its
// page count and encryption. An image is one page; of a multi-page TIFF only
// the first frame is read (Go's TIFF decoder reads the first IFD only).
// mime is what Sniff returned.
func Inspect(ctx context.Context, path, mime string, lim Limits) (Info, error) {
	lim = lim.withDefaults()
	switch mime {
	case MIMEJPEG, MIMEPNG, MIMETIFF:
		f, err := os.Open(path)
		if err != nil {
			return Info{}, err
		}
		defer f.Close()
		cfg, err := imageConfig(f, mime, lim)
		if err != nil {
			return Info{}, err
		}
		return Info{Pages: 1, Width: cfg.Width, Height: cfg.Height}, nil
	case MIMEPDF:
		tools, err := newToolRunner(lim)
		if err != nil {
			return Info{}, err
		}
		return inspectPDF(ctx, &Engine{lim: lim, tools: tools}, path)
	default:
		return Info{}, &UnsupportedTypeError{Detected: mime}
	}
}

func inspectPDF(ctx context.Context, e *Engine, path string) (Info, error) {
	if err := checkPDFEnd(path); err != nil {
		return Info{}, err
	}
	info, err := e.pdfinfo(ctx, path, 0)
	if err != nil {
		return Info{}, err
	}
	if info.pages > e.lim.MaxPages {
		return Info{}, fmt.Errorf("%w: %d pages, at most %d", ErrTooManyPages, info.pages, e.lim.MaxPages)
	}
	return Info{Pages: info.pages}, nil
}

// imageConfig reads an image's header and refuses it when it declares more
// than MaxPixels, before anything the size of the image is allocated.
func imageConfig(r io.Reader, mime string, lim Limits) (image.Config, error) {
	var cfg image.Config
	var err error
	switch mime {
	case MIMEJPEG:
		cfg, err = jpeg.DecodeConfig(r)
	case MIMEPNG:
		cfg, err = png.DecodeConfig(r)
	case MIMETIFF:
		cfg, err = tiff.DecodeConfig(r)
	default:
		return cfg, &UnsupportedTypeError{Detected: mime}
	}
	if err != nil {
		return cfg, fmt.Errorf("%w: %s header: %v", ErrCorrupt, mime, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return cfg, fmt.Errorf("%w: %s declares %dx%d pixels", ErrCorrupt, mime, cfg.Width, cfg.Height)
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if pixels > lim.MaxPixels {
		return cfg, fmt.Errorf("%w: %dx%d pixels, at most %d", ErrTooLarge, cfg.Width, cfg.Height, lim.MaxPixels)
	}
	// Decoding takes the pixels times their depth: MaxPixels is what an 8-bit
	// colour image (4 bytes a pixel) may have, and a 16-bit one half that.
	if bytes := pixels * bytesPerPixel(cfg.ColorModel); bytes > 4*lim.MaxPixels {
		return cfg, fmt.Errorf("%w: %dx%d pixels of %d bytes each, at most %d bytes decoded", ErrTooLarge, cfg.Width, cfg.Height, bytes/pixels, 4*lim.MaxPixels)
	}
	return cfg, nil
}

// bytesPerPixel is what Go's decoders allocate per pixel for a colour model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	default:
		if _, paletted := m.(color.Palette); paletted {
			return 1
		}
		return 4 // RGBA, NRGBA, CMYK, YCbCr (3 planes with subsampling: at most 3)
	}
}

// decodeImage decodes an image after imageConfig has bounded its size.
func decodeImage(path, mime string, lim Limits) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := imageConfig(f, mime, lim); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var img image.Image
	switch mime {
	case MIMEJPEG:
		img, err = jpeg.Decode(f)
	case MIMEPNG:
		img, err = png.Decode(f)
	case MIMETIFF:
		img, err = tiff.Decode(f)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, mime, err)
	}
	return img, nil
}
