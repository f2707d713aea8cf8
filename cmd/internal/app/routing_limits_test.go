package app

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/classifier"
	"github.com/astralisops/astralis/internal/config"
)

// madeUpWords is about n bytes of words no language has: each one a new feature for the router.
func madeUpWords(rng *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		for range 4 + rng.IntN(6) {
			b.WriteByte(byte('a' + rng.IntN(26)))
		}
		b.WriteByte(' ')
	}
	return strings.TrimSpace(b.String())
}

// madeUpExamples are examples of made-up words, spread over the shop's pipelines, about size bytes of JSON in all.
func madeUpExamples(rng *rand.Rand, size, textBytes int) []map[string]string {
	keys := []string{"repairs", "billing", "bookings"}
	var examples []map[string]string
	for i := 0; (i+1)*(textBytes+40) < size; i++ {
		examples = append(examples, map[string]string{"text": madeUpWords(rng, textBytes), "pipeline": keys[i%len(keys)]})
	}
	return examples
}

// storedFeatures is how many features the organisation's saved routing model holds.
func storedFeatures(t *testing.T, s *Services, org string) (features, bytes int) {
	t.Helper()
	var saved []byte
	if err := s.Pool.QueryRow(context.Background(), "SELECT model FROM routing_models WHERE org_id = $1", uuid.MustParse(org)).Scan(&saved); err != nil {
		t.Fatal(err)
	}
	var model struct {
		Counts map[string]json.RawMessage `json:"counts"`
	}
	if err := json.Unmarshal(saved, &model); err != nil {
		t.Fatal(err)
	}
	return len(model.Counts), len(saved)
}

// TestRoutingImportsAreBounded: importing made-up words keeps the
// organisation's model within limits.routing_model_bytes, saved and served,
// and what it was taught often still routes; a body over
// limits.routing_import_bytes is a 413, more examples than
// limits.routing_import_examples a 422 naming examples, and an import while
// limits.routing_imports others run a 429 with Retry-After.
func TestRoutingImportsAreBounded(t *testing.T) {
	t.Parallel()
	const modelBytes, importBytes = 256 << 10, 1 << 20
	admin, org, s, _, _ := setUpShopFull(t, true, func(c *config.Config) {
		c.Limits.RoutingModelBytes = modelBytes
		c.Limits.RoutingImportBytes = importBytes
		c.Limits.RoutingImportExamples = 500
		c.Limits.RoutingImports = 1
	})
	orgPath := "/api/v1/orgs/" + org
	rng := rand.New(rand.NewPCG(1, 2))

	// 400 examples of 2 KB of made-up words: some 250,000 words and word pairs.
	examples := madeUpExamples(rng, 900<<10, 2000)
	for range 30 {
		examples = append(examples, map[string]string{"text": "could I get a quote for fixing it", "pipeline": "billing"})
	}
	admin.must(200, "POST", orgPath+"/routing/examples", map[string]any{"examples": examples})
	maxFeatures := classifier.FeaturesWithin(modelBytes, 3)
	if features, size := storedFeatures(t, s, org); features > maxFeatures {
		t.Errorf("after importing %d examples of made-up words the saved model holds %d features (%d bytes), want at most %d", len(examples), features, size, maxFeatures)
	}
	var d struct {
		Pipeline string `json:"pipeline"`
	}
	admin.must(200, "POST", orgPath+"/routing/classify", map[string]string{"text": "how much is a quote"}).decode(t, &d)
	if d.Pipeline != "billing" {
		t.Errorf("after pruning, a quote routes to %q, want billing", d.Pipeline)
	}

	// Over the body limit: 413, nothing stored.
	r := admin.do("POST", orgPath+"/routing/examples", map[string]any{"examples": madeUpExamples(rng, importBytes+(100<<10), 2000)})
	if r.status != 413 || r.header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("an import over %d bytes = %d %s %s, want a 413 problem", importBytes, r.status, r.header.Get("Content-Type"), r.body)
	}
	// Over the examples limit: 422 naming examples.
	many := make([]map[string]string, 501)
	for i := range many {
		many[i] = map[string]string{"text": "my screen is cracked", "pipeline": "repairs"}
	}
	r = admin.do("POST", orgPath+"/routing/examples", map[string]any{"examples": many})
	if _, fields := problemFields(t, r); r.status != 422 || len(fields) != 1 || fields[0] != "examples" {
		t.Errorf("501 examples with a limit of 500 = %d %s, want a 422 naming examples", r.status, r.body)
	}

	// One import at a time: while one is still sending its body, another waits its turn (429).
	one := map[string]any{"examples": []map[string]string{{"text": "my screen is cracked", "pipeline": "repairs"}}}
	slow := startSlowImport(t, admin, orgPath)
	deadline := time.Now().Add(30 * time.Second)
	for r = admin.do("POST", orgPath+"/routing/examples", one); r.status != 429; r = admin.do("POST", orgPath+"/routing/examples", one) {
		if r.status != 200 || time.Now().After(deadline) {
			t.Fatalf("an import while another is sending its body = %d %s, want 429", r.status, r.body)
		}
		select {
		case status := <-slow.done: // it came while ours held the slot: send it again
			if status != 429 {
				t.Fatalf("the slow import ended with %d before its body was sent", status)
			}
			slow = startSlowImport(t, admin, orgPath)
		default:
		}
		time.Sleep(20 * time.Millisecond) // until the slow import holds the only slot
	}
	if typ, _ := problemFields(t, r); typ != "/problems/rate-limited" || r.header.Get("Retry-After") == "" {
		t.Errorf("busy import: %s, Retry-After %q; want rate-limited with Retry-After", r.body, r.header.Get("Retry-After"))
	}
	if _, err := slow.body.Write([]byte(`{"text":"the battery is dead","pipeline":"repairs"}]}`)); err != nil {
		t.Fatal(err)
	}
	slow.body.Close()
	if status := <-slow.done; status != 200 {
		t.Fatalf("the slow import = %d, want 200", status)
	}
	admin.must(200, "POST", orgPath+"/routing/examples", one)
}

type slowImport struct {
	body *io.PipeWriter
	done chan int // its status, 0 when it failed
}

// startSlowImport starts an import that has sent the start of its body and waits for the rest.
func startSlowImport(t *testing.T, c *caller, orgPath string) slowImport {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	req, err := http.NewRequest("POST", c.base+orgPath+"/routing/examples", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", c.base)
	done := make(chan int, 1)
	go func() {
		resp, err := c.http.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	_, _ = pw.Write([]byte(`{"examples":[`)) // returns once the client took it, or when the request ended
	return slowImport{body: pw, done: done}
}
