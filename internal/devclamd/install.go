package devclamd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
)

// debianClamd is where Debian's clamav-daemon puts the binary (off a non-root PATH).
const debianClamd = "/usr/sbin/clamd"

// policyRCD, when present, tells Debian maintainer scripts whether they may
// start services; exit 101 means "no".
const policyRCD = "/usr/sbin/policy-rc.d"

// findClamd locates clamd, installing clamav-daemon when root can.
func findClamd(ctx context.Context, logger *slog.Logger) (string, error) {
	if bin := lookClamd(); bin != "" {
		return bin, nil
	}
	if os.Geteuid() != 0 {
		return "", errors.New("devclamd: clamd not found; install the clamav-daemon package (sudo apt-get install clamav-daemon) or set scan.clamd_address")
	}
	logger.Info("installing clamd (apt-get install clamav-daemon)")
	// The package's own clamd and freshclam services must not start: clamd would
	// fail without signatures and freshclam would try to download them.
	if _, err := os.Lstat(policyRCD); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(policyRCD, []byte("#!/bin/sh\n# astralis: no service starts while clamav-daemon installs\nexit 101\n"), 0o755); err != nil {
			return "", fmt.Errorf("devclamd: write %s: %w", policyRCD, err)
		}
		defer os.Remove(policyRCD)
	}
	env := append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	for _, args := range [][]string{
		{"-o", "DPkg::Lock::Timeout=300", "update"},
		// Another apt-get (a second helper, unattended upgrades) may hold the lock for a while.
		{"-o", "DPkg::Lock::Timeout=300", "install", "-y", "--no-install-recommends", "clamav-daemon"},
	} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("devclamd: apt-get %s: %w\n%s", strings.Join(args, " "), err, lastLines(out, 15))
		}
	}
	disableServices(ctx, logger)
	if bin := lookClamd(); bin != "" {
		return bin, nil
	}
	return "", errors.New("devclamd: clamav-daemon installed but clamd not found")
}

// disableServices keeps the package's clamd and freshclam from starting at the
// next boot on a systemd machine: with real signatures clamd holds about a
// gigabyte of memory, for nothing we use.
func disableServices(ctx context.Context, logger *slog.Logger) {
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return // no systemd: nothing starts them
	}
	cmd := exec.CommandContext(ctx, "systemctl", "disable", "--now",
		"clamav-daemon.service", "clamav-daemon.socket", "clamav-freshclam.service")
	if out, err := cmd.CombinedOutput(); err != nil {
		logger.Warn("devclamd: could not disable the clamav services", slog.Any("error", err), slog.String("output", lastLines(out, 5)))
	}
}

func lookClamd() string {
	if p, err := exec.LookPath("clamd"); err == nil {
		return p
	}
	if _, err := os.Stat(debianClamd); err == nil {
		return debianClamd
	}
	return ""
}

func unprivilegedUser() (*credential, error) {
	for _, name := range []string{"clamav", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		return &credential{uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, errors.New("devclamd: running as root and no unprivileged user (clamav, nobody) to run clamd as")
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
