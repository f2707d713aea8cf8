package classifier

import (
	"cmp"
	"slices"
	"strings"
)

// featureOverhead is about what one learned feature costs in memory besides
// its counts (8 bytes per pipeline): its map slot, key and slice header.
// Measured with Go 1.26 at 60 to 90 bytes; rounded up.
const featureOverhead = 96

// keptAfterPruning is the share of the vocabulary a prune keeps: pruning
// sorts the whole vocabulary, so it frees room for many new features at once.
const keptAfterPruning = 0.75

// FeaturesWithin is how many features a model routing to the given number of
// pipelines may keep to stay within about maxBytes of memory (at least one).
func FeaturesWithin(maxBytes int64, pipelines int) int {
	return int(max(1, maxBytes/featureBytes(pipelines)))
}

func featureBytes(pipelines int) int64 { return featureOverhead + 8*int64(max(1, pipelines)) }

// LimitVocabulary caps how many features (words and word pairs) the model
// keeps: whenever learning takes it past maxFeatures, the rarest are
// forgotten (word pairs before words, then in a fixed pseudo-random order),
// down to three quarters of the cap. Zero or less means no cap.
func (m *Model) LimitVocabulary(maxFeatures int) {
	m.maxFeatures = max(0, maxFeatures)
	if m.maxFeatures > 0 && len(m.state.Counts) > m.maxFeatures {
		m.prune()
	}
}

// Vocabulary is how many features the model knows.
func (m *Model) Vocabulary() int { return len(m.state.Counts) }

// SizeBytes estimates the model's memory: what it learned and its description match.
func (m *Model) SizeBytes() int64 {
	return int64(len(m.state.Counts))*featureBytes(len(m.state.Keys)) + m.cold.sizeBytes()
}

// prune keeps the most frequent features. The kept totals of FeatTotal stay
// as they are: the forgotten occurrences happened, so what remains keeps its
// weight.
func (m *Model) prune() {
	type ranked struct {
		feature string
		total   float64
		isWord  bool
		order   uint64
	}
	all := make([]ranked, 0, len(m.state.Counts))
	for f, counts := range m.state.Counts {
		total := 0.0
		for _, c := range counts {
			total += c
		}
		all = append(all, ranked{feature: f, total: total, isWord: strings.HasPrefix(f, "w:"), order: fnv1a(f)})
	}
	slices.SortFunc(all, func(a, b ranked) int { // most worth keeping first
		if c := cmp.Compare(b.total, a.total); c != 0 {
			return c
		}
		if a.isWord != b.isWord {
			if a.isWord {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.order, b.order)
	})
	keep := min(len(all), max(1, int(float64(m.maxFeatures)*keptAfterPruning)))
	kept := make(map[string][]float64, keep) // a new map: deleting would not shrink the old one
	for _, r := range all[:keep] {
		kept[r.feature] = m.state.Counts[r.feature]
	}
	m.state.Counts = kept
}

// fnv1a is a fixed hash, so that ties are broken the same way in every process.
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
