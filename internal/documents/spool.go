package documents

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/astralisops/astralis/internal/problem"
)

// Spooled is an upload written to a temporary file while it was hashed: the
// checks that need a file (page count, image size) read it from there, and
// nothing is held in memory.
type Spooled struct {
	Path   string
	Size   int64
	SHA256 [sha256.Size]byte
	// Head is the file's first bytes, for sniffing its type.
	Head []byte
}

// sniffBytes is how much of the file content sniffing looks at.
const sniffBytes = 3072

// Spool copies r into a new temporary file in dir ("" for the system's),
// hashing it, and refuses more than maxBytes: the caller learns before the
// rest of a large body is read. An empty file is refused too. Close removes the file.
func Spool(r io.Reader, dir string, maxBytes int64) (*Spooled, error) {
	f, err := os.CreateTemp(dir, "astralis-upload-*")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSpool, err)
	}
	sp := &Spooled{Path: f.Name()}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), bodyReader{io.LimitReader(r, maxBytes+1)})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		sp.Close()
		if errors.Is(err, ErrBodyUnreadable) {
			return nil, err // the caller maps its reader's own errors (a body over the request limit)
		}
		return nil, fmt.Errorf("%w: %w", ErrSpool, err)
	}
	if n > maxBytes {
		sp.Close()
		return nil, ErrFileTooLarge(maxBytes)
	}
	if n == 0 {
		sp.Close()
		return nil, problem.Invalid("the file is empty", problem.FieldError{Field: "file", Message: "is empty"})
	}
	sp.Size = n
	copy(sp.SHA256[:], h.Sum(nil))
	head, err := readHead(sp.Path)
	if err != nil {
		sp.Close()
		return nil, err
	}
	sp.Head = head
	return sp, nil
}

// ErrSpool is the server failing to keep an upload (a full or unwritable disk).
var ErrSpool = errors.New("documents: spool")

// ErrBodyUnreadable marks an upload that could not be read from the client
// (cut off, malformed): the client's to fix.
var ErrBodyUnreadable = errors.New("the upload could not be read")

// bodyReader marks its reader's errors as ErrBodyUnreadable, keeping them.
type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %w", ErrBodyUnreadable, err)
	}
	return n, err
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSpool, err)
	}
	defer f.Close()
	head := make([]byte, sniffBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %w", ErrSpool, err)
	}
	return head[:n], nil
}

// Close removes the temporary file.
func (s *Spooled) Close() { _ = os.Remove(s.Path) }

// ErrFileTooLarge is the answer to a file over the upload limit.
func ErrFileTooLarge(maxBytes int64) error {
	return problem.New(problem.ErrTooLarge, fmt.Sprintf("the file is larger than the limit of %d bytes", maxBytes))
}
