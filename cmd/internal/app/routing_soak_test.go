package app

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime/metrics"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/classifier"
	"github.com/astralisops/astralis/internal/intake"
)

var importSoakBytes = flag.Int("import-soak-bytes", 512<<10, "body size of the made-up import TestRoutingImportSoak sends (the measurement: 8388608, the largest allowed by default)")

// TestRoutingImportSoak imports made-up words (every word new) into one
// organisation over the real API while another organisation classifies, and
// reports the other's classify latency (p50/p99) before, during and after, the
// time of a one-row import and of the first classify after it, and the
// process's heap and RSS before, at their peak during the import, and after.
// The server runs in the test process, so heap and RSS include the client
// side (which holds the import's body while sending it). make test sends
// 512 KiB; the measurement sends the largest import allowed by default:
//
//	./bin/astralis testenv -- go test ./cmd/internal/app/ -run TestRoutingImportSoak -import-soak-bytes=8388608 -v
func TestRoutingImportSoak(t *testing.T) {
	t.Parallel()
	admin, orgA, s, _ := setUpShop(t, true)
	var orgB struct {
		ID string `json:"id"`
	}
	admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Other Shop"}).decode(t, &orgB)
	addShopPipelines(admin, orgB.ID)
	pathA, pathB := "/api/v1/orgs/"+orgA, "/api/v1/orgs/"+orgB.ID
	var history []map[string]string
	for i := range 20 {
		history = append(history,
			map[string]string{"text": fmt.Sprintf("my phone screen cracked again, case %d", i), "pipeline": "repairs"},
			map[string]string{"text": fmt.Sprintf("could I get a quote for invoice %d", i), "pipeline": "billing"},
			map[string]string{"text": fmt.Sprintf("please move my visit to day %d", i), "pipeline": "bookings"})
	}
	admin.must(200, "POST", pathB+"/routing/examples", map[string]any{"examples": history})
	body, err := json.Marshal(map[string]any{"examples": madeUpExamples(rand.New(rand.NewPCG(3, 4)), *importSoakBytes-(16<<10), 1000)})
	if err != nil {
		t.Fatal(err)
	}

	classifyB := func() (time.Duration, error) {
		texts := []string{"the screen is cracked", "I need a quote for the repair", "can I move my appointment"}
		start := time.Now()
		r, err := post(admin, pathB+"/routing/classify", map[string]string{"text": texts[start.Nanosecond()%len(texts)]})
		if err == nil && r.status != 200 {
			err = fmt.Errorf("classify = %d %s", r.status, r.body)
		}
		return time.Since(start), err
	}
	latencies := func(n int) []time.Duration {
		var out []time.Duration
		for range n {
			d, err := classifyB()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
		return out
	}
	latencies(20) // warm: B's model parsed and cached
	beforeLatency := latencies(300)
	before := measureProcess(t, metricsURL(s))

	// During: B classifies without pause while A's import runs; memory is sampled every 50 ms.
	importDone := make(chan reply, 1)
	importStart := time.Now()
	go func() {
		r, err := postRaw(admin, pathA+"/routing/examples", body)
		if err != nil {
			r = reply{body: []byte(err.Error())}
		}
		importDone <- r
	}()
	var peakHeap, peakRSS uint64
	var sampling sync.WaitGroup
	stopSampling := make(chan struct{})
	sampling.Go(func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(sample) // no stop-the-world, unlike ReadMemStats
			peakHeap = max(peakHeap, sample[0].Value.Uint64())
			if rss, err := readResidentBytes(); err == nil {
				peakRSS = max(peakRSS, rss)
			}
			select {
			case <-stopSampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
	var duringLatency []time.Duration
	var imported reply
wait:
	for {
		select {
		case imported = <-importDone:
			break wait
		default:
		}
		d, err := classifyB()
		if err != nil {
			t.Fatal(err)
		}
		duringLatency = append(duringLatency, d)
	}
	importTime := time.Since(importStart)
	close(stopSampling)
	sampling.Wait()
	if imported.status != 200 {
		t.Fatalf("the import of %d bytes = %d %s", len(body), imported.status, imported.body)
	}
	body = nil

	// After: a one-row import into A, A's first classify, B again.
	start := time.Now()
	admin.must(200, "POST", pathA+"/routing/examples", map[string]any{"examples": []map[string]string{{"text": "the battery is dead", "pipeline": "repairs"}}})
	oneRowTime := time.Since(start)
	start = time.Now()
	admin.must(200, "POST", pathA+"/routing/classify", map[string]string{"text": "the screen is cracked"})
	firstClassifyTime := time.Since(start)
	afterLatency := latencies(300)
	after := measureProcess(t, metricsURL(s))

	features, savedBytes := storedFeatures(t, s, orgA)
	t.Logf("import of %.1f MiB of made-up words into A: %s (%s); A's saved model: %d features, %.1f MiB", mib(uint64(*importSoakBytes)), importTime.Round(time.Millisecond), imported.body, features, mib(uint64(savedBytes)))
	t.Logf("B's classify over HTTP: before p50 %s p99 %s (n=%d); during p50 %s p99 %s (n=%d); after p50 %s p99 %s (n=%d)",
		percentile(beforeLatency, 50), percentile(beforeLatency, 99), len(beforeLatency),
		percentile(duringLatency, 50), percentile(duringLatency, 99), len(duringLatency),
		percentile(afterLatency, 50), percentile(afterLatency, 99), len(afterLatency))
	t.Logf("then a one-row import into A: %s; A's first classify: %s", oneRowTime.Round(time.Millisecond), firstClassifyTime.Round(time.Millisecond))
	t.Logf("heap in use after GC: %.1f MiB before, %.1f MiB after; heap objects at most %.1f MiB during", mib(before.heapInuse), mib(after.heapInuse), mib(peakHeap))
	t.Logf("RSS: %.1f MiB before, at most %.1f MiB during, %.1f MiB after", mib(before.rss), mib(peakRSS), mib(after.rss))

	if maxFeatures := classifier.FeaturesWithin(intake.DefaultLimits.ModelBytes, 3); features > maxFeatures {
		t.Errorf("A's saved model holds %d features, want at most %d", features, maxFeatures)
	}
	// What stays in memory: the cached models, within limits.routing_cache_bytes.
	if grown := int64(after.heapInuse) - int64(before.heapInuse); grown > intake.DefaultLimits.CacheBytes {
		t.Errorf("heap in use after GC grew by %.1f MiB, want at most the model cache's %.0f MiB", mib(uint64(grown)), mib(uint64(intake.DefaultLimits.CacheBytes)))
	}
}

// post sends a JSON request as c without failing the test: for goroutines.
func post(c *caller, path string, in any) (reply, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return reply{}, err
	}
	return postRaw(c, path, data)
}

func postRaw(c *caller, path string, data []byte) (reply, error) {
	req, err := http.NewRequest("POST", c.base+path, bytes.NewReader(data))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", c.base)
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: out, header: resp.Header}, err
}

func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return sorted[min(len(sorted)-1, len(sorted)*p/100)].Round(10 * time.Microsecond)
}
