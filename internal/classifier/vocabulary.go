package classifier

import (
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
// weight. It runs in the middle of imports, so it sorts numbers, not strings,
// and deletes in place: the map keeps the size it had at the cap, no more.
func (m *Model) prune() {
	features := make([]string, 0, len(m.state.Counts))
	ranks := make([]uint64, 0, len(m.state.Counts))
	for f, counts := range m.state.Counts {
		features = append(features, f)
		ranks = append(ranks, rank(f, counts))
	}
	keep := min(len(features), max(1, int(float64(m.maxFeatures)*keptAfterPruning)))
	sorted := slices.Clone(ranks)
	slices.Sort(sorted)
	cutoff := sorted[len(sorted)-keep]
	for i, f := range features {
		if ranks[i] < cutoff {
			delete(m.state.Counts, f)
		}
	}
	for i, f := range features { // equal ranks (same count and hash bits): as many as needed
		if len(m.state.Counts) <= keep {
			break
		}
		if ranks[i] == cutoff {
			delete(m.state.Counts, f)
		}
	}
}

// rank orders features by how much they are worth keeping: their occurrences
// (up to 2^20), then words before word pairs, then a fixed hash, so that ties
// are broken the same way in every process.
func rank(feature string, counts []float64) uint64 {
	total := 0.0
	for _, c := range counts {
		total += c
	}
	r := uint64(min(max(total, 0), 1<<20-1)) << 43
	if strings.HasPrefix(feature, "w:") {
		r |= 1 << 42
	}
	return r | fnv1a(feature)>>22
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
