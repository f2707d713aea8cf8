package intake_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/astralisops/astralis/internal/classifier"
	"github.com/astralisops/astralis/internal/intake"
)

// savedModel is a routing model as the database holds it: features made-up
// words seen once in repairs, and "screen" seen often in repairs.
func savedModel(features int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"keys":["repairs","billing"],"examples":[100,100],"feat_total":[%d,0],"counts":{`, features+50)
	for i := range features {
		fmt.Fprintf(&b, `"w:made%dup":[1,0],`, i)
	}
	b.WriteString(`"w:screen":[50,0]}}`)
	return []byte(b.String())
}

func (f fixture) saveModel(t *testing.T, model []byte) {
	t.Helper()
	if _, err := f.pool.Exec(t.Context(), "INSERT INTO routing_models (org_id, model, examples) VALUES ($1, $2, 200)", f.org, model); err != nil {
		t.Fatal(err)
	}
}

// storedModelBytes is the size of the organisation's saved model.
func (f fixture) storedModelBytes(t *testing.T) int {
	return f.count(t, "SELECT length(model::text) FROM routing_models WHERE org_id = $1", f.org)
}

// counter is the value of a counter the service reports.
func counter(t *testing.T, c prometheus.Collector, name string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range families {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestConcurrentMissesLoadTheModelOnce: requests that find the organisation's
// model missing from the cache together parse it once, not once each.
func TestConcurrentMissesLoadTheModelOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "repairs", "billing")
	f.saveModel(t, savedModel(40_000)) // about 1 MB: parsing it takes a while
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			<-start
			d, err := f.svc.Classify(t.Context(), f.org, "the screen is cracked")
			if err == nil && d.Pipeline != "repairs" {
				err = fmt.Errorf("routed to %+v, want repairs", d)
			}
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if loads := counter(t, f.svc.Metrics(), "astralis_routing_model_loads_total"); loads != 1 {
		t.Errorf("8 requests missing the cache together parsed the model %.0f times, want once", loads)
	}
}

// TestAnOversizedSavedModelIsSavedPruned: a model saved larger than
// limits.routing_model_bytes (before the cap existed, or under a larger one)
// is saved again pruned to the cap the first time it is loaded, so later
// loads parse the smaller copy; what it learned most still routes.
func TestAnOversizedSavedModelIsSavedPruned(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "repairs", "billing")
	f.saveModel(t, savedModel(300_000)) // about 7 MB saved, some 40 MB in memory
	before := f.storedModelBytes(t)
	for range 2 {
		d, err := f.svc.Classify(t.Context(), f.org, "the screen is cracked")
		if err != nil || d.Pipeline != "repairs" {
			t.Fatalf("classify = %+v, %v; want repairs", d, err)
		}
	}
	after := f.storedModelBytes(t)
	t.Logf("saved model: %d bytes before its first load, %d after", before, after)
	if after > 8<<20/4 {
		t.Errorf("after loading, the saved model is %d bytes (%d before), want it saved pruned to its 8 MiB cap (under 2 MiB of JSON)", after, before)
	}
	if n := f.count(t, "SELECT examples FROM routing_models WHERE org_id = $1", f.org); n != 200 {
		t.Errorf("the saved model counts %d examples, want the 200 it learned from", n)
	}
}

// TestClassifyDoesNotWaitForTheRoutingLock: while an import (or an operator's
// decision) holds the organisation's routing lock, a Classify that loads a
// model saved over its cap answers within its own deadline, leaving the saved
// copy as it is (a later load saves it pruned), instead of waiting for the
// import to commit.
func TestClassifyDoesNotWaitForTheRoutingLock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "repairs", "billing")
	f.saveModel(t, savedModel(100_000)) // over the 8 MiB cap once parsed: its load saves it pruned
	before := f.storedModelBytes(t)
	importing, err := f.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = importing.Rollback(context.Background()) }()
	if _, err := importing.Exec(t.Context(), "SELECT pg_advisory_xact_lock(hashtextextended('routing:' || $1::uuid::text, 0))", f.org); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	type answer struct {
		d   classifier.Classification
		err error
	}
	answered := make(chan answer, 1)
	go func() {
		d, err := f.svc.Classify(ctx, f.org, "the screen is cracked")
		answered <- answer{d, err}
	}()
	select {
	case a := <-answered:
		if a.err != nil || a.d.Pipeline != "repairs" {
			t.Fatalf("classify while the routing lock is held = %+v, %v; want repairs", a.d, a.err)
		}
	case <-time.After(time.Minute): // a bound for the test only: the request's own deadline is 30 s
		t.Fatal("Classify with a 30 s deadline still waits for the import holding the routing lock after a minute")
	}
	if after := f.storedModelBytes(t); after != before {
		t.Errorf("the saved model went from %d to %d bytes while an import held the routing lock, want it left to the import", before, after)
	}
}

// TestLongDescriptionsDoNotResaveTheModelAtEveryLoad: an organisation whose
// pipelines' descriptions alone take more than limits.routing_model_bytes
// loads its saved model without saving it again: nothing was forgotten, so
// the next request finds it cached instead of loading and saving it again.
func TestLongDescriptionsDoNotResaveTheModelAtEveryLoad(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "repairs", "billing")
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range 20 { // about 0.5 MB of description match each (every word new): over the 8 MiB cap together
		var words strings.Builder
		for words.Len() < 1990 {
			for range 7 {
				words.WriteByte(byte('a' + rng.IntN(26)))
			}
			words.WriteByte(' ')
		}
		if _, err := f.svc.CreatePipeline(t.Context(), f.org, intake.PipelineInput{Key: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("P%d", i), Description: words.String(), Stages: []string{"new"}}); err != nil {
			t.Fatal(err)
		}
	}
	f.saveModel(t, savedModel(100))
	var savedAt time.Time
	if err := f.pool.QueryRow(t.Context(), "SELECT updated_at FROM routing_models WHERE org_id = $1", f.org).Scan(&savedAt); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if d, err := f.svc.Classify(t.Context(), f.org, "the screen is cracked"); err != nil || d.Pipeline != "repairs" {
			t.Fatalf("classify = %+v, %v; want repairs", d, err)
		}
	}
	var updatedAt time.Time
	if err := f.pool.QueryRow(t.Context(), "SELECT updated_at FROM routing_models WHERE org_id = $1", f.org).Scan(&updatedAt); err != nil {
		t.Fatal(err)
	}
	if !updatedAt.Equal(savedAt) {
		t.Errorf("classifying saved the model again (updated %v, saved %v), want it left as saved", updatedAt, savedAt)
	}
	if loads := counter(t, f.svc.Metrics(), "astralis_routing_model_loads_total"); loads != 1 {
		t.Errorf("3 requests loaded the model %.0f times, want once (then cached)", loads)
	}
}
