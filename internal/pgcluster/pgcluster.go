// Package pgcluster runs a private PostgreSQL cluster from the system's
// PostgreSQL binaries, for `astralis dev` and the test harness. PostgreSQL
// refuses to run as root, so when we are root the cluster runs as the
// unprivileged "postgres" (or "nobody") user. When the binaries are missing
// and we are root, the Debian package is installed.
package pgcluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// Superuser is the role initdb creates; its password lives in the data directory.
const Superuser = "astralis"

const passwordFile = "astralis-password"

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	dir      string
	port     int
	password string
	binDir   string
	owner    *credential
	logger   *slog.Logger
}

type credential struct{ uid, gid uint32 }

// Start initialises dir on first use and starts the server on 127.0.0.1:port
// (port 0 picks a free one). A cluster already running in dir is reused.
func Start(ctx context.Context, dir string, port int, logger *slog.Logger) (*Cluster, error) {
	binDir, err := findBinaries(ctx, logger)
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, binDir: binDir, logger: logger}
	if os.Geteuid() == 0 {
		if c.owner, err = unprivilegedUser(); err != nil {
			return nil, err
		}
		if !c.owner.canReach(filepath.Dir(dir)) {
			// e.g. a checkout under /root: keep the data where that user can reach it.
			sum := sha256.Sum256([]byte(dir))
			c.dir = filepath.Join(os.TempDir(), "astralis-pg-"+hex.EncodeToString(sum[:6]))
			// The name is predictable: use it only if it is ours (absent, or owned by the cluster's user).
			if info, err := os.Lstat(c.dir); err == nil {
				if st, ok := info.Sys().(*syscall.Stat_t); !ok || !info.IsDir() || st.Uid != c.owner.uid {
					return nil, fmt.Errorf("pgcluster: %s exists and is not the cluster's own directory", c.dir)
				}
			}
			logger.Info("data directory not reachable by the postgres user; using another", slog.String("dir", c.dir))
		}
	}
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	c.port = port

	if _, err := os.Stat(filepath.Join(c.dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
	}
	pw, err := os.ReadFile(filepath.Join(c.dir, passwordFile))
	if err != nil {
		return nil, fmt.Errorf("pgcluster: read password: %w", err)
	}
	c.password = strings.TrimSpace(string(pw))

	if c.running(ctx) {
		logger.Info("postgres already running", slog.String("dir", c.dir))
		return c, nil
	}
	logFile := filepath.Join(c.dir, "postgres.log")
	// fsync=off: a private dev/test cluster survives process crashes; only an OS crash could lose recent writes.
	err = c.run(ctx, filepath.Join(binDir, "pg_ctl"), "start", "-w", "-t", "60", "-D", c.dir, "-l", logFile,
		"-o", fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories='' -c fsync=off -c max_connections=200", port))
	if err != nil {
		tail, _ := os.ReadFile(logFile)
		return nil, fmt.Errorf("pgcluster: start: %w\n%s", err, lastLines(tail, 15))
	}
	return c, nil
}

// URL connects to database db as the superuser.
func (c *Cluster) URL(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(Superuser, c.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// PasswordFile holds the superuser's password, readable by the owner only.
func (c *Cluster) PasswordFile() string { return filepath.Join(c.dir, passwordFile) }

// Stop shuts the server down, letting open sessions end (fast mode).
func (c *Cluster) Stop(ctx context.Context) error {
	return c.run(ctx, filepath.Join(c.binDir, "pg_ctl"), "stop", "-w", "-t", "30", "-m", "fast", "-D", c.dir)
}

func (c *Cluster) running(ctx context.Context) bool {
	pidFile := filepath.Join(c.dir, "postmaster.pid")
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return false
	}
	if err := c.run(ctx, filepath.Join(c.binDir, "pg_ctl"), "status", "-D", c.dir); err != nil {
		return false
	}
	// postmaster.pid's fourth line is the port it listens on; reuse only our own port.
	lines := strings.Split(string(data), "\n")
	return len(lines) > 3 && strings.TrimSpace(lines[3]) == strconv.Itoa(c.port)
}

func (c *Cluster) initdb(ctx context.Context) error {
	c.logger.Info("initialising private postgres cluster", slog.String("dir", c.dir))
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("pgcluster: create %s: %w", c.dir, err)
	}
	if err := c.chown(c.dir); err != nil {
		return err
	}
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	password := hex.EncodeToString(b[:])
	// initdb reads the superuser password from a file and wants an empty data directory.
	pwFile, err := os.CreateTemp("", "astralis-pw-")
	if err != nil {
		return err
	}
	defer os.Remove(pwFile.Name())
	if _, err := pwFile.WriteString(password + "\n"); err != nil {
		return err
	}
	if err := pwFile.Close(); err != nil {
		return err
	}
	if err := c.chown(pwFile.Name()); err != nil {
		return err
	}
	err = c.run(ctx, filepath.Join(c.binDir, "initdb"), "-D", c.dir, "-U", Superuser, "--pwfile", pwFile.Name(),
		"--auth=scram-sha-256", "--encoding=UTF8", "--locale=C")
	if err != nil {
		return fmt.Errorf("pgcluster: initdb: %w", err)
	}
	pwPath := filepath.Join(c.dir, passwordFile)
	if err := os.WriteFile(pwPath, []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("pgcluster: write password: %w", err)
	}
	return c.chown(pwPath)
}

// chown gives path to the cluster's owner when we run as root.
func (c *Cluster) chown(path string) error {
	if c.owner == nil {
		return nil
	}
	return filepath.WalkDir(path, func(p string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(c.owner.uid), int(c.owner.gid))
	})
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	// pg_ctl must not die with our terminal's Ctrl-C before we stop it ourselves.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if c.owner != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: c.owner.uid, Gid: c.owner.gid}
		cmd.Dir = "/" // our working directory may be closed to that user
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(name), args[0], err, strings.TrimSpace(out.String()))
	}
	return nil
}

// canReach says whether the user may traverse every directory down to dir.
func (cr *credential) canReach(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err != nil {
			return false
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		if !ok {
			return false
		}
		mode := info.Mode().Perm()
		switch {
		case st.Uid == cr.uid:
			if mode&0o100 == 0 {
				return false
			}
		case st.Gid == cr.gid:
			if mode&0o010 == 0 {
				return false
			}
		case mode&0o001 == 0:
			return false
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

func unprivilegedUser() (*credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		return &credential{uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, errors.New("pgcluster: running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as")
}

// findBinaries locates initdb and pg_ctl, installing PostgreSQL when root can.
func findBinaries(ctx context.Context, logger *slog.Logger) (string, error) {
	if dir := lookBinaries(); dir != "" {
		return dir, nil
	}
	if os.Geteuid() != 0 {
		return "", errors.New("pgcluster: PostgreSQL server binaries (initdb, pg_ctl) not found; install the postgresql package or set DATABASE_URL")
	}
	logger.Info("installing PostgreSQL (apt-get install postgresql)")
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", "postgresql"}} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("pgcluster: apt-get %s: %w\n%s", args[0], err, lastLines(out, 15))
		}
	}
	if dir := lookBinaries(); dir != "" {
		return dir, nil
	}
	return "", errors.New("pgcluster: PostgreSQL installed but initdb not found")
}

func lookBinaries() string {
	// Debian keeps server binaries off PATH, one directory per major version: take the newest.
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real)
		}
		return filepath.Dir(p)
	}
	return ""
}

func versionOf(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
