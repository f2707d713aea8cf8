package intake_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
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
