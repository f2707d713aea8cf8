package classifier

import "math"

// coldScorer matches a request against what an organisation wrote about its
// pipelines (name and description), before any routing decision exists:
// BM25 over stemmed words plus a character n-gram cosine that catches word
// forms the stemmer misses (withdraw/withdrawal, "top up"/"top-up").
type coldScorer struct {
	docTF   []map[string]float64 // term frequencies per pipeline document
	docLen  []float64
	avgLen  float64
	idf     map[string]float64
	gramIDF map[string]float64
	gramVec []map[string]float64 // L2-normalised TF-IDF n-gram vector per pipeline
}

const (
	nameRepeats     = 2 // a pipeline's name counts twice its description
	bm25K1          = 1.2
	bm25B           = 0.75
	gramWeight      = 1.0
	gramMin         = 3
	gramMax         = 5
	coldTemperature = 0.82 // softmax temperature, fitted on labelled data once
)

func newColdScorer(pipelines []Pipeline) *coldScorer {
	c := &coldScorer{idf: map[string]float64{}, gramIDF: map[string]float64{}}
	n := float64(len(pipelines))
	df, gramDF := map[string]int{}, map[string]int{}
	docs := make([][]string, len(pipelines))
	for i, p := range pipelines {
		var ws []string
		for range nameRepeats {
			ws = append(ws, tokens(p.Name, true)...)
		}
		ws = append(ws, tokens(p.Description, true)...)
		docs[i] = ws
		tf := map[string]float64{}
		for _, w := range ws {
			tf[w]++
		}
		c.docTF = append(c.docTF, tf)
		c.docLen = append(c.docLen, float64(len(ws)))
		c.avgLen += float64(len(ws)) / n
		for w := range tf {
			df[w]++
		}
		seen := map[string]bool{}
		eachGram(ws, func(g string) {
			if !seen[g] {
				seen[g] = true
				gramDF[g]++
			}
		})
	}
	for w, d := range df {
		c.idf[w] = math.Log(1 + (n-float64(d)+0.5)/(float64(d)+0.5))
	}
	for g, d := range gramDF {
		c.gramIDF[g] = math.Log(1 + n/float64(d))
	}
	for _, ws := range docs {
		v := map[string]float64{}
		eachGram(ws, func(g string) { v[g] += c.gramIDF[g] })
		normalize(v)
		c.gramVec = append(c.gramVec, v)
	}
	return c
}

// eachGram calls f for every character n-gram of "_word_" for each word.
func eachGram(ws []string, f func(string)) {
	for _, w := range ws {
		padded := "_" + w + "_"
		for n := gramMin; n <= gramMax; n++ {
			for i := 0; i+n <= len(padded); i++ {
				f(padded[i : i+n])
			}
		}
	}
}

func normalize(v map[string]float64) {
	sum := 0.0
	for _, x := range v {
		sum += x * x
	}
	if sum == 0 {
		return
	}
	scale := 1 / math.Sqrt(sum)
	for k := range v {
		v[k] *= scale
	}
}

// scores returns one raw score per pipeline, and the matched query terms (for the reason).
func (c *coldScorer) scores(text string) ([]float64, []string) {
	query := tokens(text, true)
	out := make([]float64, len(c.docTF))
	seen := map[string]bool{}
	var matched []string
	for _, t := range query {
		idf, known := c.idf[t]
		if seen[t] || !known {
			continue
		}
		seen[t] = true
		matched = append(matched, t)
		for p, tf := range c.docTF {
			f := tf[t]
			if f == 0 {
				continue
			}
			out[p] += idf * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*c.docLen[p]/c.avgLen))
		}
	}
	// The query vector keeps grams in first-seen order so sums are bit-for-bit repeatable.
	var grams []string
	weights := map[string]float64{}
	eachGram(query, func(g string) {
		if w, ok := c.gramIDF[g]; ok {
			if _, dup := weights[g]; !dup {
				grams = append(grams, g)
			}
			weights[g] += w
		}
	})
	norm := 0.0
	for _, g := range grams {
		norm += weights[g] * weights[g]
	}
	if norm > 0 {
		norm = 1 / math.Sqrt(norm)
		for p, doc := range c.gramVec {
			dot := 0.0
			for _, g := range grams {
				dot += weights[g] * norm * doc[g]
			}
			out[p] += gramWeight * dot
		}
	}
	return out, matched
}

// coldEntryBytes is about what one term or n-gram entry of a map costs.
const coldEntryBytes = 64

// sizeBytes estimates the scorer's memory from its map entries.
func (c *coldScorer) sizeBytes() int64 {
	entries := len(c.idf) + len(c.gramIDF)
	for i := range c.docTF {
		entries += len(c.docTF[i]) + len(c.gramVec[i])
	}
	return int64(entries) * coldEntryBytes
}
