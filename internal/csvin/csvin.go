// Package csvin reads CSV files as people's spreadsheets save them.
package csvin

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
)

var byteOrderMark = []byte("\ufeff")

// NewReader is a csv.Reader over r without the UTF-8 byte order mark that
// Excel's "CSV UTF-8" starts with: left in, it would be part of the first
// field (a header not recognised as one) or, before a quote, make the first
// line unreadable. Every other byte passes as it is, so invalid UTF-8 is still
// the caller's to refuse.
func NewReader(r io.Reader) *csv.Reader {
	br := bufio.NewReader(r)
	if start, err := br.Peek(len(byteOrderMark)); err == nil && bytes.Equal(start, byteOrderMark) {
		_, _ = br.Discard(len(byteOrderMark)) // cannot fail: the bytes were peeked
	}
	return csv.NewReader(br)
}
