// Package ocrtest makes document fixtures by hand (PDFs with and without a
// text layer, an encrypted PDF, text rendered as a scan), so tests of the OCR
// engine and of the documents flow need no files beside the code.
package ocrtest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// BuildPDF writes a PDF of the given objects (1-based; object 1 must be the
// catalog) with a correct cross-reference table; trailerExtra goes into the trailer.
func BuildPDF(objects []string, trailerExtra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, trailerExtra, xref)
	return b.Bytes()
}

func stream(dict string, data []byte) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// TextPDF has one page per entry of lines, each with the lines in Helvetica
// 24 pt, in a text layer (no image).
func TextPDF(pages ...[]string) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
	var kids []string
	for _, lines := range pages {
		var content strings.Builder
		content.WriteString("BT /F1 24 Tf 72 720 Td 30 TL\n")
		for _, l := range lines {
			fmt.Fprintf(&content, "(%s) Tj T*\n", l)
		}
		content.WriteString("ET")
		objs = append(objs, stream("", []byte(content.String())))
		contentRef := len(objs)
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", contentRef))
		kids = append(kids, fmt.Sprintf("%d 0 R", len(objs)))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	return BuildPDF(objs, "")
}

// ScannedPDF has one page of wPt×hPt points showing img, with no text layer.
func ScannedPDF(img *image.Gray, wPt, hPt int) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(img.Pix)
	zw.Close()
	b := img.Bounds()
	content := fmt.Sprintf("q %d 0 0 %d 0 0 cm /Im1 Do Q", wPt, hPt)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>", wPt, hPt),
		stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", b.Dx(), b.Dy()), z.Bytes()),
		stream("", []byte(content)),
	}
	return BuildPDF(objs, "")
}

// ScannedPDFPages has one page per image, each sized so that rendering at
// dpi gives back the image's own pixels, with no text layer: a scanned
// multi-page document.
func ScannedPDFPages(dpi int, imgs ...*image.Gray) []byte {
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", ""}
	var kids []string
	for _, img := range imgs {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(img.Pix)
		zw.Close()
		b := img.Bounds()
		wPt, hPt := b.Dx()*72/dpi, b.Dy()*72/dpi
		objs = append(objs, stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode", b.Dx(), b.Dy()), z.Bytes()))
		imageRef := len(objs)
		objs = append(objs, stream("", []byte(fmt.Sprintf("q %d 0 0 %d 0 0 cm /Im1 Do Q", wPt, hPt))))
		content := len(objs)
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>", wPt, hPt, imageRef, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", len(objs)))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	return BuildPDF(objs, "")
}

// EncryptedPDF is TextPDF with a standard security handler whose user
// password is not empty: nothing can open it without the password.
func EncryptedPDF() []byte {
	// The /U entry does not match the empty password, so poppler asks for one.
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
		"<< /Filter /Standard /V 1 /R 2 /O <" + strings.Repeat("5a", 32) + "> /U <" + strings.Repeat("c3", 32) + "> /P -44 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
	}
	return BuildPDF(objs, "/Encrypt 3 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] ")
}

// RenderText draws lines in basicfont's 7×13 face, magnified by scale, black
// on white, as a scan of a printed page would look.
func RenderText(lines []string, scale int) *image.Gray {
	face := basicfont.Face7x13
	width := 0
	for _, l := range lines {
		width = max(width, font.MeasureString(face, l).Ceil())
	}
	small := image.NewGray(image.Rect(0, 0, width+20, 20*len(lines)+20))
	draw.Draw(small, small.Bounds(), image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: small, Src: image.NewUniform(color.Black), Face: face}
	for i, l := range lines {
		d.Dot = fixed.P(10, 25+20*i)
		d.DrawString(l)
	}
	big := image.NewGray(image.Rect(0, 0, small.Bounds().Dx()*scale, small.Bounds().Dy()*scale))
	for y := range big.Rect.Dy() {
		for x := range big.Rect.Dx() {
			big.Pix[y*big.Stride+x] = small.Pix[(y/scale)*small.Stride+x/scale]
		}
	}
	return big
}

// PNGHeader is a PNG signature and IHDR declaring w×h RGBA of depth bits per
// channel (8 or 16), then IEND: what a decompression bomb looks like to DecodeConfig.
func PNGHeader(w, h uint32, depth byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = depth, 6
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return b.Bytes()
}
