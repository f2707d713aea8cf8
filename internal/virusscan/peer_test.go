package virusscan_test

// Misbehaving peers a real clamd cannot be made to imitate: one that hangs,
// one that answers before the stream ends, one that talks nonsense. Each is a
// plain TCP listener on loopback.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/virusscan"
)

// peer serves every connection with handle and returns its tcp:// address.
func peer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				handle(conn)
			}()
		}
	}()
	return "tcp://" + ln.Addr().String()
}

// silent reads whatever comes and never answers.
func silent(conn net.Conn) { _, _ = io.Copy(io.Discard, conn) }

func TestAHungClamdIsUnavailableWithinTheContextDeadline(t *testing.T) {
	s := virusscan.New(virusscan.Config{Address: peer(t, silent), Timeout: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	v, err := s.Scan(ctx, strings.NewReader("some document"))
	if !errors.Is(err, virusscan.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %+v, %v; want ErrUnavailable and the context's deadline", v, err)
	}
}

func TestAHungClamdIsUnavailableWithinTheConfiguredTimeout(t *testing.T) {
	s := virusscan.New(virusscan.Config{Address: peer(t, silent), Timeout: 200 * time.Millisecond})
	if err := s.Ping(context.Background()); !errors.Is(err, virusscan.ErrUnavailable) {
		t.Fatalf("ping: %v; want ErrUnavailable", err)
	}
	if _, err := s.Scan(context.Background(), strings.NewReader("some document")); !errors.Is(err, virusscan.ErrUnavailable) {
		t.Fatalf("scan: %v; want ErrUnavailable", err)
	}
}

func TestCancellingTheContextStopsTheScan(t *testing.T) {
	// The timeout is long enough that only the cancellation can end the call with context.Canceled.
	s := virusscan.New(virusscan.Config{Address: peer(t, silent), Timeout: 20 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := s.Scan(ctx, strings.NewReader("some document"))
	if !errors.Is(err, context.Canceled) || errors.Is(err, virusscan.ErrUnavailable) {
		t.Fatalf("got %v; want context.Canceled", err)
	}
}

// replying reads the command, then answers reply without waiting for the stream.
func replying(reply string) func(net.Conn) {
	return func(conn net.Conn) {
		buf := make([]byte, len("zINSTREAM\x00"))
		if _, err := io.ReadFull(conn, buf); err != nil {
			return
		}
		_, _ = conn.Write([]byte(reply))
	}
}

func TestOnlyAnOKAfterTheWholeStreamIsClean(t *testing.T) {
	// 8 MiB cannot fit in socket buffers, so the early answer arrives before the stream is sent.
	big := bytes.NewReader(make([]byte, 8<<20))
	s := virusscan.New(virusscan.Config{Address: peer(t, replying("stream: OK\x00")), Timeout: 10 * time.Second})
	v, err := s.Scan(context.Background(), big)
	var replyErr *virusscan.ReplyError
	if !errors.As(err, &replyErr) {
		t.Fatalf("an OK before the stream ended: %+v, %v; want a ReplyError", v, err)
	}
}

func TestUnexpectedRepliesAreErrorsNeverClean(t *testing.T) {
	for _, reply := range []string{
		"stream: \x00",
		"stream: ok\x00",
		"OK\x00",
		"stream:  FOUND\x00",
		"stream: Can't allocate memory ERROR\x00",
		"PONG\x00",
		strings.Repeat("A", 10000),
	} {
		s := virusscan.New(virusscan.Config{Address: peer(t, replying(reply)), Timeout: 10 * time.Second})
		v, err := s.Scan(context.Background(), strings.NewReader("x"))
		if err == nil {
			t.Errorf("reply %.40q: got verdict %+v, want an error", reply, v)
		}
	}
}

func TestAConnectionClosedWithoutAReplyIsUnavailable(t *testing.T) {
	s := virusscan.New(virusscan.Config{Address: peer(t, replying("")), Timeout: 10 * time.Second})
	if _, err := s.Scan(context.Background(), strings.NewReader("x")); !errors.Is(err, virusscan.ErrUnavailable) {
		t.Fatalf("got %v; want ErrUnavailable", err)
	}
}
