package app

import (
	"context"
	"errors"
	"flag"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// metricsURL is where the process started by startDev serves /metrics: its metrics listener.
func metricsURL(s *Services) string { return "http://" + s.Config.HTTP.MetricsAddr + "/metrics" }

// TestMetricsOnlyOnTheirListener: the public API listener does not serve
// /metrics; the internal metrics listener serves the Go, HTTP, Temporal SDK
// and routing model cache metrics.
func TestMetricsOnlyOnTheirListener(t *testing.T) {
	t.Parallel()
	apiURL, s := startDev(t)
	if status, body := get(t, apiURL+"/readyz"); status != 200 {
		t.Fatalf("readyz = %d %s", status, body)
	}
	resp, err := http.Get(apiURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("the API listener answers /metrics with %d %s, want a 404 problem", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// What every API answer carries, through the real server.
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}

	// The SDK's metrics appear once the worker has talked to Temporal.
	want := []string{"go_goroutines", "process_resident_memory_bytes", `astralis_http_requests_total{method="GET",route="/readyz",status="200"}`, "temporal_request",
		"astralis_routing_model_cache_bytes", "astralis_routing_model_cache_evictions_total", "astralis_routing_model_loads_total"}
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body := get(t, metricsURL(s))
		var missing []string
		for _, w := range want {
			if !strings.Contains(body, w) {
				missing = append(missing, w)
			}
		}
		if status == 200 && len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics listener: GET /metrics = %d, lacking %q", status, missing)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The metrics listener serves nothing else: not the API.
	if status, _ := get(t, "http://"+s.Config.HTTP.MetricsAddr+"/readyz"); status != 404 {
		t.Errorf("metrics listener: GET /readyz = %d, want 404", status)
	}
}

var soakRequests = flag.Int("soak-requests", 500, "requests TestSoakRandomMethodsAndPaths sends (the soak: 10000)")

// TestSoakRandomMethodsAndPaths sends requests with made-up methods (some 20 KB
// long) and paths to the real HTTP server on 127.0.0.1 and checks /metrics
// stays within a fixed bound, reporting its size and the process's heap and
// RSS before and after. The server runs in the test process, so heap and RSS
// include the client side. make test sends 500; the soak sends 10,000 and
// stops by itself (fixed count, 5-minute limit):
//
//	./bin/astralis testenv -- go test ./cmd/internal/app/ -run TestSoakRandomMethodsAndPaths -soak-requests=10000 -v
func TestSoakRandomMethodsAndPaths(t *testing.T) {
	t.Parallel()
	requests, workers := int64(*soakRequests), 8
	apiURL, s := startDev(t)
	metrics := metricsURL(s)
	before := measureProcess(t, metrics)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: 30 * time.Second}
	var sent, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 77))
			for {
				i := sent.Add(1)
				if i > requests || ctx.Err() != nil {
					return
				}
				req, err := http.NewRequestWithContext(ctx, soakMethod(rng, i), apiURL+soakPath(rng), nil)
				if err != nil {
					failed.Add(1)
					continue
				}
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	// Connections dialled but never used count as active for 5 s in the server's shutdown.
	client.CloseIdleConnections()
	if ctx.Err() != nil {
		t.Fatalf("the soak did not finish within its time limit (%s)", elapsed)
	}
	after := measureProcess(t, metrics)
	t.Logf("%d requests with made-up methods and paths in %s (%d failed)", requests, elapsed.Round(time.Millisecond), failed.Load())
	t.Logf("/metrics: %d bytes before, %d bytes after", before.metricsBytes, after.metricsBytes)
	t.Logf("heap in use after GC: %.1f MiB before, %.1f MiB after", mib(before.heapInuse), mib(after.heapInuse))
	t.Logf("RSS: %.1f MiB before, %.1f MiB after", mib(before.rss), mib(after.rss))
	if failed.Load() > 0 {
		t.Errorf("%d requests failed", failed.Load())
	}
	if grown := after.metricsBytes - before.metricsBytes; grown > 256<<10 {
		t.Errorf("/metrics grew by %d bytes over the soak, want at most 256 KiB", grown)
	}
}

type processFigures struct {
	metricsBytes int
	heapInuse    uint64
	rss          uint64
}

func measureProcess(t *testing.T, metricsURL string) processFigures {
	t.Helper()
	status, body := get(t, metricsURL)
	if status != 200 {
		t.Fatalf("%s = %d", metricsURL, status)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return processFigures{metricsBytes: len(body), heapInuse: ms.HeapInuse, rss: residentBytes(t)}
}

// residentBytes is the process's resident set size (VmRSS in /proc/self/status).
func residentBytes(t *testing.T) uint64 {
	t.Helper()
	rss, err := readResidentBytes()
	if err != nil {
		t.Fatal(err)
	}
	return rss
}

func readResidentBytes() (uint64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/self/status")
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// metricValue is the value of a metric without labels that the process serves on its metrics listener.
func metricValue(t *testing.T, s *Services, name string) float64 {
	t.Helper()
	status, body := get(t, metricsURL(s))
	if status != 200 {
		t.Fatalf("GET /metrics = %d", status)
	}
	for line := range strings.Lines(body) {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return v
		}
	}
	t.Fatalf("%s is not among the metrics", name)
	return 0
}

// percentile is the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return sorted[min(len(sorted)-1, len(sorted)*p/100)].Round(10 * time.Microsecond)
}

const soakTchars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~"

// soakPathChars need no escaping in a path.
const soakPathChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

func soakToken(rng *rand.Rand, n int) string   { return soakString(rng, soakTchars, n) }
func soakSegment(rng *rand.Rand, n int) string { return soakString(rng, soakPathChars, n) }

func soakString(rng *rand.Rand, chars string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[rng.IntN(len(chars))]
	}
	return string(b)
}

// soakMethod is made up (1 in 97 is 20 KB long), except 1 in 5 standard ones.
func soakMethod(rng *rand.Rand, i int64) string {
	switch {
	case i%97 == 0:
		return soakToken(rng, 20<<10)
	case i%5 == 0:
		return []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}[rng.IntN(8)]
	default:
		return soakToken(rng, 1+rng.IntN(40))
	}
}

func soakPath(rng *rand.Rand) string {
	switch rng.IntN(4) {
	case 0:
		return "/" + soakSegment(rng, 1+rng.IntN(60))
	case 1:
		return "/api/v1/" + soakSegment(rng, 1+rng.IntN(60))
	case 2:
		return "/api/v1/orgs/" + soakSegment(rng, 8) + "/intake/" + soakSegment(rng, 8)
	default:
		return "/healthz"
	}
}
