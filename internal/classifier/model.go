// Package classifier is the local intake classifier: it routes a request's text
// to one of an organisation's pipelines, offline and in microseconds. Cold, it
// knows only what the organisation wrote about its pipelines; every operator
// decision and imported example then teaches it (multinomial Naive Bayes over
// words and word pairs), with the description match fading out as evidence grows.
package classifier

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Pipeline is what the classifier knows of a pipeline before any example.
type Pipeline struct {
	Key         string
	Name        string
	Description string
}

// Classification is a routing proposal.
type Classification struct {
	Pipeline   string  `json:"pipeline"`
	Confidence float64 `json:"confidence"`
	Reason     string  `json:"reason"`
}

const (
	smoothing       = 0.3   // additive smoothing of feature counts
	coldFadeOut     = 300.0 // examples at which learned evidence and the description match weigh the same
	warmTemperature = 3.12  // softmax temperature once learning dominates, fitted on labelled data once
)

// Model routes text for one organisation. Learn and Classify are not safe to
// call concurrently; callers hold one model per organisation behind a lock.
type Model struct {
	pipelines    []Pipeline
	cold         *coldScorer
	coldBytes    int64 // estimated memory of cold
	state        state
	bytes        int64 // estimated memory of state.Counts (see featureBytes)
	maxBytes     int64 // cap on bytes; 0: unbounded
	shrunkOnLoad bool
}

// state is what is learned, stored per organisation (see MarshalJSON).
type state struct {
	Keys      []string             `json:"keys"`       // class order of the slices below
	Examples  []float64            `json:"examples"`   // examples per pipeline
	FeatTotal []float64            `json:"feat_total"` // feature occurrences per pipeline
	Counts    map[string][]float64 `json:"counts"`     // feature → occurrences per pipeline
}

// New returns a model that knows only the pipelines' names and descriptions.
func New(pipelines []Pipeline) (*Model, error) {
	if len(pipelines) == 0 {
		return nil, errors.New("routing: no pipelines to route to")
	}
	keys := make([]string, len(pipelines))
	for i, p := range pipelines {
		if p.Key == "" || slices.Contains(keys[:i], p.Key) {
			return nil, fmt.Errorf("routing: pipeline keys must be unique and non-empty (%q)", p.Key)
		}
		keys[i] = p.Key
	}
	cold := newColdScorer(pipelines)
	return &Model{
		pipelines: pipelines,
		cold:      cold,
		coldBytes: cold.sizeBytes(),
		state: state{
			Keys:      keys,
			Examples:  make([]float64, len(pipelines)),
			FeatTotal: make([]float64, len(pipelines)),
			Counts:    map[string][]float64{},
		},
	}, nil
}

// Load restores a model saved with MarshalJSON for the current pipelines:
// what was learned for a pipeline that no longer exists is dropped, a new
// pipeline starts from its description. A model saved over maxBytes (before
// the cap, under a larger one or with fewer pipelines) keeps only the features
// most worth keeping, as pruning would, and the map is made for those alone.
// Zero or less means no cap.
func Load(pipelines []Pipeline, saved []byte, maxBytes int64) (*Model, error) {
	m, err := New(pipelines)
	if err != nil {
		return nil, err
	}
	m.maxBytes = max(0, maxBytes)
	var old state
	if err := json.Unmarshal(saved, &old); err != nil {
		return nil, fmt.Errorf("routing: saved model: %w", err)
	}
	if len(old.Examples) != len(old.Keys) || len(old.FeatTotal) != len(old.Keys) {
		return nil, errors.New("routing: saved model is inconsistent")
	}
	newIdx := make([]int, len(old.Keys)) // -1: the pipeline is gone
	for oldIdx, key := range old.Keys {
		newIdx[oldIdx] = slices.Index(m.state.Keys, key)
		if idx := newIdx[oldIdx]; idx >= 0 {
			m.state.Examples[idx] = old.Examples[oldIdx]
			m.state.FeatTotal[idx] = old.FeatTotal[oldIdx]
		}
	}
	fs := make([]feature, 0, len(old.Counts))
	for f, oldCounts := range old.Counts {
		if len(oldCounts) != len(old.Keys) {
			continue
		}
		var counts []float64
		for oldIdx, c := range oldCounts {
			if idx := newIdx[oldIdx]; idx >= 0 && c != 0 {
				if counts == nil {
					counts = make([]float64, len(m.state.Keys))
				}
				counts[idx] = c
			}
		}
		if counts != nil {
			fs = append(fs, feature{f, counts})
			m.bytes += featureBytes(f, len(m.state.Keys)) // to know whether it fits
		}
	}
	old.Counts = nil // the parsed copy can go as the kept one is built
	if m.overCap() {
		kept := mostWorthKeeping(fs, m.pruneBudget(), len(m.state.Keys))
		m.shrunkOnLoad = len(kept) < len(fs) // else saving it again would change nothing
		fs = kept
	}
	m.keep(fs)
	return m, nil
}

// MarshalJSON saves what the model learned (the pipelines are stored elsewhere).
func (m *Model) MarshalJSON() ([]byte, error) { return json.Marshal(m.state) }

func (m *Model) counts(feature string) []float64 {
	c := m.state.Counts[feature]
	if c == nil {
		c = make([]float64, len(m.state.Keys))
		m.state.Counts[feature] = c
		m.bytes += featureBytes(feature, len(m.state.Keys))
	}
	return c
}

// Examples is how many decisions the model has learned from.
func (m *Model) Examples() int {
	n := 0.0
	for _, e := range m.state.Examples {
		n += e
	}
	return int(n)
}

// Learn takes one routing decision (an operator's, or an imported example) into account.
func (m *Model) Learn(text, pipeline string) error {
	idx := slices.Index(m.state.Keys, pipeline)
	if idx < 0 {
		return fmt.Errorf("routing: unknown pipeline %q", pipeline)
	}
	m.state.Examples[idx]++
	for _, f := range features(text) {
		m.counts(f)[idx]++
		m.state.FeatTotal[idx]++
		if m.overCap() { // at once: one long example does not take the model far past its cap
			m.prune(m.pruneBudget())
		}
	}
	return nil
}

// features are the distinct words (w:) and word pairs (b:) of text, stop words kept.
func features(text string) []string {
	ws := tokens(text, false)
	seen := make(map[string]bool, 2*len(ws)+1)
	out := make([]string, 0, 2*len(ws)+1)
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, w := range ws {
		add("w:" + w)
	}
	prev := "<s>"
	for _, w := range ws {
		add("b:" + prev + "_" + w)
		prev = w
	}
	add("b:" + prev + "_</s>")
	return out
}

// Classify proposes a pipeline with a confidence in [0, 1] and a short reason.
func (m *Model) Classify(text string) Classification {
	k := len(m.state.Keys)
	n := float64(m.Examples())
	learned := n / (n + coldFadeOut) // 0 cold; towards 1 as examples accumulate

	score, matched := m.cold.scores(text)
	evidence := make([]float64, k)
	var featureWeights []weightedTerm
	if n > 0 {
		vocabulary := float64(len(m.state.Counts)) + 1
		for c := range k {
			evidence[c] = math.Log((m.state.Examples[c] + 1) / (n + float64(k)))
		}
		for _, f := range features(text) {
			counts := m.state.Counts[f]
			if counts == nil {
				continue // never seen: says nothing
			}
			logs := make([]float64, k)
			for c := range k {
				logs[c] = math.Log((counts[c] + smoothing) / (m.state.FeatTotal[c] + smoothing*vocabulary))
				evidence[c] += logs[c]
			}
			featureWeights = append(featureWeights, weightedTerm{feature: f, logs: logs})
		}
		for c := range k {
			score[c] += learned * evidence[c]
		}
	}
	temperature := coldTemperature + learned*(warmTemperature-coldTemperature)
	probs := softmax(score, temperature)
	best := 0
	for c := range probs {
		if probs[c] > probs[best] {
			best = c
		}
	}
	return Classification{
		Pipeline:   m.state.Keys[best],
		Confidence: probs[best],
		Reason:     m.reason(best, int(n), matched, featureWeights),
	}
}

type weightedTerm struct {
	feature string
	logs    []float64
}

// reason names the words that most favoured the chosen pipeline.
func (m *Model) reason(best, examples int, matched []string, terms []weightedTerm) string {
	if examples == 0 {
		if len(matched) == 0 {
			return "no word of the request matches a pipeline description"
		}
		return fmt.Sprintf("matches the description of %s: %s", m.pipelines[best].Name, strings.Join(first(matched, 4), ", "))
	}
	type lift struct {
		word  string
		value float64
	}
	var lifts []lift
	for _, t := range terms {
		word, isWord := strings.CutPrefix(t.feature, "w:")
		if !isWord {
			continue
		}
		others := math.Inf(-1)
		for c, l := range t.logs {
			if c != best {
				others = math.Max(others, l)
			}
		}
		if v := t.logs[best] - others; v > 0 {
			lifts = append(lifts, lift{word, v})
		}
	}
	sort.SliceStable(lifts, func(i, j int) bool { return lifts[i].value > lifts[j].value })
	ws := make([]string, 0, 4)
	for _, l := range first(lifts, 4) {
		ws = append(ws, l.word)
	}
	if len(ws) == 0 {
		return fmt.Sprintf("most like past %s requests overall (%d decisions learned)", m.pipelines[best].Name, examples)
	}
	return fmt.Sprintf("words like %s point to %s (%d decisions learned)", strings.Join(ws, ", "), m.pipelines[best].Name, examples)
}

func first[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func softmax(scores []float64, temperature float64) []float64 {
	top := math.Inf(-1)
	for _, s := range scores {
		top = math.Max(top, s)
	}
	out := make([]float64, len(scores))
	sum := 0.0
	for i, s := range scores {
		out[i] = math.Exp((s - top) / temperature)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}
