// Package devs3 runs versitygw (Apache-2.0), an S3-compatible server, over a
// local directory for `astralis dev` and `astralis testenv`: real SigV4
// checks, multipart uploads and presigned GET and POST, with no Docker and
// no account. Production points storage at a real service instead.
//
// The server runs in a child process of the running binary (its
// ServeCommand subcommand), not beside the caller's goroutines: versitygw's
// file backend changes the process's working directory to its root and
// resolves every bucket against it, and it allows one gateway per process.
// The child exits when Stop closes its standard input, or when the parent
// dies (the pipe closes with it), so a kill -9 leaves no server behind.
package devs3

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ServeCommand is the subcommand of the running binary that must call Serve.
const ServeCommand = "devs3-serve"

// The child's settings travel in its environment, keeping the secret key
// out of the process list.
const (
	envDir       = "ASTRALIS_DEVS3_DIR"
	envAddr      = "ASTRALIS_DEVS3_ADDR"
	envRegion    = "ASTRALIS_DEVS3_REGION"
	envAccessKey = "ASTRALIS_DEVS3_ACCESS_KEY"
	envSecretKey = "ASTRALIS_DEVS3_SECRET_KEY"
)

// DefaultRegion is the region the server reports when Options.Region is empty.
const DefaultRegion = "us-east-1"

// healthPath answers 200 without credentials once the server listens.
const healthPath = "/healthz"

const (
	startTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
	// portAttempts bounds retries when a free port we picked was taken before the child bound it.
	portAttempts = 3
)

// Options say where the server keeps its data and listens.
type Options struct {
	// Dir holds the buckets and their metadata; it is created if missing and
	// keeps its objects from one start to the next.
	Dir string
	// Addr is host:port to listen on; port 0 picks a free one.
	Addr string
	// Region defaults to DefaultRegion.
	Region string
	// Output receives the server's own messages; nil means os.Stderr.
	Output io.Writer
	Logger *slog.Logger
}

// Server is a running child server.
type Server struct {
	endpoint  string
	region    string
	accessKey string
	secretKey string
	cmd       *exec.Cmd
	stdin     io.WriteCloser
	exited    chan struct{}
	waitErr   error
}

// Start runs the server with freshly generated credentials and returns once
// it answers.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Dir == "" || opts.Addr == "" {
		return nil, errors.New("devs3: Dir and Addr are required")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("devs3: data directory: %w", err)
	}
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if opts.Output == nil {
		opts.Output = os.Stderr
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("devs3: find own binary: %w", err)
	}
	host, port, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("devs3: address %q: %w", opts.Addr, err)
	}
	attempts := 1
	if port == "0" {
		attempts = portAttempts
	}
	for attempt := 1; ; attempt++ {
		addr := opts.Addr
		if port == "0" {
			if addr, err = freeAddr(host); err != nil {
				return nil, err
			}
		}
		s := &Server{
			endpoint:  addr,
			region:    opts.Region,
			accessKey: randomKey(20),
			secretKey: randomKey(40),
			exited:    make(chan struct{}),
		}
		err := s.start(ctx, self, dir, opts.Output)
		if err == nil {
			opts.Logger.Info("S3 server up", slog.String("endpoint", addr), slog.String("dir", dir))
			return s, nil
		}
		if attempt >= attempts || ctx.Err() != nil {
			return nil, err
		}
		opts.Logger.Warn("S3 server did not start; trying another port", slog.Any("error", err))
	}
}

func (s *Server) start(ctx context.Context, self, dir string, output io.Writer) error {
	cmd := exec.Command(self, ServeCommand)
	cmd.Env = append(os.Environ(),
		envDir+"="+dir,
		envAddr+"="+s.endpoint,
		envRegion+"="+s.region,
		envAccessKey+"="+s.accessKey,
		envSecretKey+"="+s.secretKey,
	)
	cmd.Stdout, cmd.Stderr = output, output
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("devs3: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("devs3: start %s %s: %w", self, ServeCommand, err)
	}
	s.cmd, s.stdin = cmd, stdin
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		_ = s.Stop()
		return err
	}
	return nil
}

// waitReady polls the health path until it answers, the child exits, or time runs out.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+s.endpoint+healthPath, nil)
		if err != nil {
			return fmt.Errorf("devs3: %w", err)
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("devs3: server exited before answering on %s: %v (its output is above)", s.endpoint, s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("devs3: server did not answer on %s within %s", s.endpoint, startTimeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Endpoint is the server's host:port (plain HTTP, path-style buckets).
func (s *Server) Endpoint() string { return s.endpoint }

// Region is the region the server signs for.
func (s *Server) Region() string { return s.region }

// AccessKey and SecretKey are the server's only credentials.
func (s *Server) AccessKey() string { return s.accessKey }
func (s *Server) SecretKey() string { return s.secretKey }

// Stop asks the server to shut down and waits for it, killing it if it
// does not stop in time. The data directory stays.
func (s *Server) Stop() error {
	_ = s.stdin.Close()
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("devs3: server did not stop within %s; killed", stopTimeout)
	}
	var exit *exec.ExitError
	if s.waitErr != nil && !errors.As(s.waitErr, &exit) {
		return fmt.Errorf("devs3: %w", s.waitErr)
	}
	if exit != nil {
		return fmt.Errorf("devs3: server exited with status %d", exit.ExitCode())
	}
	return nil
}

func freeAddr(host string) (string, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", fmt.Errorf("devs3: find a free port: %w", err)
	}
	defer ln.Close()
	return net.JoinHostPort(host, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)), nil
}

// randomKey is n random upper-case letters and digits (base32, 5 bits each).
func randomKey(n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(rand.Text())
	}
	return b.String()[:n]
}
