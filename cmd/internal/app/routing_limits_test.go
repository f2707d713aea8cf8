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

	"github.com/astralisops/astralis/internal/config"
)

// madeUpWords is at most n bytes of words no language has, each one a new
// feature for the router, of the given number of letters (0: 4 to 9).
func madeUpWords(rng *rand.Rand, n, letters int) string {
	var b strings.Builder
	for {
		l := letters
		if l == 0 {
			l = 4 + rng.IntN(6)
		}
		if b.Len()+l > n {
			return strings.TrimSpace(b.String())
		}
		for range l {
			b.WriteByte(byte('a' + rng.IntN(26)))
		}
		b.WriteByte(' ')
	}
}

// madeUpExamples are examples of made-up words (see madeUpWords), spread over
// the shop's pipelines, about size bytes of JSON in all.
func madeUpExamples(rng *rand.Rand, size, textBytes, letters int) []map[string]string {
	keys := []string{"repairs", "billing", "bookings"}
	var examples []map[string]string
	for i := 0; (i+1)*(textBytes+40) < size; i++ {
		examples = append(examples, map[string]string{"text": madeUpWords(rng, textBytes, letters), "pipeline": keys[i%len(keys)]})
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

// TestRoutingImportsAreBounded: importing made-up words, short or thousands
// of letters long, keeps the organisation's saved model within
// limits.routing_model_bytes, and what it was taught often still routes; a
// body over limits.routing_import_bytes is a 413, more examples than
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

	// 400 examples of 2 KB of made-up words: some 250,000 words and word
	// pairs; then 90 of two words of 4,990 letters each.
	for _, letters := range []int{0, 4990} {
		examples := madeUpExamples(rng, 900<<10, 2000, letters)
		if letters > 0 {
			examples = madeUpExamples(rng, 900<<10, 9990, letters)
		}
		for range 30 {
			examples = append(examples, map[string]string{"text": "could I get a quote for fixing it", "pipeline": "billing"})
		}
		admin.must(200, "POST", orgPath+"/routing/examples", map[string]any{"examples": examples})
		if features, size := storedFeatures(t, s, org); size > modelBytes {
			t.Errorf("after importing %d examples of made-up words (%d letters; 0: 4 to 9) the saved model is %d bytes (%d features), want at most limits.routing_model_bytes (%d)", len(examples), letters, size, features, modelBytes)
		}
		var d struct {
			Pipeline string `json:"pipeline"`
		}
		admin.must(200, "POST", orgPath+"/routing/classify", map[string]string{"text": "how much is a quote"}).decode(t, &d)
		if d.Pipeline != "billing" {
			t.Errorf("after pruning, a quote routes to %q, want billing", d.Pipeline)
		}
	}

	// Over the body limit: 413, nothing stored.
	r := admin.do("POST", orgPath+"/routing/examples", map[string]any{"examples": madeUpExamples(rng, importBytes+(100<<10), 2000, 0)})
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
	return startSlowImportOf(t, c, orgPath, -1)
}

// startSlowImportOf is startSlowImport with a declared Content-Length (-1: chunked).
func startSlowImportOf(t *testing.T, c *caller, orgPath string, declared int64) slowImport {
	t.Helper()
	slow := startImport(t, c, orgPath, declared)
	_, _ = slow.body.Write([]byte(`{"examples":[`)) // returns once the client took it, or when the request ended
	return slow
}

// startImport starts an import declaring a Content-Length (-1: chunked) whose
// body is whatever the test writes to it; its status arrives on done.
func startImport(t *testing.T, c *caller, orgPath string, declared int64) slowImport {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	req, err := http.NewRequest("POST", c.base+orgPath+"/routing/examples", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = declared
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
	return slowImport{body: pw, done: done}
}

// TestOneOrganisationCannotTakeEveryImportSlot: an organisation runs one
// import at a time, so two slowly sent bodies of its own do not hold both of
// the server's slots while another organisation waits; a body whose
// Content-Length is over the limit is refused at once, without a slot.
func TestOneOrganisationCannotTakeEveryImportSlot(t *testing.T) {
	t.Parallel()
	const importBytes = 1 << 20
	admin, orgA, _, _, _ := setUpShopFull(t, true, func(c *config.Config) {
		c.Limits.RoutingImportBytes = importBytes
		c.Limits.RoutingImports = 2
	})
	var orgB struct {
		ID string `json:"id"`
	}
	admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Other Shop"}).decode(t, &orgB)
	addShopPipelines(admin, orgB.ID)
	pathA, pathB := "/api/v1/orgs/"+orgA, "/api/v1/orgs/"+orgB.ID
	one := map[string]any{"examples": []map[string]string{{"text": "my screen is cracked", "pipeline": "repairs"}}}

	// While A's import is sending its body, A's next one waits its turn, though a slot is free.
	slow := startSlowImport(t, admin, pathA)
	deadline := time.Now().Add(10 * time.Second)
	r := admin.do("POST", pathA+"/routing/examples", one)
	for ; r.status != 429; r = admin.do("POST", pathA+"/routing/examples", one) {
		if r.status != 200 || time.Now().After(deadline) {
			t.Fatalf("an import into A while another into A is sending its body = %d %s, want 429", r.status, r.body)
		}
		select {
		case status := <-slow.done: // it came while ours held A's turn: send it again
			if status != 429 {
				t.Fatalf("the slow import ended with %d before its body was sent", status)
			}
			slow = startSlowImport(t, admin, pathA)
		default:
		}
		time.Sleep(20 * time.Millisecond)
	}
	if typ, _ := problemFields(t, r); typ != "/problems/rate-limited" || r.header.Get("Retry-After") == "" || !strings.Contains(string(r.body), "into this organisation") {
		t.Errorf("A's second import: %s, Retry-After %q; want rate-limited naming A's running import, with Retry-After", r.body, r.header.Get("Retry-After"))
	}
	// A second slow body of A's is refused at once instead of holding the other slot.
	second := startSlowImport(t, admin, pathA)
	select {
	case status := <-second.done:
		if status != 429 {
			t.Errorf("A's second slowly sent import = %d, want 429", status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("A's second slowly sent import was not refused: it holds the other slot")
	}
	admin.must(200, "POST", pathB+"/routing/examples", one)

	// A body declared over the limit: 413 before a byte of it is read.
	declared := startDeclaredImport(t, admin, pathB, importBytes+1)
	select {
	case status := <-declared:
		if status != 413 {
			t.Errorf("an import declaring %d bytes = %d, want 413", importBytes+1, status)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("an import declaring %d bytes got no answer while its body was not sent", importBytes+1)
	}

	if _, err := slow.body.Write([]byte(`{"text":"the battery is dead","pipeline":"repairs"}]}`)); err != nil {
		t.Fatal(err)
	}
	slow.body.Close()
	if status := <-slow.done; status != 200 {
		t.Fatalf("the slow import = %d, want 200", status)
	}
}

// TestASlowImportIsCutOff: an import whose body has not arrived within
// limits.routing_import_timeout ends with a 408, and its slot is free again.
func TestASlowImportIsCutOff(t *testing.T) {
	t.Parallel()
	admin, org, _, _, _ := setUpShopFull(t, true, func(c *config.Config) {
		c.Limits.RoutingImports = 1
		c.Limits.RoutingImportTimeout = time.Second
	})
	orgPath := "/api/v1/orgs/" + org
	// Chunked, and with a declared length the sender never completes: the
	// server must answer rather than wait to read the rest of the body first.
	for _, declared := range []int64{-1, 100 << 10} {
		slow := startSlowImportOf(t, admin, orgPath, declared)
		select {
		case status := <-slow.done:
			if status != 408 {
				t.Errorf("an import (Content-Length %d) whose body stopped arriving = %d, want 408", declared, status)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("an import (Content-Length %d) whose body stopped arriving a second into a 1 s limit got no answer 30 s on", declared)
		}
		admin.must(200, "POST", orgPath+"/routing/examples", map[string]any{"examples": []map[string]string{{"text": "my screen is cracked", "pipeline": "repairs"}}})
	}
}

// startDeclaredImport starts an import that declares a Content-Length of n and sends no body; its status arrives on the channel (0: it failed).
func startDeclaredImport(t *testing.T, c *caller, orgPath string, n int64) <-chan int {
	t.Helper()
	return startImport(t, c, orgPath, n).done
}
