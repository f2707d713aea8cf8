package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// toolRunner runs poppler's command-line tools on untrusted PDFs, each in its
// own process so a crash or a runaway parse costs one page, not the worker:
//   - a timeout (Limits.ToolTimeout) through exec.CommandContext;
//   - an address-space and CPU-time limit through util-linux's prlimit, which
//     sets the limits on itself and then execs the tool (same process, so the
//     context's kill reaches it). Go's SysProcAttr has no rlimit field, and
//     setting limits on the worker itself would bound Tesseract too;
//   - when we run as root, as an unprivileged user (nobody), with the document
//     on stdin and its output on stdout, so the tool needs no file access;
//   - a bounded stdout (ErrTooLarge past it) and a minimal environment.
type toolRunner struct {
	lim     Limits
	prlimit string // path of prlimit, "" when missing (then only the timeout applies)
	cred    *syscall.Credential
}

func newToolRunner(lim Limits) (*toolRunner, error) {
	r := &toolRunner{lim: lim}
	if p, err := exec.LookPath("prlimit"); err == nil {
		r.prlimit = p
	}
	for _, tool := range []string{"pdfinfo", "pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("ocr: %s not found (install poppler-utils): %w", tool, err)
		}
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return nil, fmt.Errorf("ocr: running as root and no user nobody to run poppler as: %w", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		r.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	return r, nil
}

// toolError is a tool's failure with the tail of what it said.
type toolError struct {
	tool   string
	code   int
	stderr string
}

func (e *toolError) Error() string {
	return fmt.Sprintf("%s exited with status %d: %s", e.tool, e.code, e.stderr)
}

// run feeds the file at path to the tool on stdin (the tool reads "-") and
// returns its stdout, at most maxOut bytes.
func (r *toolRunner) run(ctx context.Context, path string, maxOut int64, tool string, args ...string) ([]byte, error) {
	in, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, r.lim.ToolTimeout)
	defer cancel()
	name, argv := tool, args
	if r.prlimit != "" {
		cpu := int64(r.lim.ToolTimeout/time.Second) + 1
		name = r.prlimit
		argv = append([]string{
			"--as=" + strconv.FormatInt(r.lim.ToolMemory, 10),
			"--cpu=" + strconv.FormatInt(cpu, 10),
			"--core=0",
			"--", tool,
		}, args...)
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Stdin = in
	out := &cappedBuffer{limit: maxOut}
	var stderr cappedBuffer
	stderr.limit, stderr.truncate = 4096, true
	cmd.Stdout, cmd.Stderr = out, &stderr
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	cmd.Dir = "/"
	cmd.WaitDelay = time.Second
	if r.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
	}
	err = cmd.Run()
	switch {
	case out.exceeded:
		return nil, fmt.Errorf("%w: %s wrote more than %d bytes", ErrTooLarge, tool, maxOut)
	case err != nil && parent.Err() != nil:
		return nil, parent.Err()
	case err != nil && ctx.Err() != nil:
		return nil, fmt.Errorf("%w: %s after %s", ErrToolTimeout, tool, r.lim.ToolTimeout)
	case err != nil:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return nil, &toolError{tool: tool, code: exit.ExitCode(), stderr: strings.TrimSpace(stderr.String())}
		}
		return nil, fmt.Errorf("ocr: running %s: %w", tool, err)
	}
	return out.Bytes(), nil
}

// cappedBuffer keeps at most limit bytes: it either records that the limit
// was exceeded and fails the write (stdout), or keeps the last bytes (stderr).
type cappedBuffer struct {
	bytes.Buffer
	limit    int64
	truncate bool
	exceeded bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if int64(b.Len()+len(p)) <= b.limit {
		return b.Buffer.Write(p)
	}
	if !b.truncate {
		b.exceeded = true
		return 0, io.ErrShortWrite
	}
	b.Buffer.Write(p)
	keep := b.Bytes()[b.Len()-int(b.limit):]
	tail := append([]byte(nil), keep...)
	b.Reset()
	b.Buffer.Write(tail)
	return len(p), nil
}
