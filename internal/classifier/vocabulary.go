package classifier

import (
	"cmp"
	"hash/fnv"
	"slices"
	"strings"
)

// featureOverhead is what one learned feature costs in memory besides its
// name's bytes and its counts (8 bytes per pipeline): its map slot with the
// string and slice headers, the map's free slots, the allocator's rounding.
// Measured with Go 1.26 at 60 to 85 bytes (after pruning rebuilds the map);
// rounded up, so that the estimate is not below the real size.
const featureOverhead = 112

// keptAfterPruning is the share of the cap a prune keeps: pruning sorts the
// whole vocabulary, so it frees room for many new features at once.
const keptAfterPruning = 0.75

// featureBytes estimates what one feature costs with counts for the given number of pipelines.
func featureBytes(feature string, pipelines int) int64 {
	return featureOverhead + int64(len(feature)) + 8*int64(pipelines)
}

// LimitSize caps the model's memory (SizeBytes) at about maxBytes: whenever
// learning takes it past the cap, the rarest features are forgotten (word
// pairs before words, then in a fixed pseudo-random order), down to three
// quarters of it. Each feature counts its name's bytes and a count per
// pipeline, so a model routing to more pipelines keeps fewer features. The
// description match counts against the cap but is not pruned, and the learned
// features may always take a quarter of the cap: a model whose descriptions
// alone come near the cap takes up to them plus a quarter of it. Zero or less
// means no cap.
func (m *Model) LimitSize(maxBytes int64) {
	m.maxBytes = max(0, maxBytes)
	if m.overCap() {
		m.prune(m.pruneBudget())
	}
}

// Vocabulary is how many features the model knows.
func (m *Model) Vocabulary() int { return len(m.state.Counts) }

// SizeBytes estimates the model's memory: what it learned and its description match.
func (m *Model) SizeBytes() int64 { return m.bytes + m.coldBytes }

// ShrunkOnLoad reports whether Load forgot features to fit the cap: the saved
// copy is larger than the model, and saving the model again would shrink it.
func (m *Model) ShrunkOnLoad() bool { return m.shrunkOnLoad }

// minLearnedShare is the share of the cap the learned features may always
// take, however much of it the description match takes: descriptions that
// fill the cap alone would otherwise leave no room to learn.
const minLearnedShare = 0.25

// learnedCap is what the learned features may take: the cap less the
// description match (which is not pruned), and at least minLearnedShare of it.
func (m *Model) learnedCap() int64 {
	return max(m.maxBytes-m.coldBytes, int64(float64(m.maxBytes)*minLearnedShare))
}

func (m *Model) overCap() bool { return m.maxBytes > 0 && m.bytes > m.learnedCap() }

// pruneBudget is what the learned features may take after a prune: three
// quarters of the cap less the description match, or of their minimum share.
func (m *Model) pruneBudget() int64 {
	return max(int64(float64(m.maxBytes)*keptAfterPruning)-m.coldBytes, int64(float64(m.maxBytes)*minLearnedShare*keptAfterPruning))
}

// prune keeps the features most worth keeping within budget bytes. The kept
// totals of FeatTotal stay as they are: the forgotten occurrences happened,
// so what remains keeps its weight.
func (m *Model) prune(budget int64) {
	fs := make([]feature, 0, len(m.state.Counts))
	for name, counts := range m.state.Counts {
		fs = append(fs, feature{name, counts})
	}
	m.keep(mostWorthKeeping(fs, budget, len(m.state.Keys)))
}

// keep makes fs the model's features, in a map made for them: deleting in
// place would leave the map at its largest size, and with more slots
// (deleted ones) than features.
func (m *Model) keep(fs []feature) {
	m.state.Counts = make(map[string][]float64, len(fs))
	m.bytes = 0
	for _, f := range fs {
		m.state.Counts[f.name] = f.counts
		m.bytes += featureBytes(f.name, len(m.state.Keys))
	}
}

type feature struct {
	name   string
	counts []float64
}

// mostWorthKeeping returns the features of fs most worth keeping that fit in
// budget bytes. Every process orders them alike: by occurrences, words
// before word pairs, then by a fixed hash of the name and by the name itself.
func mostWorthKeeping(fs []feature, budget int64, pipelines int) []feature {
	type ranked struct {
		key uint64 // occurrences (up to 2^21-1), a word, the top 42 bits of the hash: one number sorts fast
		i   int32
	}
	order := make([]ranked, len(fs))
	for i, f := range fs {
		total := 0.0
		for _, c := range f.counts {
			total += c
		}
		key := uint64(min(max(total, 0), 1<<21-1)) << 43
		if strings.HasPrefix(f.name, "w:") {
			key |= 1 << 42
		}
		order[i] = ranked{key | nameHash(f.name)>>22, int32(i)}
	}
	slices.SortFunc(order, func(a, b ranked) int {
		if a.key != b.key {
			return cmp.Compare(b.key, a.key)
		}
		x, y := fs[a.i].name, fs[b.i].name // rare: equal counts and 42 bits of hash
		return cmp.Or(cmp.Compare(nameHash(x), nameHash(y)), strings.Compare(x, y))
	})
	kept := make([]feature, 0, len(fs))
	for _, r := range order {
		if budget -= featureBytes(fs[r.i].name, pipelines); budget < 0 {
			break
		}
		kept = append(kept, fs[r.i])
	}
	return kept
}

func nameHash(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}
