package ocr

import "github.com/gabriel-vasile/mimetype"

// The types a document may have.
const (
	MIMEPDF  = "application/pdf"
	MIMEJPEG = "image/jpeg"
	MIMEPNG  = "image/png"
	MIMETIFF = "image/tiff"
)

var allowedTypes = []string{MIMEPDF, MIMEJPEG, MIMEPNG, MIMETIFF}

// SniffLen is how many leading bytes Sniff needs at most.
const SniffLen = 3072

// Sniff detects the type from the content's first bytes (never from a file
// name) and returns one of the allowed types, or an *UnsupportedTypeError
// naming what was detected.
func Sniff(head []byte) (string, error) {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	m := mimetype.Detect(head)
	for _, t := range allowedTypes {
		if m.Is(t) {
			return t, nil
		}
	}
	return "", &UnsupportedTypeError{Detected: m.String()}
}
