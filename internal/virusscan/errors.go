package virusscan

import (
	"errors"
	"fmt"
)

var (
	// ErrUnavailable: clamd could not be reached or did not answer in time
	// (refused, reset, timed out). Nothing is known about the stream; retry later.
	ErrUnavailable = errors.New("virusscan: clamd unavailable")
	// ErrTooLarge: clamd refused the stream as longer than its StreamMaxLength.
	// Retrying the same stream cannot help.
	ErrTooLarge = errors.New("virusscan: stream larger than clamd's StreamMaxLength")
)

// UnavailableError says which step failed to reach clamd; it matches ErrUnavailable.
type UnavailableError struct {
	Address string
	Op      string
	Err     error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("virusscan: clamd at %s unavailable: %s: %v", e.Address, e.Op, e.Err)
}

func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

func (e *UnavailableError) Unwrap() error { return e.Err }

// ReplyError is a reply clamd is not expected to give (an ERROR other than
// the size limit, or anything unparsable). The stream is not known to be
// clean; a retry may fare better, an operator should look at clamd's log.
type ReplyError struct {
	Command string
	Reply   string
}

func (e *ReplyError) Error() string {
	return fmt.Sprintf("virusscan: unexpected clamd reply to %s: %q", e.Command, e.Reply)
}

// ReadError: the stream to scan could not be read; clamd gave no verdict.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return "virusscan: read the stream to scan: " + e.Err.Error() }

func (e *ReadError) Unwrap() error { return e.Err }
