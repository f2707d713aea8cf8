package ocr

import (
	"image"
	"math"
)

// darken stretches contrast so the paper is white and mid-grays (faint ink)
// move towards black: p' = 255·(p/paper)^gamma, paper = the mean of the
// pixels above the Otsu threshold.
func darken(g *image.Gray, gamma float64) {
	t := otsuThreshold(g)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	var sum, n int
	for y := range h {
		for _, p := range g.Pix[y*g.Stride : y*g.Stride+w] {
			if p >= t {
				sum += int(p)
				n++
			}
		}
	}
	if n == 0 {
		return
	}
	paper := float64(sum) / float64(n)
	var lut [256]uint8
	for i := range lut {
		v := float64(i) / paper
		if v >= 1 {
			lut[i] = 255
			continue
		}
		lut[i] = uint8(255 * math.Pow(v, gamma))
	}
	for y := range h {
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		for x, p := range row {
			row[x] = lut[p]
		}
	}
}
