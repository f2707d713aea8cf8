package ocr

import (
	"errors"
	"fmt"
)

// Errors a document can fail with. They are about the document, not the
// machine: retrying cannot fix them. Returned errors wrap one of these with
// details; test with errors.Is.
var (
	// ErrUnsupportedType: the content is not a PDF, JPEG, PNG or TIFF (see UnsupportedTypeError).
	ErrUnsupportedType = errors.New("ocr: unsupported file type")
	// ErrEncrypted: the PDF needs a password to open.
	ErrEncrypted = errors.New("ocr: PDF is encrypted")
	// ErrCorrupt: the file is truncated or cannot be parsed.
	ErrCorrupt = errors.New("ocr: file is corrupt or truncated")
	// ErrTooManyPages: the PDF has more pages than Limits.MaxPages.
	ErrTooManyPages = errors.New("ocr: too many pages")
	// ErrTooLarge: an image or page has more pixels than Limits.MaxPixels
	// (a PDF page even at Limits.MinDPI), or a tool's output was too big.
	ErrTooLarge = errors.New("ocr: image too large")
	// ErrNoSuchPage: the page number is outside the document.
	ErrNoSuchPage = errors.New("ocr: no such page")
	// ErrToolTimeout: an external tool ran past Limits.ToolTimeout on this document.
	ErrToolTimeout = errors.New("ocr: tool timed out")
)

// UnsupportedTypeError names the type that was detected instead of an allowed one.
type UnsupportedTypeError struct {
	Detected string
}

func (e *UnsupportedTypeError) Error() string {
	return fmt.Sprintf("ocr: unsupported file type %s (allowed: PDF, JPEG, PNG, TIFF)", e.Detected)
}

// Is makes errors.Is(err, ErrUnsupportedType) true.
func (e *UnsupportedTypeError) Is(target error) bool { return target == ErrUnsupportedType }
