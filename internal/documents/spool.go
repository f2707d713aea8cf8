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
		return nil, fmt.Errorf("documents: spool: %w", err)
	}
	sp := &Spooled{Path: f.Name()}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, maxBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		sp.Close()
		return nil, fmt.Errorf("documents: spool: %w", err) // the caller maps its reader's own errors (a body over the request limit)
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

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("documents: spool: %w", err)
	}
	defer f.Close()
	head := make([]byte, sniffBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("documents: spool: %w", err)
	}
	return head[:n], nil
}

// Close removes the temporary file.
func (s *Spooled) Close() { _ = os.Remove(s.Path) }

// ErrFileTooLarge is the answer to a file over the upload limit.
func ErrFileTooLarge(maxBytes int64) error {
	return problem.New(problem.ErrTooLarge, fmt.Sprintf("the file is larger than the limit of %d bytes", maxBytes))
}
