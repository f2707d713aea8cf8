package devclamd_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/devclamd"
	"github.com/astralisops/astralis/internal/virusscan"
)

func startClamd(t *testing.T, opts devclamd.Options) *devclamd.Server {
	t.Helper()
	srv, err := devclamd.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return srv
}

func scan(t *testing.T, address, content string) (virusscan.Verdict, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return virusscan.New(virusscan.Config{Address: address}).Scan(ctx, strings.NewReader(content))
}

func TestServesTheEICARSignatureOnly(t *testing.T) {
	srv := startClamd(t, devclamd.Options{})
	v, err := scan(t, srv.Address(), devclamd.EICAR)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Infected || !strings.HasPrefix(v.Signature, devclamd.EICARSignature) {
		t.Fatalf("EICAR: got %+v, want infected by %s", v, devclamd.EICARSignature)
	}
	v, err = scan(t, srv.Address(), "%PDF-1.4\n% carrying "+devclamd.EICAR+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if !v.Infected {
		t.Fatalf("a PDF carrying EICAR reported clean: %+v", v)
	}
	v, err = scan(t, srv.Address(), "%PDF-1.4\n% an ordinary document\n")
	if err != nil {
		t.Fatal(err)
	}
	if v.Infected {
		t.Fatalf("clean text reported infected: %+v", v)
	}
	version, err := virusscan.New(virusscan.Config{Address: srv.Address()}).Version(context.Background())
	if err != nil || !strings.HasPrefix(version, "ClamAV ") {
		t.Fatalf("version %q, %v", version, err)
	}
}

func TestStopAndStartKeepTheAddress(t *testing.T) {
	srv := startClamd(t, devclamd.Options{})
	address := srv.Address()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := scan(t, address, devclamd.EICAR); !errors.Is(err, virusscan.ErrUnavailable) {
		t.Fatalf("scan with clamd stopped: got %v, want ErrUnavailable", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.Address() != address {
		t.Fatalf("address moved from %s to %s", address, srv.Address())
	}
	v, err := scan(t, address, devclamd.EICAR)
	if err != nil || !v.Infected {
		t.Fatalf("after restart: %+v, %v", v, err)
	}
}

func TestStartRevivesAClamdThatDied(t *testing.T) {
	srv := startClamd(t, devclamd.Options{})
	pid := srv.PID()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Its /proc entry goes once the server has reaped it, and so knows it died.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("clamd (pid %d) still there after SIGKILL", pid)
		}
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, err := scan(t, srv.Address(), devclamd.EICAR)
	if err != nil || !v.Infected {
		t.Fatalf("after Start: %+v, %v", v, err)
	}
}

func TestRunsUnprivilegedWhenRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Log("not root: clamd runs as the current user")
	}
	srv := startClamd(t, devclamd.Options{})
	pid := srv.PID()
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if fields := strings.Fields(line); len(fields) > 1 && fields[0] == "Uid:" {
			if fields[1] == "0" {
				t.Fatalf("clamd runs as root: %s", line)
			}
			return
		}
	}
	t.Fatal("no Uid line in /proc status")
}

func TestCloseRemovesItsDirectory(t *testing.T) {
	srv, err := devclamd.Start(context.Background(), devclamd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := srv.Dir()
	if _, err := os.Stat(dir + "/clamd.conf"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s still there after Close: %v", dir, err)
	}
}
