package classifier

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// madeUpText is words of wordLen letters, every one new, about size bytes in
// all: what an import meant to bloat the model sends.
func madeUpText(rng *rand.Rand, size, wordLen int) string {
	var b strings.Builder
	for b.Len()+wordLen < size {
		for range wordLen {
			b.WriteByte(byte('a' + rng.IntN(26)))
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// liveHeap is the heap still in use after full collections (two: the first
// only moves what sync.Pools hold, such as encoding buffers, aside).
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestVocabularyStaysWithinItsCap: learning 4 MB of made-up words, short or
// thousands of letters long, keeps the model's real memory (the heap it holds
// after a collection) and its saved JSON within its cap, and the estimate the
// cache counts is not below the real size; what was taught often still
// routes, and the totals keep every occurrence learned. Not parallel: it
// measures the heap, in one goroutine (subtests would not).
func TestVocabularyStaysWithinItsCap(t *testing.T) {
	const maxBytes = 1 << 20
	for _, wordLen := range []int{4990, 49, 7} {
		rng := rand.New(rand.NewPCG(uint64(wordLen), 1))
		before := liveHeap()
		m, err := New(shop)
		if err != nil {
			t.Fatal(err)
		}
		m.LimitSize(maxBytes)
		occurrences := 0.0
		learn := func(text, pipeline string) {
			if err := m.Learn(text, pipeline); err != nil {
				t.Fatal(err)
			}
			occurrences += float64(len(features(text)))
		}
		for i := range 400 {
			learn(madeUpText(rng, 10_000, wordLen), shop[i%3].Key)
			if i%4 == 0 {
				learn("could I get a quote for the repair", "billing")
			}
		}
		heap := int64(liveHeap()) - int64(before)
		saved, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d-letter words: %d features; heap %d bytes, saved %d bytes, estimated %d bytes", wordLen, m.Vocabulary(), heap, len(saved), m.SizeBytes())
		if heap > maxBytes {
			t.Errorf("%d-letter words: the model holds %d bytes of heap, want at most its cap of %d", wordLen, heap, maxBytes)
		}
		if len(saved) > maxBytes {
			t.Errorf("%d-letter words: the saved model is %d bytes, want at most its cap of %d", wordLen, len(saved), maxBytes)
		}
		if m.SizeBytes() < heap {
			t.Errorf("%d-letter words: the model is estimated at %d bytes but holds %d", wordLen, m.SizeBytes(), heap)
		}
		if d := m.Classify("how much is a quote"); d.Pipeline != "billing" {
			t.Errorf("%d-letter words: after pruning, a quote routes to %+v, want billing", wordLen, d)
		}
		total := 0.0
		for _, n := range m.state.FeatTotal {
			total += n
		}
		if total != occurrences {
			t.Errorf("%d-letter words: after pruning the totals count %.0f occurrences, want all %.0f learned", wordLen, total, occurrences)
		}
	}
}

// TestLoadKeepsOnlyWhatFits: a model saved far over the cap (before the cap
// existed, or under a larger one) loads into no more memory than the cap,
// with its totals and examples as saved, and says it shrank; one within the
// cap loads whole.
func TestLoadKeepsOnlyWhatFits(t *testing.T) {
	const maxBytes = 256 << 10
	before := liveHeap()
	var b strings.Builder
	b.WriteString(`{"keys":["repairs","billing","bookings"],"examples":[100,100,100],"feat_total":[200051,1000,1000],"counts":{`)
	for i := range 200_000 {
		fmt.Fprintf(&b, `"w:made%dup":[1,0,0],`, i)
	}
	b.WriteString(`"w:screen":[50,0,0],"w:quot":[0,1000,0],"w:visit":[0,0,1000]}}`)
	saved := []byte(b.String())
	b.Reset()
	m, err := Load(shop, saved, maxBytes) // then saved is garbage
	if err != nil {
		t.Fatal(err)
	}
	heap := int64(liveHeap()) - int64(before)
	t.Logf("loaded %d of 200003 features: heap %d bytes, estimated %d", m.Vocabulary(), heap, m.SizeBytes())
	if heap > maxBytes {
		t.Errorf("the loaded model holds %d bytes of heap, want at most its cap of %d", heap, maxBytes)
	}
	if !m.ShrunkOnLoad() || m.Vocabulary() >= 200_000 {
		t.Errorf("loaded %d features, shrunk: %t; want fewer, shrunk", m.Vocabulary(), m.ShrunkOnLoad())
	}
	if m.Examples() != 300 || !slices.Equal(m.state.FeatTotal, []float64{200051, 1000, 1000}) {
		t.Errorf("loaded %d examples, totals %v; want them as saved", m.Examples(), m.state.FeatTotal)
	}
	if d := m.Classify("the screen"); d.Pipeline != "repairs" {
		t.Errorf("after loading: %+v, want repairs", d)
	}

	resaved, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Load(shop, resaved, maxBytes)
	if err != nil {
		t.Fatal(err)
	}
	if again.ShrunkOnLoad() || again.Vocabulary() != m.Vocabulary() {
		t.Errorf("the shrunk model saved and loaded again: %d features, shrunk: %t; want %d, not shrunk", again.Vocabulary(), again.ShrunkOnLoad(), m.Vocabulary())
	}
}

// TestPruningIsDeterministic: two processes pruning the same model keep the same features.
func TestPruningIsDeterministic(t *testing.T) {
	learn := func() []byte {
		m, _ := New(shop)
		m.LimitSize(64 << 10)
		rng := rand.New(rand.NewPCG(9, 9))
		for i := range 200 {
			_ = m.Learn(madeUpText(rng, 200, 6), shop[i%3].Key)
		}
		saved, _ := json.Marshal(m)
		return saved
	}
	if a, b := learn(), learn(); string(a) != string(b) {
		t.Error("the same examples pruned to different models")
	}
}

// TestPruningBreaksTiesTheSameWay: of two features pruning ranks alike (same
// count, both words), every process keeps the same one, even when their
// hashes agree in their top 42 bits (the part an earlier ranking used).
func TestPruningBreaksTiesTheSameWay(t *testing.T) {
	const a, b = "w:kmckhyspj", "w:dfeslotak"
	kept := map[string]int{}
	for range 20 {
		m, err := New(shop)
		if err != nil {
			t.Fatal(err)
		}
		for f, n := range map[string]float64{"w:screen": 5, "w:crack": 5, a: 1, b: 1, "b:<s>_screen": 1, "b:crack_</s>": 1} {
			m.counts(f)[0] = n
		}
		pipelines := len(shop)
		m.prune(featureBytes("w:screen", pipelines) + featureBytes("w:crack", pipelines) + featureBytes(a, pipelines))
		for _, f := range []string{a, b} {
			if m.state.Counts[f] != nil {
				kept[f]++
			}
		}
		if m.Vocabulary() != 3 || m.state.Counts["w:screen"] == nil || m.state.Counts["w:crack"] == nil {
			t.Fatalf("pruning kept %d features, want the two frequent words and one of %s and %s", m.Vocabulary(), a, b)
		}
	}
	if len(kept) != 1 {
		t.Errorf("20 prunings of the same model kept %v, want always the same feature", kept)
	}
}

// TestLongWordsAreCut: a word longer than maxTokenBytes makes a token of its
// first maxTokenBytes bytes (on a character boundary), so features stay small.
func TestLongWordsAreCut(t *testing.T) {
	long := strings.Repeat("x", 5000)
	ts := tokens(long+" "+strings.Repeat("é", 30), false)
	if len(ts) != 2 || ts[0] != strings.Repeat("x", maxTokenBytes) || ts[1] != strings.Repeat("é", maxTokenBytes/2) {
		t.Errorf("tokens of long words: %q", ts)
	}
	for _, f := range features(long + " " + long) {
		if len(f) > 2*maxTokenBytes+3 {
			t.Errorf("feature of %d bytes from long words", len(f))
		}
	}
}

// TestDescriptionsOverTheCapStillLearn: an organisation whose pipelines'
// descriptions alone take more than the cap still learns from its decisions
// (the learned words keep a share of the cap), and its model, saved and
// loaded again, does not claim to have shrunk: nothing was forgotten, so
// nothing needs saving again.
func TestDescriptionsOverTheCapStillLearn(t *testing.T) {
	t.Parallel()
	const maxBytes = 64 << 10
	rng := rand.New(rand.NewPCG(7, 7))
	wordy := slices.Clone(shop)
	for i := range 2 { // about 500 kB of description match each: every word is new
		wordy = append(wordy, Pipeline{Key: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("P%d", i), Description: madeUpText(rng, 2000, 7)})
	}
	m, err := New(wordy)
	if err != nil {
		t.Fatal(err)
	}
	m.LimitSize(maxBytes)
	if m.coldBytes <= maxBytes {
		t.Fatalf("the descriptions take %d bytes, want more than the cap of %d for this test", m.coldBytes, maxBytes)
	}
	for range 5 {
		if err := m.Learn("could I get a quote for the repair", "billing"); err != nil {
			t.Fatal(err)
		}
	}
	if m.Vocabulary() == 0 {
		t.Errorf("descriptions of %d bytes over a cap of %d: the model forgot every word it was taught", m.coldBytes, maxBytes)
	}
	if d := m.Classify("could I get a quote"); d.Pipeline != "billing" || !strings.HasPrefix(d.Reason, "words like") {
		t.Errorf("after learning: %+v, want billing for the words it learned", d)
	}
	saved, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		loaded, err := Load(wordy, saved, maxBytes)
		if err != nil {
			t.Fatal(err)
		}
		if loaded.ShrunkOnLoad() || loaded.Vocabulary() != m.Vocabulary() {
			t.Errorf("loaded %d of %d features, shrunk: %t; want all, not shrunk (so it is not saved again at every load)", loaded.Vocabulary(), m.Vocabulary(), loaded.ShrunkOnLoad())
		}
	}
}
