package intake

import (
	"math/rand"
	"sort"
	"testing"
)

func TestBetweenKeepsOrderUnderManyInserts(t *testing.T) {
	keys := []string{Between("", "")}
	r := rand.New(rand.NewSource(1))
	for range 2000 {
		i := r.Intn(len(keys) + 1) // insert before keys[i] (or at the end)
		lo, hi := "", ""
		if i > 0 {
			lo = keys[i-1]
		}
		if i < len(keys) {
			hi = keys[i]
		}
		k := Between(lo, hi)
		if (lo != "" && k <= lo) || (hi != "" && k >= hi) {
			t.Fatalf("Between(%q, %q) = %q is not between them", lo, hi, k)
		}
		keys = append(keys[:i], append([]string{k}, keys[i:]...)...)
	}
	if !sort.StringsAreSorted(keys) {
		t.Fatal("keys out of order")
	}
	appended := ""
	for range 1000 {
		appended = Between(appended, "")
	}
	if len(appended) > 40 {
		t.Fatalf("appending 1000 items grew keys to %d characters", len(appended))
	}
}
