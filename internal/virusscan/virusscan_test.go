package virusscan_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/devclamd"
	"github.com/astralisops/astralis/internal/testenv"
	"github.com/astralisops/astralis/internal/virusscan"
)

// A minimal valid one-page PDF, the kind of file the product mostly scans.
const smallPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
	"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n" +
	"trailer<</Root 1 0 R>>\n%%EOF\n"

func scanWith(t *testing.T, cfg virusscan.Config, r io.Reader) (virusscan.Verdict, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return virusscan.New(cfg).Scan(ctx, r)
}

// ownClamd starts a clamd for one test, for tests that stop it or change its limits.
func ownClamd(t *testing.T, opts devclamd.Options) *devclamd.Server {
	t.Helper()
	srv, err := devclamd.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func TestEICARIsInfected(t *testing.T) {
	cfg := virusscan.Config{Address: testenv.ClamdAddress(t)}
	v, err := scanWith(t, cfg, strings.NewReader(devclamd.EICAR))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Infected || !strings.Contains(v.Signature, "Eicar") {
		t.Fatalf("EICAR: got %+v, want infected with an Eicar signature", v)
	}
}

func TestEICARSplitAcrossChunksIsInfected(t *testing.T) {
	// 7-byte chunks cut the 68-byte signature into ten pieces: clamd must see them joined.
	cfg := virusscan.Config{Address: testenv.ClamdAddress(t), ChunkSize: 7}
	v, err := scanWith(t, cfg, strings.NewReader(devclamd.EICAR))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Infected {
		t.Fatalf("EICAR in 7-byte chunks: got %+v, want infected", v)
	}
}

func TestCleanStreamsAreClean(t *testing.T) {
	random := make([]byte, 3<<20)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{
		"small PDF":       []byte(smallPDF),
		"3 MiB of random": random,
		"empty":           nil,
	} {
		t.Run(name, func(t *testing.T) {
			v, err := scanWith(t, virusscan.Config{Address: testenv.ClamdAddress(t)}, bytes.NewReader(content))
			if err != nil {
				t.Fatal(err)
			}
			if v.Infected || v.Signature != "" {
				t.Fatalf("got %+v, want clean", v)
			}
		})
	}
}

func TestScansOverAUnixSocket(t *testing.T) {
	srv := ownClamd(t, devclamd.Options{})
	cfg := virusscan.Config{Address: srv.UnixAddress()}
	v, err := scanWith(t, cfg, strings.NewReader(devclamd.EICAR))
	if err != nil {
		t.Fatal(err)
	}
	if !v.Infected {
		t.Fatalf("EICAR over %s: got %+v, want infected", cfg.Address, v)
	}
	if err := virusscan.New(cfg).Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestPingAndVersion(t *testing.T) {
	s := virusscan.New(virusscan.Config{Address: testenv.ClamdAddress(t)})
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	version, err := s.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(version, "ClamAV 1.") {
		t.Fatalf("version %q", version)
	}
}

func TestStreamOverTheLimitIsTooLarge(t *testing.T) {
	const limit = 1 << 20
	srv := ownClamd(t, devclamd.Options{StreamMaxLength: limit})
	cfg := virusscan.Config{Address: srv.Address()}

	v, err := scanWith(t, cfg, bytes.NewReader(make([]byte, limit)))
	if err != nil || v.Infected {
		t.Fatalf("a stream of exactly the limit: %+v, %v; want clean", v, err)
	}
	v, err = scanWith(t, cfg, bytes.NewReader(make([]byte, 32*limit)))
	if !errors.Is(err, virusscan.ErrTooLarge) {
		t.Fatalf("a stream of 32 times the limit (more than socket buffers hold): %+v, %v; want ErrTooLarge", v, err)
	}
	if v != (virusscan.Verdict{}) {
		t.Fatalf("a verdict came with the error: %+v", v)
	}
}

func TestStoppedClamdIsUnavailableUntilStartedAgain(t *testing.T) {
	srv := ownClamd(t, devclamd.Options{})
	s := virusscan.New(virusscan.Config{Address: srv.Address(), Timeout: 5 * time.Second})
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	v, err := s.Scan(context.Background(), strings.NewReader(devclamd.EICAR))
	if !errors.Is(err, virusscan.ErrUnavailable) {
		t.Fatalf("scan with clamd stopped: %+v, %v; want ErrUnavailable", v, err)
	}
	if err := s.Ping(context.Background()); !errors.Is(err, virusscan.ErrUnavailable) {
		t.Fatalf("ping with clamd stopped: %v; want ErrUnavailable", err)
	}

	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, err = s.Scan(context.Background(), strings.NewReader(devclamd.EICAR))
	if err != nil || !v.Infected {
		t.Fatalf("scan after start: %+v, %v; want infected", v, err)
	}
}

// failingReader yields n bytes of content, then fails.
type failingReader struct {
	content io.Reader
	err     error
}

func (r *failingReader) Read(p []byte) (int, error) {
	n, err := r.content.Read(p)
	if err == io.EOF {
		return n, r.err
	}
	return n, err
}

func TestAReaderThatFailsGivesAnErrorNotAVerdict(t *testing.T) {
	broken := errors.New("disk went away")
	for name, content := range map[string]string{
		"clean so far":    strings.Repeat("ordinary text ", 20000),
		"EICAR sent then": devclamd.EICAR,
	} {
		t.Run(name, func(t *testing.T) {
			cfg := virusscan.Config{Address: testenv.ClamdAddress(t), ChunkSize: 4096}
			v, err := scanWith(t, cfg, &failingReader{content: strings.NewReader(content), err: broken})
			var readErr *virusscan.ReadError
			if !errors.As(err, &readErr) || !errors.Is(err, broken) {
				t.Fatalf("got %+v, %v; want a ReadError wrapping the reader's error", v, err)
			}
			if v != (virusscan.Verdict{}) {
				t.Fatalf("a verdict came with the error: %+v", v)
			}
		})
	}
}

func TestUnreachableAddressIsUnavailable(t *testing.T) {
	srv := ownClamd(t, devclamd.Options{})
	address := srv.Address()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{address, srv.UnixAddress()} {
		_, err := scanWith(t, virusscan.Config{Address: addr}, strings.NewReader("x"))
		if !errors.Is(err, virusscan.ErrUnavailable) {
			t.Fatalf("%s: %v; want ErrUnavailable", addr, err)
		}
	}
}

func TestMalformedAddressIsAConfigurationError(t *testing.T) {
	for _, addr := range []string{"", "127.0.0.1:3310", "tcp://127.0.0.1", "unix://relative/path", "http://127.0.0.1:3310"} {
		if _, _, err := virusscan.ParseAddress(addr); err == nil {
			t.Errorf("ParseAddress(%q) accepted it", addr)
		}
		_, err := scanWith(t, virusscan.Config{Address: addr}, strings.NewReader("x"))
		if err == nil || errors.Is(err, virusscan.ErrUnavailable) {
			t.Errorf("scan via %q: %v; want a configuration error, not a retryable one", addr, err)
		}
	}
	for _, addr := range []string{"tcp://127.0.0.1:3310", "tcp://clamd:3310", "tcp://[::1]:3310", "unix:///run/clamav/clamd.ctl"} {
		if _, _, err := virusscan.ParseAddress(addr); err != nil {
			t.Errorf("ParseAddress(%q): %v", addr, err)
		}
	}
}
