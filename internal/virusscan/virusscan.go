// Package virusscan asks a clamd daemon whether a stream carries a known
// virus, over clamd's own protocol (zINSTREAM, zPING, zVERSION).
//
// The one rule it keeps: a stream is clean only when clamd answered
// "stream: OK". Anything else — no connection, a timeout, a reply it does not
// understand, an input that could not be read — is an error, never a verdict.
package virusscan

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Defaults used when Config leaves a field zero.
const (
	DefaultTimeout   = time.Minute
	DefaultChunkSize = 64 << 10
	maxChunkSize     = 1 << 20
)

// Config says where clamd listens and how long to wait for it.
type Config struct {
	// Address is "tcp://host:port" or "unix:///path/to/clamd.sock".
	Address string
	// Timeout bounds one whole call (connect, send, verdict); the context may shorten it.
	Timeout time.Duration
	// ChunkSize is how many bytes go in one INSTREAM chunk (at most 1 MiB).
	ChunkSize int
}

// Verdict is clamd's answer about one stream.
type Verdict struct {
	Infected bool
	// Signature names what clamd found (e.g. "Eicar-Test-Signature"); empty when clean.
	Signature string
}

// Scanner talks to one clamd. It holds no connection between calls and is
// safe for concurrent use.
type Scanner struct {
	network, address string
	addrErr          error
	timeout          time.Duration
	chunkSize        int
}

// New returns a scanner for cfg. A malformed address is reported by every
// call (and by ParseAddress, for configuration checks).
func New(cfg Config) *Scanner {
	s := &Scanner{timeout: cfg.Timeout, chunkSize: cfg.ChunkSize}
	s.network, s.address, s.addrErr = ParseAddress(cfg.Address)
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.chunkSize <= 0 {
		s.chunkSize = DefaultChunkSize
	}
	s.chunkSize = min(s.chunkSize, maxChunkSize)
	return s
}

// ParseAddress splits "tcp://host:port" or "unix:///path" into the network
// and address net.Dial takes.
func ParseAddress(address string) (network, addr string, err error) {
	u, err := url.Parse(address)
	if err != nil {
		return "", "", fmt.Errorf("virusscan: clamd address %q: %w", address, err)
	}
	switch u.Scheme {
	case "tcp":
		if _, port, err := net.SplitHostPort(u.Host); err != nil || port == "" || u.Path != "" {
			return "", "", fmt.Errorf("virusscan: clamd address %q: want tcp://host:port", address)
		}
		return "tcp", u.Host, nil
	case "unix":
		if u.Host != "" || u.Path == "" {
			return "", "", fmt.Errorf("virusscan: clamd address %q: want unix:///absolute/path", address)
		}
		return "unix", u.Path, nil
	default:
		return "", "", fmt.Errorf("virusscan: clamd address %q: want tcp://host:port or unix:///path", address)
	}
}

// Ping checks that clamd answers (zPING → PONG).
func (s *Scanner) Ping(ctx context.Context) error {
	reply, err := s.command(ctx, "zPING")
	if err != nil {
		return err
	}
	if reply != "PONG" {
		return &ReplyError{Command: "PING", Reply: reply}
	}
	return nil
}

// Version returns clamd's version line, e.g. "ClamAV 1.4.3/27000/Mon Jan 1 …".
func (s *Scanner) Version(ctx context.Context) (string, error) {
	reply, err := s.command(ctx, "zVERSION")
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(reply, "ClamAV ") {
		return "", &ReplyError{Command: "VERSION", Reply: reply}
	}
	return reply, nil
}

// command sends a command that takes no data and returns its reply.
func (s *Scanner) command(ctx context.Context, cmd string) (string, error) {
	conn, stop, err := s.dial(ctx)
	if err != nil {
		return "", err
	}
	defer stop()
	if _, err := conn.Write([]byte(cmd + "\x00")); err != nil {
		return "", s.connError(ctx, "send "+cmd, err)
	}
	reply, err := readReply(conn)
	if err != nil {
		return "", s.connError(ctx, "read reply to "+cmd, err)
	}
	return reply, nil
}

// dial connects with the call's deadline set on the connection; stop closes
// it and releases the context watch.
func (s *Scanner) dial(ctx context.Context) (net.Conn, func(), error) {
	if s.addrErr != nil {
		return nil, nil, s.addrErr
	}
	deadline := time.Now().Add(s.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dialer := net.Dialer{Deadline: deadline}
	conn, err := dialer.DialContext(ctx, s.network, s.address)
	if err != nil {
		return nil, nil, s.connError(ctx, "connect", err)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, nil, s.connError(ctx, "connect", err)
	}
	// Cancelling the context unblocks any read or write at once.
	release := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	return conn, func() { release(); conn.Close() }, nil
}

// connError classifies a transport failure: the caller's own cancellation
// stays that; everything else means clamd could not answer now.
func (s *Scanner) connError(ctx context.Context, op string, err error) error {
	ctxErr := ctx.Err()
	if d, ok := ctx.Deadline(); ok && ctxErr == nil && !time.Now().Before(d) {
		// The connection's deadline (the context's) fired before the context's own timer did.
		ctxErr = context.DeadlineExceeded
	}
	switch {
	case errors.Is(ctxErr, context.Canceled):
		return fmt.Errorf("virusscan: %s: %w", op, ctxErr)
	case ctxErr != nil:
		err = fmt.Errorf("%w (%w)", err, ctxErr) // the caller's deadline, not only ours
	}
	return &UnavailableError{Address: s.address, Op: op, Err: err}
}
