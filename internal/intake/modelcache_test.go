package intake

import (
	"testing"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/classifier"
)

func shopModel(t *testing.T) *classifier.Model {
	t.Helper()
	m, err := classifier.New([]classifier.Pipeline{
		{Key: "repairs", Name: "Repairs", Description: "Broken, cracked or faulty devices: screens, batteries, charging ports."},
		{Key: "billing", Name: "Billing", Description: "Invoices, payments, refunds, charges and receipts."},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestModelCacheStaysWithinItsBudget: however many organisations classify,
// the cache holds no more than its budget, evicting the least recently used.
func TestModelCacheStaysWithinItsBudget(t *testing.T) {
	size := shopModel(t).SizeBytes()
	cache := newModelCache(3*size + size/2) // room for three
	orgs := make([]uuid.UUID, 20)
	for i := range orgs {
		orgs[i] = uuid.New()
		cache.put(orgs[i], "v1", shopModel(t))
		if i > 0 { // the first organisation classifies all the time: it stays
			if _, ok := cache.get(orgs[0], "v1"); !ok {
				t.Fatalf("after %d organisations the most used model was evicted", i+1)
			}
		}
		if n, bytes := cache.usage(); n > 3 || bytes > 3*size+size/2 {
			t.Fatalf("after %d organisations the cache holds %d models, %d bytes; want at most 3 models within %d bytes", i+1, n, bytes, 3*size+size/2)
		}
	}
	if _, ok := cache.get(orgs[18], "v1"); !ok {
		t.Error("a recent model is not cached")
	}
	if _, ok := cache.get(orgs[1], "v1"); ok {
		t.Error("the least recently used model is still cached")
	}
	if cache.evictions != 17 {
		t.Errorf("%d evictions counted, want 17 (20 models, room for 3)", cache.evictions)
	}
	if _, ok := cache.get(orgs[19], "v2"); ok {
		t.Error("a stale version was returned")
	}

	// A newer version replaces the older; a model larger than the budget is not kept.
	cache.put(orgs[19], "v2", shopModel(t))
	if n, _ := cache.usage(); n != 3 {
		t.Errorf("after replacing a version the cache holds %d models, want 3", n)
	}
	small := newModelCache(size / 2)
	small.put(orgs[0], "v1", shopModel(t))
	if n, bytes := small.usage(); n != 0 || bytes != 0 {
		t.Errorf("a model over the whole budget was kept: %d models, %d bytes", n, bytes)
	}
}
