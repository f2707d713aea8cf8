package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"time"

	"github.com/astralisops/astralis/internal/classifier"
	"github.com/astralisops/astralis/internal/config"
)

// runEvalRouting measures routing on a labelled data set laid out like
// ../shared/data/banking77: pipelines.json (pipelines with the intents they
// own) and train.csv (text,category). A fixed shuffle holds out the last part.
// By default it goes through the API as a customer would: it starts `astralis
// dev` on a fresh data directory (or uses --api), creates the organisation and
// its pipelines, measures cold, imports the rest as history, measures warm.
// --offline measures the classifier alone, in process.
func runEvalRouting(args []string) int {
	fs := flag.NewFlagSet("eval-routing", flag.ContinueOnError)
	dir := fs.String("data", "../shared/data/banking77", "folder with pipelines.json and train.csv")
	seed := fs.Int64("seed", 77, "shuffle seed")
	holdout := fs.Float64("holdout", 0.2, "share of rows held out for measuring")
	threshold := fs.Float64("threshold", 0.8, "confidence at which a request would be routed without an operator")
	offline := fs.Bool("offline", false, "measure the classifier in process instead of through the API")
	modelBytes := fs.Int64("model-bytes", config.Defaults().Limits.RoutingModelBytes, "with --offline: the model's memory cap, as limits.routing_model_bytes (through the API, the server's setting applies)")
	apiURL := fs.String("api", "", "a running API to use (with --email and --password) instead of starting astralis dev")
	email := fs.String("email", "", "an account that may create organisations on --api")
	password := fs.String("password", "", "its password")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !*offline {
		return evalThroughAPI(evalOptions{dir: *dir, seed: *seed, holdout: *holdout, threshold: *threshold, api: *apiURL, email: *email, password: *password})
	}
	pipelines, rows, err := loadRoutingData(*dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "astralis eval-routing: %v\n", err)
		return 1
	}
	rand.New(rand.NewSource(*seed)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	split := len(rows) - int(float64(len(rows))**holdout)
	train, test := rows[:split], rows[split:]

	model, err := classifier.New(pipelines)
	if err != nil {
		fmt.Fprintf(os.Stderr, "astralis eval-routing: %v\n", err)
		return 1
	}
	model.LimitSize(*modelBytes)
	fmt.Printf("%d pipelines, %d rows: learning from %d, measuring on %d (seed %d)\n\n", len(pipelines), len(rows), len(train), len(test), *seed)
	fmt.Printf("%-34s %9s %12s %12s %12s\n", "", "accuracy", fmt.Sprintf("acc@%.2f", *threshold), fmt.Sprintf("share@%.2f", *threshold), "µs/decision")
	report := func(label string) {
		var correct, confident, confidentCorrect int
		start := time.Now()
		for _, r := range test {
			d := model.Classify(r.text)
			if d.Pipeline == r.pipeline {
				correct++
			}
			if d.Confidence >= *threshold {
				confident++
				if d.Pipeline == r.pipeline {
					confidentCorrect++
				}
			}
		}
		perDecision := time.Since(start) / time.Duration(len(test))
		n := float64(len(test))
		fmt.Printf("%-34s %8.1f%% %11.1f%% %11.1f%% %12.1f\n", label, 100*float64(correct)/n,
			100*float64(confidentCorrect)/max(1, float64(confident)), 100*float64(confident)/n, float64(perDecision.Nanoseconds())/1000)
	}
	report("cold (names and descriptions only)")
	start := time.Now()
	for _, r := range train {
		if err := model.Learn(r.text, r.pipeline); err != nil {
			fmt.Fprintf(os.Stderr, "astralis eval-routing: %v\n", err)
			return 1
		}
	}
	learnTime := time.Since(start)
	report(fmt.Sprintf("warm (after %d decisions)", len(train)))
	saved, _ := json.Marshal(model)
	fmt.Printf("\nlearning %d decisions took %v; the saved model is %d KB, %d features, about %d KiB in memory (at most %d KiB)\n",
		len(train), learnTime.Round(time.Millisecond), len(saved)/1024, model.Vocabulary(), model.SizeBytes()>>10, *modelBytes>>10)
	return 0
}

type labelledRequest struct{ text, pipeline string }

func loadRoutingData(dir string) ([]classifier.Pipeline, []labelledRequest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "pipelines.json"))
	if err != nil {
		return nil, nil, err
	}
	var spec struct {
		Pipelines []struct {
			Key         string   `json:"key"`
			Name        string   `json:"name"`
			Description string   `json:"description"`
			Intents     []string `json:"intents"`
		} `json:"pipelines"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, nil, fmt.Errorf("pipelines.json: %w", err)
	}
	pipelines := make([]classifier.Pipeline, 0, len(spec.Pipelines))
	owner := map[string]string{} // intent → pipeline key; intents label rows, they are never features
	for _, p := range spec.Pipelines {
		pipelines = append(pipelines, classifier.Pipeline{Key: p.Key, Name: p.Name, Description: p.Description})
		for _, intent := range p.Intents {
			owner[intent] = p.Key
		}
	}
	f, err := os.Open(filepath.Join(dir, "train.csv"))
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("train.csv: %w", err)
	}
	var rows []labelledRequest
	for i, rec := range records {
		if i == 0 {
			continue // header: text,category
		}
		key, ok := owner[rec[1]]
		if !ok {
			return nil, nil, fmt.Errorf("train.csv line %d: intent %q belongs to no pipeline", i+1, rec[1])
		}
		rows = append(rows, labelledRequest{text: rec[0], pipeline: key})
	}
	return pipelines, rows, nil
}
