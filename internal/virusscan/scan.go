package virusscan

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
)

// maxReplyBytes bounds what we read of a reply: clamd's are one short line.
const maxReplyBytes = 4096

type scanReply struct {
	text string
	err  error
}

// Scan streams r to clamd (zINSTREAM) and returns its verdict. It never
// reports clean unless clamd answered "stream: OK" after the whole stream.
//
// Errors: ErrUnavailable (retry later), ErrTooLarge (clamd's StreamMaxLength),
// *ReadError (r failed), *ReplyError (an answer we do not understand), or the
// context's error when it is cancelled. A blocked r.Read is not interrupted by
// the context; give Scan readers that return.
func (s *Scanner) Scan(ctx context.Context, r io.Reader) (Verdict, error) {
	conn, stop, err := s.dial(ctx)
	if err != nil {
		return Verdict{}, err
	}
	defer stop()
	if _, err := conn.Write([]byte("zINSTREAM\x00")); err != nil {
		return Verdict{}, s.connError(ctx, "send INSTREAM", err)
	}

	// clamd may answer before the stream ends (the size limit) and then close;
	// reading alongside writing keeps that answer instead of a broken pipe.
	replies := make(chan scanReply, 1)
	go func() {
		text, err := readReply(conn)
		replies <- scanReply{text, err}
	}()

	complete, writeErr := s.sendStream(conn, r, replies)
	var readErr *ReadError
	if errors.As(writeErr, &readErr) {
		return Verdict{}, readErr // clamd is left without a verdict: the connection closes unfinished
	}
	got := <-replies
	if got.err != nil {
		if writeErr != nil {
			return Verdict{}, s.connError(ctx, "send stream", writeErr)
		}
		return Verdict{}, s.connError(ctx, "read verdict", got.err)
	}
	return parseScanReply(got.text, complete)
}

// sendStream writes r as INSTREAM chunks, then the zero-length chunk that
// ends it. It stops early when clamd has already replied. complete reports
// whether the terminator went out.
func (s *Scanner) sendStream(conn net.Conn, r io.Reader, replied <-chan scanReply) (complete bool, err error) {
	buf := make([]byte, 4+s.chunkSize)
	for {
		if len(replied) > 0 {
			return false, nil
		}
		n, rerr := r.Read(buf[4:])
		if n > 0 {
			binary.BigEndian.PutUint32(buf, uint32(n))
			if _, err := conn.Write(buf[:4+n]); err != nil {
				return false, err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return false, &ReadError{Err: rerr}
		}
	}
	if _, err := conn.Write([]byte{0, 0, 0, 0}); err != nil {
		return false, err
	}
	return true, nil
}

// readReply reads one NUL-terminated reply (the z-prefixed commands' framing).
func readReply(conn net.Conn) (string, error) {
	var out bytes.Buffer
	buf := make([]byte, 512)
	for out.Len() < maxReplyBytes {
		n, err := conn.Read(buf)
		out.Write(buf[:n])
		if i := bytes.IndexByte(out.Bytes(), 0); i >= 0 {
			return strings.TrimSpace(string(out.Bytes()[:i])), nil
		}
		if err == io.EOF && out.Len() > 0 {
			return strings.TrimSpace(out.String()), nil
		}
		if err == io.EOF {
			return "", io.ErrUnexpectedEOF
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("reply longer than %d bytes", maxReplyBytes)
}

// parseScanReply reads clamd's INSTREAM answer: "stream: OK",
// "stream: <signature> FOUND", or an error line.
func parseScanReply(reply string, complete bool) (Verdict, error) {
	const prefix, found = "stream: ", " FOUND"
	switch {
	case reply == prefix+"OK" && complete:
		return Verdict{}, nil
	case strings.HasPrefix(reply, prefix) && strings.HasSuffix(reply, found):
		signature := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(reply, prefix), found))
		if signature == "" {
			return Verdict{}, &ReplyError{Command: "INSTREAM", Reply: reply}
		}
		return Verdict{Infected: true, Signature: signature}, nil
	case strings.Contains(reply, "size limit exceeded"):
		return Verdict{}, fmt.Errorf("%w (clamd: %q)", ErrTooLarge, reply)
	default:
		return Verdict{}, &ReplyError{Command: "INSTREAM", Reply: reply}
	}
}
