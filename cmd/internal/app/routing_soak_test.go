package app

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

var (
	importSoakBytes   = flag.Int("import-soak-bytes", 512<<10, "body size of the made-up import TestRoutingImportSoak sends (the measurement: 8388608, the largest allowed by default)")
	importSoakLetters = flag.Int("import-soak-letters", 0, "letters in each made-up word TestRoutingImportSoak sends (0: 4 to 9; long words: 4990)")
)

// TestRoutingImportSoak imports made-up words (every word new) into one
// organisation over the real API while another organisation classifies, and
// reports the other's classify latency (p50/p99) before, during and after, the
// time of a one-row import and of the first classify after it, and the
// process's heap and RSS before, at their peak during the import, and after.
// The server runs in the test process, so heap and RSS include the client
// side (which holds the import's body while sending it). It asserts what the
// limits promise: the saved model within limits.routing_model_bytes, the
// model cache within limits.routing_cache_bytes. make test sends 512 KiB of
// short words; the measurements send the largest import allowed by default:
//
//	./bin/astralis testenv -- go test ./cmd/internal/app/ -run TestRoutingImportSoak -import-soak-bytes=8388608 -v
//	./bin/astralis testenv -- go test ./cmd/internal/app/ -run TestRoutingImportSoak -import-soak-bytes=8388608 -import-soak-letters=4990 -v
//
// Not parallel: its latency and memory figures are of this test alone.
func TestRoutingImportSoak(t *testing.T) {
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
	textBytes := 1000
	if *importSoakLetters > 1000 {
		textBytes = 10_000 // the longest text allowed: two such words
	}
	body, err := json.Marshal(map[string]any{"examples": madeUpExamples(rand.New(rand.NewPCG(3, 4)), *importSoakBytes-(16<<10), textBytes, *importSoakLetters)})
	if err != nil {
		t.Fatal(err)
	}

	var classifyBodies [][]byte
	for _, text := range []string{"the screen is cracked", "I need a quote for the repair", "can I move my appointment"} {
		data, _ := json.Marshal(map[string]string{"text": text})
		classifyBodies = append(classifyBodies, data)
	}
	classifyB := func() (time.Duration, error) {
		start := time.Now()
		r, err := admin.send("POST", pathB+"/routing/classify", classifyBodies[start.Nanosecond()%len(classifyBodies)])
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
		r, err := admin.send("POST", pathA+"/routing/examples", body)
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
	cacheBytes, cacheModels := metricValue(t, s, "astralis_routing_model_cache_bytes"), metricValue(t, s, "astralis_routing_model_cache_models")
	t.Logf("import of %.1f MiB of made-up words (%d letters; 0: 4 to 9) into A: %s (%s); A's saved model: %d features, %.2f MiB", mib(uint64(*importSoakBytes)), *importSoakLetters, importTime.Round(time.Millisecond), imported.body, features, mib(uint64(savedBytes)))
	t.Logf("B's classify over HTTP: before p50 %s p99 %s (n=%d); during p50 %s p99 %s (n=%d); after p50 %s p99 %s (n=%d)",
		percentile(beforeLatency, 50), percentile(beforeLatency, 99), len(beforeLatency),
		percentile(duringLatency, 50), percentile(duringLatency, 99), len(duringLatency),
		percentile(afterLatency, 50), percentile(afterLatency, 99), len(afterLatency))
	t.Logf("then a one-row import into A: %s; A's first classify: %s", oneRowTime.Round(time.Millisecond), firstClassifyTime.Round(time.Millisecond))
	t.Logf("heap in use after GC: %.1f MiB before, %.1f MiB after; heap objects at most %.1f MiB during", mib(before.heapInuse), mib(after.heapInuse), mib(peakHeap))
	t.Logf("RSS: %.1f MiB before, at most %.1f MiB during, %.1f MiB after", mib(before.rss), mib(peakRSS), mib(after.rss))
	t.Logf("model cache: %.0f models, %.2f MiB estimated", cacheModels, mib(uint64(cacheBytes)))

	limits := s.Config.Limits
	if int64(savedBytes) > limits.RoutingModelBytes {
		t.Errorf("A's saved model is %d bytes, want at most limits.routing_model_bytes (%d)", savedBytes, limits.RoutingModelBytes)
	}
	// What stays in memory: the cached models, within limits.routing_cache_bytes, A's among them.
	if cacheModels != 2 || cacheBytes > float64(limits.RoutingCacheBytes) {
		t.Errorf("the model cache holds %.0f models of %.0f bytes, want A's and B's within limits.routing_cache_bytes (%d)", cacheModels, cacheBytes, limits.RoutingCacheBytes)
	}
}
