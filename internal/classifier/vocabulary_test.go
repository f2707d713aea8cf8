package classifier

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomText is n made-up words: every one new, as in an import meant to bloat the model.
func randomText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		for range 4 + rng.IntN(6) {
			b.WriteByte(byte('a' + rng.IntN(26)))
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// TestVocabularyStaysWithinItsCap: learning tens of thousands of distinct
// made-up words keeps the model, in memory and saved, within its cap, and
// what was taught often still routes.
func TestVocabularyStaysWithinItsCap(t *testing.T) {
	const maxFeatures = 2000
	m, err := New(shop)
	if err != nil {
		t.Fatal(err)
	}
	m.LimitVocabulary(maxFeatures)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 400 { // 400 × 100 new words and 100 new word pairs
		if err := m.Learn(randomText(rng, 100), shop[i%3].Key); err != nil {
			t.Fatal(err)
		}
		if i%4 == 0 {
			if err := m.Learn("could I get a quote for the repair", "billing"); err != nil {
				t.Fatal(err)
			}
		}
		if v := m.Vocabulary(); v > maxFeatures {
			t.Fatalf("after %d examples the model keeps %d features, want at most %d", i+1, v, maxFeatures)
		}
	}
	saved, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	// A feature saves as "b:word_word":[n,n,n]: well under 64 bytes with words of at most 9 letters.
	if len(saved) > maxFeatures*64 {
		t.Errorf("the saved model is %d bytes, want at most %d", len(saved), maxFeatures*64)
	}
	if size := m.SizeBytes(); size > int64(maxFeatures)*featureBytes(len(shop))+m.cold.sizeBytes() {
		t.Errorf("estimated size %d bytes exceeds the cap's", size)
	}
	if d := m.Classify("how much is a quote"); d.Pipeline != "billing" {
		t.Errorf("after pruning, a quote routes to %+v, want billing", d)
	}
}

// TestLoadPrunesAnOversizedModel: a model saved without a cap (or under a
// larger one) is cut down to the cap as it is loaded.
func TestLoadPrunesAnOversizedModel(t *testing.T) {
	big, err := New(shop)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 8))
	for i := range 100 {
		if err := big.Learn(randomText(rng, 100), shop[i%3].Key); err != nil {
			t.Fatal(err)
		}
		if err := big.Learn("my screen is cracked", "repairs"); err != nil {
			t.Fatal(err)
		}
	}
	saved, err := json.Marshal(big)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(shop, saved)
	if err != nil {
		t.Fatal(err)
	}
	m.LimitVocabulary(500)
	if m.Vocabulary() > 500 || big.Vocabulary() <= 500 {
		t.Fatalf("loaded %d of %d features, want at most 500", m.Vocabulary(), big.Vocabulary())
	}
	if m.Examples() != big.Examples() {
		t.Errorf("examples %d, want %d", m.Examples(), big.Examples())
	}
	if d := m.Classify("the screen cracked"); d.Pipeline != "repairs" {
		t.Errorf("after pruning: %+v, want repairs", d)
	}
}

// TestPruningIsDeterministic: two processes pruning the same model keep the same features.
func TestPruningIsDeterministic(t *testing.T) {
	learn := func() []byte {
		m, _ := New(shop)
		m.LimitVocabulary(300)
		rng := rand.New(rand.NewPCG(9, 9))
		for i := range 50 {
			_ = m.Learn(randomText(rng, 30), shop[i%3].Key)
		}
		saved, _ := json.Marshal(m)
		return saved
	}
	if a, b := learn(), learn(); string(a) != string(b) {
		t.Error("the same examples pruned to different models")
	}
}

func TestFeaturesWithin(t *testing.T) {
	if n := FeaturesWithin(8<<20, 7); n < 50_000 || n > 60_000 {
		t.Errorf("8 MiB for 7 pipelines: %d features", n)
	}
	if n := FeaturesWithin(8<<20, 1000); n > 1100 {
		t.Errorf("8 MiB for 1000 pipelines: %d features, want fewer as pipelines grow", n)
	}
	if n := FeaturesWithin(1, 7); n != 1 {
		t.Errorf("a tiny budget: %d features, want 1", n)
	}
}
