package ocr

import (
	"image"
	"image/draw"
	"math"
	"slices"
	"strconv"
)

// Normalisation: what is done to an image before Tesseract sees it. Each
// step was kept because it measurably helped on scanned receipts (see the
// SROIE benchmark in engine_bench_test.go and the figures in the package
// README section of the lead's notes).
//
//   - Gray: Tesseract thresholds a gray image itself; a JPEG's luma plane is
//     taken as is, without a colour conversion.
//   - Text size: a 150 DPI receipt has capital letters about 15 pixels
//     tall, too small for Tesseract's layout analysis. The text-line height
//     is estimated from the rows' ink profile and the image scaled
//     (bilinear) so lines come out near targetLineHeight, within [minScale,
//     maxScale] and at most maxPixels in all. Enlarging to 28–32 px lines
//     reads as well as to 40 px (SROIE 000–059, word F1 0.717 at 28, 0.710
//     at 40) with half the pixels; 32 is kept because a blocky bitmap font
//     at 27 px misreads (the scanned-PDF test). Lines above 40 px are
//     shrunk to 40, as before: SROIE, at 150 DPI, says nothing about
//     shrinking a 300 DPI scan. The pixel cap stops a small receipt scanned
//     on a whole A4 sheet being blown up to 3000×4000 (F1 0.721 with a 4 MP
//     cap, 0.706 with 2.5 MP).
//   - Contrast: the paper is stretched to white and gray ink pushed towards
//     black (gamma 2.5): thermal receipts print faint, broken strokes.
//
// Tried and dropped because they did not help on SROIE (first 20 receipts,
// word F1): Otsu binarisation in Go (-0.05), Tesseract's Sauvola or tiled
// Otsu thresholding (-0.03 to -0.12), flattening the background with a max
// filter (±0), thickening strokes with a min filter (±0), PSM 4/6/11 (PSM 4
// +0.007 without the contrast step, less with it). Later, on 000–019 at
// 28 px lines: tessedit_do_invert=0 (same F1, no measurable speed-up),
// no dictionaries (load_*_dawg F: identical output), PSM 4 (-0.007),
// Catmull-Rom instead of bilinear (-0.012 at 28 px, -0.014 at 40 px),
// gamma 1.8 or 3.5 (-0.010, -0.017), no contrast step (-0.037); and, on
// 000–059, cropping to the inked cells before scaling (-0.022: it moved the
// line-height estimate and cut one receipt's text).
type normaliser struct {
	// Lines shorter than targetLineHeight are enlarged to it, lines taller
	// than maxLineHeight shrunk to it; in between the image is left alone.
	targetLineHeight float64
	maxLineHeight    float64
	minScale         float64
	maxScale         float64
	// gamma darkens faint ink (see darken); 0 leaves contrast alone.
	gamma float64
	// maxPixels caps the scaled image's size (0: no cap); an image already
	// larger is not shrunk below scale 1 for it.
	maxPixels float64
}

var defaultNormaliser = normaliser{targetLineHeight: 32, maxLineHeight: 40, minScale: 0.5, maxScale: 3, maxPixels: 4_000_000, gamma: 2.5}

// normalised is a gray image ready for Tesseract and how it relates to the original.
type normalised struct {
	img *image.Gray
	// scale maps normalised pixels back to the original's: original = normalised / scale.
	scale float64
}

func (n normaliser) apply(src image.Image) normalised {
	g := toGray(src)
	scale := 1.0
	if h := estimateLineHeight(g); h > 0 {
		switch {
		case h < n.targetLineHeight:
			scale = n.targetLineHeight / h
		case h > max(n.maxLineHeight, n.targetLineHeight):
			scale = max(n.maxLineHeight, n.targetLineHeight) / h
		}
		scale = min(max(scale, n.minScale), n.maxScale)
	}
	if px := float64(g.Rect.Dx()) * float64(g.Rect.Dy()); n.maxPixels > 0 && px*scale*scale > n.maxPixels {
		// Enlarge less, but do not shrink for the cap alone.
		scale = max(math.Sqrt(n.maxPixels/px), min(scale, 1))
	}
	if math.Abs(scale-1) > 0.1 {
		g = resizeGray(g, int(math.Round(float64(g.Rect.Dx())*scale)), int(math.Round(float64(g.Rect.Dy())*scale)))
	} else {
		scale = 1
	}
	if n.gamma > 0 {
		darken(g, n.gamma)
	}
	return normalised{img: g, scale: scale}
}

// toGray returns the image's luminance with its origin at 0,0.
func toGray(src image.Image) *image.Gray {
	b := src.Bounds()
	dst := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch s := src.(type) {
	case *image.YCbCr:
		for y := 0; y < b.Dy(); y++ {
			copy(dst.Pix[y*dst.Stride:y*dst.Stride+b.Dx()], s.Y[(y+b.Min.Y-s.Rect.Min.Y)*s.YStride+(b.Min.X-s.Rect.Min.X):])
		}
	case *image.Gray:
		for y := 0; y < b.Dy(); y++ {
			copy(dst.Pix[y*dst.Stride:y*dst.Stride+b.Dx()], s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):])
		}
	default:
		draw.Draw(dst, dst.Rect, src, b.Min, draw.Src)
	}
	return dst
}

// estimateLineHeight returns the median height, in pixels, of the runs of
// rows that hold ink (dark pixels under the Otsu threshold), or 0 when the
// page has no such runs. Runs of one or two rows (rules, noise) are ignored.
func estimateLineHeight(g *image.Gray) float64 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w == 0 || h == 0 {
		return 0
	}
	t := otsuThreshold(g)
	// A row holds ink when at least 0.5% of its pixels (and 2) are dark.
	minInk := max(2, w/200)
	var runs []int
	run := 0
	for y := 0; y < h; y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		ink := 0
		for _, p := range row {
			if p < t {
				ink++
			}
		}
		if ink >= minInk {
			run++
			continue
		}
		if run > 2 {
			runs = append(runs, run)
		}
		run = 0
	}
	if run > 2 {
		runs = append(runs, run)
	}
	if len(runs) == 0 {
		return 0
	}
	slices.Sort(runs)
	return float64(runs[len(runs)/2])
}

// otsuThreshold returns the gray level that best splits the histogram in two.
func otsuThreshold(g *image.Gray) uint8 {
	var hist [256]int
	w, h := g.Rect.Dx(), g.Rect.Dy()
	for y := 0; y < h; y++ {
		for _, p := range g.Pix[y*g.Stride : y*g.Stride+w] {
			hist[p]++
		}
	}
	total := float64(w * h)
	var sum float64
	for i, c := range hist {
		sum += float64(i * c)
	}
	var sumB, wB, best float64
	var threshold uint8
	for i, c := range hist {
		wB += float64(c)
		if wB == 0 {
			continue
		}
		wF := total - wB
		if wF == 0 {
			break
		}
		sumB += float64(i * c)
		mB, mF := sumB/wB, (sum-sumB)/wF
		if between := wB * wF * (mB - mF) * (mB - mF); between > best {
			best, threshold = between, uint8(i)
		}
	}
	return threshold + 1
}

// resizeGray scales bilinearly to w×h (both at least 1).
func resizeGray(src *image.Gray, w, h int) *image.Gray {
	w, h = max(w, 1), max(h, 1)
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewGray(image.Rect(0, 0, w, h))
	if w < sw/2 || h < sh/2 {
		// Bilinear skips pixels when shrinking a lot; average boxes instead.
		return boxShrink(src, w, h)
	}
	fx, fy := float64(sw)/float64(w), float64(sh)/float64(h)
	x0s, wxs := make([]int, w), make([]float64, w)
	for x := range w {
		sx := (float64(x)+0.5)*fx - 0.5
		x0 := int(math.Floor(sx))
		wxs[x] = sx - float64(x0)
		x0s[x] = x0
	}
	clamp := func(v, hi int) int { return min(max(v, 0), hi-1) }
	for y := range h {
		sy := (float64(y)+0.5)*fy - 0.5
		y0 := int(math.Floor(sy))
		wy := sy - float64(y0)
		r0 := src.Pix[clamp(y0, sh)*src.Stride:]
		r1 := src.Pix[clamp(y0+1, sh)*src.Stride:]
		out := dst.Pix[y*dst.Stride:]
		for x := range w {
			a, b := clamp(x0s[x], sw), clamp(x0s[x]+1, sw)
			wx := wxs[x]
			top := float64(r0[a])*(1-wx) + float64(r0[b])*wx
			bot := float64(r1[a])*(1-wx) + float64(r1[b])*wx
			out[x] = uint8(top*(1-wy) + bot*wy + 0.5)
		}
	}
	return dst
}

// boxShrink scales down by averaging the source pixels under each target pixel.
func boxShrink(src *image.Gray, w, h int) *image.Gray {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		y0, y1 := y*sh/h, max((y+1)*sh/h, y*sh/h+1)
		for x := range w {
			x0, x1 := x*sw/w, max((x+1)*sw/w, x*sw/w+1)
			var sum, n int
			for yy := y0; yy < y1; yy++ {
				for _, p := range src.Pix[yy*src.Stride+x0 : yy*src.Stride+x1] {
					sum += int(p)
				}
				n += x1 - x0
			}
			dst.Pix[y*dst.Stride+x] = uint8(sum / n)
		}
	}
	return dst
}

// encodePGM writes a binary PGM, which Leptonica reads from memory with no
// decompression: cheaper than PNG both ways.
func encodePGM(g *image.Gray) []byte {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	header := "P5\n" + strconv.Itoa(w) + " " + strconv.Itoa(h) + "\n255\n"
	out := make([]byte, 0, len(header)+w*h)
	out = append(out, header...)
	for y := 0; y < h; y++ {
		out = append(out, g.Pix[y*g.Stride:y*g.Stride+w]...)
	}
	return out
}
