// Package devclamd runs a private clamd for `astralis dev` and the test
// harness: the Debian clamav-daemon binary with a config of our own and a
// signature database holding only the EICAR test signature, since no
// signature download is possible offline. Production points at a clamd with
// real signatures instead.
//
// clamd runs as the unprivileged "clamav" (or "nobody") user when we are
// root, and the Debian package is installed when the binary is missing and
// we are root.
package devclamd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/astralisops/astralis/internal/virusscan"
)

// DefaultStreamMaxLength is clamd's own default limit on one scanned stream (100M).
const DefaultStreamMaxLength = 100 << 20

// readyTimeout bounds how long clamd may take to load its (tiny) database.
const readyTimeout = time.Minute

// Options tune the private clamd; the zero value is fine.
type Options struct {
	// Port on 127.0.0.1; 0 picks a free one.
	Port int
	// StreamMaxLength is the largest stream clamd accepts, in bytes (0: DefaultStreamMaxLength).
	StreamMaxLength int64
	Logger          *slog.Logger
}

// Server is a private clamd. Stop and Start may be called any number of
// times; it keeps its address throughout.
type Server struct {
	bin    string
	dir    string
	port   int
	owner  *credential
	logger *slog.Logger

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
}

type credential struct{ uid, gid uint32 }

// Start installs clamd if needed, writes its config and database into a
// directory of its own, starts it and waits until it answers PING.
func Start(ctx context.Context, opts Options) (*Server, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	bin, err := findClamd(ctx, logger)
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, port: opts.Port, logger: logger}
	if os.Geteuid() == 0 {
		if s.owner, err = unprivilegedUser(); err != nil {
			return nil, err
		}
	}
	if s.port == 0 {
		if s.port, err = freePort(); err != nil {
			return nil, err
		}
	}
	streamMax := opts.StreamMaxLength
	if streamMax <= 0 {
		streamMax = DefaultStreamMaxLength
	}
	// Everything in it is written anew on each start, so a fresh temporary
	// directory (reachable by the clamav user, unlike a checkout under /root) will do.
	if s.dir, err = os.MkdirTemp("", "astralis-clamd-"); err != nil {
		return nil, fmt.Errorf("devclamd: %w", err)
	}
	if err := writeFiles(s.dir, s.port, streamMax); err != nil {
		s.removeDir()
		return nil, err
	}
	if err := s.chown(s.dir); err != nil {
		s.removeDir()
		return nil, err
	}
	if err := s.Start(ctx); err != nil {
		s.removeDir()
		return nil, err
	}
	return s, nil
}

// Address is where clamd listens, in the form virusscan.Config takes.
func (s *Server) Address() string {
	return "tcp://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// UnixAddress is clamd's Unix socket, in the form virusscan.Config takes.
func (s *Server) UnixAddress() string {
	return "unix://" + filepath.Join(s.dir, socketName)
}

// Start runs clamd again after Stop (or after it died), on the same address,
// and waits until it answers. It does nothing when clamd is running.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		// A process already reaped is gone even before the goroutine that
		// reaped it says so: wait for that word rather than call it running.
		if err := syscall.Kill(s.cmd.Process.Pid, 0); errors.Is(err, syscall.ESRCH) {
			<-s.exited
		}
		select {
		case <-s.exited:
			s.logger.Warn("clamd had exited; starting it again", slog.String("log", s.logTail()))
			s.cmd, s.exited = nil, nil
		default:
			return nil
		}
	}
	logFile, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("devclamd: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor

	cmd := exec.Command(s.bin, "--config-file="+filepath.Join(s.dir, "clamd.conf"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Dir = s.dir
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // our terminal's Ctrl-C must not kill it before we stop it ourselves
		Pdeathsig: syscall.SIGKILL, // and it must not outlive us (kill -9 of astralis dev)
	}
	if s.owner != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: s.owner.uid, Gid: s.owner.gid}
	}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("devclamd: start %s: %w", s.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited

	if err := s.waitReady(ctx, exited); err != nil {
		s.stopLocked()
		return err
	}
	s.logger.Info("clamd up", slog.String("address", s.Address()), slog.Duration("took", time.Since(started)))
	return nil
}

// waitReady polls PING until clamd answers, exits, or the time is up.
func (s *Server) waitReady(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	scanner := virusscan.New(virusscan.Config{Address: s.Address(), Timeout: 2 * time.Second})
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		err := scanner.Ping(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("devclamd: clamd exited during start-up:\n%s", s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("devclamd: clamd did not answer PING: %w (last: %v)\n%s", ctx.Err(), err, s.logTail())
		case <-tick.C:
		}
	}
}

// Stop ends clamd (SIGTERM, then SIGKILL after five seconds). Start brings it back.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopLocked()
}

func (s *Server) stopLocked() error {
	if s.cmd == nil {
		return nil
	}
	cmd, exited := s.cmd, s.exited
	s.cmd, s.exited = nil, nil
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return nil
	case <-time.After(5 * time.Second):
	}
	if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("devclamd: kill clamd: %w", err)
	}
	<-exited
	return nil
}

// Close stops clamd for good and removes its directory.
func (s *Server) Close() error {
	err := s.Stop()
	s.removeDir()
	return err
}

func (s *Server) removeDir() {
	if err := os.RemoveAll(s.dir); err != nil {
		s.logger.Warn("devclamd: remove directory", slog.Any("error", err))
	}
}

func (s *Server) logPath() string { return filepath.Join(s.dir, "clamd.log") }

func (s *Server) logTail() string {
	data, _ := os.ReadFile(s.logPath())
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return strings.Join(lines, "\n")
}

// chown gives path to clamd's user when we run as root.
func (s *Server) chown(path string) error {
	if s.owner == nil {
		return nil
	}
	return filepath.WalkDir(path, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(s.owner.uid), int(s.owner.gid))
	})
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("devclamd: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
