package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/classifier"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Example is one past routing: a request's text and the pipeline it belonged to.
type Example struct {
	Text     string `json:"text"`
	Pipeline string `json:"pipeline"`
}

const maxExampleText = 10_000

// Limits bound what routing holds in memory (limits.routing_*: the
// configuration holds their defaults).
type Limits struct {
	// ModelBytes is about how much memory one organisation's model may take:
	// past it, the rarest words and word pairs are forgotten.
	ModelBytes int64
	// CacheBytes is how much the parsed models kept between requests may take, all organisations together.
	CacheBytes int64
	// ImportExamples is how many examples one import may hold.
	ImportExamples int
}

// loadedModel is an organisation's router as loaded from the database.
type loadedModel struct {
	model *classifier.Model
	ids   map[string]uuid.UUID // pipeline key → id
	saved time.Time            // when the model loaded was saved; zero: none was
}

// model loads the organisation's router: its pipelines and what it learned,
// within limits.routing_model_bytes (a model saved larger is pruned as it loads).
func (s *Service) model(ctx context.Context, q *store.Queries, org uuid.UUID) (loadedModel, error) {
	pipelines, err := q.ListPipelines(ctx, org)
	if err != nil {
		return loadedModel{}, fmt.Errorf("intake: list pipelines: %w", err)
	}
	if len(pipelines) == 0 {
		return loadedModel{}, problem.New(problem.ErrConflict, "the organisation has no pipelines yet: create one first")
	}
	specs := make([]classifier.Pipeline, 0, len(pipelines))
	loaded := loadedModel{ids: make(map[string]uuid.UUID, len(pipelines))}
	for _, p := range pipelines {
		specs = append(specs, classifier.Pipeline{Key: p.Key, Name: p.Name, Description: p.Description})
		loaded.ids[p.Key] = p.ID
	}
	saved, err := q.GetRoutingModel(ctx, org)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		loaded.model, err = classifier.New(specs)
		if err == nil {
			loaded.model.LimitSize(s.limits.ModelBytes)
		}
	case err != nil:
		return loadedModel{}, fmt.Errorf("intake: load routing model: %w", err)
	default:
		loaded.model, err = classifier.Load(specs, saved.Model, s.limits.ModelBytes)
		loaded.saved = saved.UpdatedAt
	}
	return loaded, err
}

// ImportExamples teaches the router past routings, all or nothing: one bad
// example rejects the batch and names every problem.
func (s *Service) ImportExamples(ctx context.Context, org uuid.UUID, examples []Example) (int, error) {
	if len(examples) == 0 {
		return 0, problem.Invalid("no examples", problem.FieldError{Field: "examples", Message: "must hold at least one example"})
	}
	if len(examples) > s.limits.ImportExamples {
		return 0, problem.Invalid("too many examples", problem.FieldError{Field: "examples", Message: fmt.Sprintf("at most %d per request", s.limits.ImportExamples)})
	}
	imported := 0
	err := s.inTx(ctx, func(q *store.Queries) error {
		if err := q.LockRoutingModel(ctx, org); err != nil {
			return fmt.Errorf("intake: lock routing model: %w", err)
		}
		loaded, err := s.model(ctx, q, org)
		if err != nil {
			return err
		}
		model, ids := loaded.model, loaded.ids
		var fields []problem.FieldError
		unknown := map[string]bool{}
		rows := make([]store.InsertRoutingExamplesParams, 0, len(examples))
		keys := make([]string, 0, len(examples))
		for i, ex := range examples {
			text := strings.TrimSpace(ex.Text)
			if text == "" || len(text) > maxExampleText || !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
				if len(fields) < 20 {
					fields = append(fields, problem.FieldError{Field: fmt.Sprintf("examples[%d].text", i), Message: "must be non-empty UTF-8 text of at most 10000 bytes"})
				}
				continue
			}
			id, ok := ids[ex.Pipeline]
			if !ok {
				unknown[ex.Pipeline] = true
				continue
			}
			rows = append(rows, store.InsertRoutingExamplesParams{OrgID: org, PipelineID: id, Text: text, Source: "import"})
			keys = append(keys, ex.Pipeline)
		}
		if len(unknown) > 0 {
			keys := make([]string, 0, len(unknown))
			for k := range unknown {
				keys = append(keys, fmt.Sprintf("%q", k))
			}
			sort.Strings(keys)
			fields = append(fields, problem.FieldError{Field: "pipeline", Message: "unknown pipeline keys: " + strings.Join(first(keys, 20), ", ")})
		}
		if len(fields) > 0 {
			return problem.Invalid("nothing was imported: some examples are invalid", fields...)
		}
		if _, err := q.InsertRoutingExamples(ctx, rows); err != nil {
			return fmt.Errorf("intake: store examples: %w", err)
		}
		for i, row := range rows {
			if err := model.Learn(row.Text, keys[i]); err != nil {
				return err
			}
		}
		imported = len(rows)
		return s.saveModel(ctx, q, org, model)
	})
	return imported, err
}

func first[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *Service) saveModel(ctx context.Context, q *store.Queries, org uuid.UUID, m *classifier.Model) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("intake: encode routing model: %w", err)
	}
	if err := q.SaveRoutingModel(ctx, store.SaveRoutingModelParams{OrgID: org, Model: data, Examples: int32(m.Examples())}); err != nil {
		return fmt.Errorf("intake: save routing model: %w", err)
	}
	return nil
}

// Classify proposes a pipeline for text without storing anything.
func (s *Service) Classify(ctx context.Context, org uuid.UUID, text string) (classifier.Classification, error) {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > maxExampleText || !utf8.ValidString(text) {
		return classifier.Classification{}, problem.Invalid("invalid text", problem.FieldError{Field: "text", Message: "must be non-empty UTF-8 text of at most 10000 bytes"})
	}
	pipelines, err := s.q.ListPipelines(ctx, org)
	if err != nil {
		return classifier.Classification{}, fmt.Errorf("intake: list pipelines: %w", err)
	}
	model, err := s.currentModel(ctx, org, pipelines)
	if err != nil {
		return classifier.Classification{}, err
	}
	return model.Classify(text), nil
}

// currentModel returns the organisation's model for its current pipelines,
// reparsed only when they or its learning changed since it was cached.
// Requests that miss the cache together share one load.
func (s *Service) currentModel(ctx context.Context, org uuid.UUID, pipelines []store.Pipeline) (*classifier.Model, error) {
	var version strings.Builder
	for _, p := range pipelines {
		fmt.Fprintf(&version, "%s\x00%s\x00%s\x00", p.Key, p.Name, p.Description)
	}
	saved, err := s.q.GetRoutingModelVersion(ctx, org)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("intake: routing model version: %w", err)
	}
	version.WriteString(saved.String())

	if model, ok := s.models.get(org, version.String()); ok {
		return model, nil
	}
	load := s.loads.DoChan(org.String()+"\x00"+version.String(), func() (any, error) {
		ctx := context.WithoutCancel(ctx) // the load serves every request waiting on it, not only this one
		loaded, err := s.model(ctx, s.q, org)
		if err != nil {
			return nil, err
		}
		s.models.loaded()
		if loaded.model.ShrunkOnLoad() {
			s.saveShrunkModel(ctx, org, loaded)
		}
		s.models.put(org, version.String(), loaded.model)
		return loaded.model, nil
	})
	select {
	case res := <-load:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*classifier.Model), nil
	case <-ctx.Done(): // the load goes on for the others waiting, and the cache
		return nil, ctx.Err()
	}
}

// saveShrunkModel saves a model that was saved over the cap as it was
// loaded, pruned to it, so that the next loads do not parse the larger copy
// again: under the lock imports take, and only if nothing was saved since.
// It is an optimisation: while an import or a decision holds the lock it is
// skipped (they save the model, or a later load will), and a failure is
// logged, not returned.
func (s *Service) saveShrunkModel(ctx context.Context, org uuid.UUID, loaded loadedModel) {
	err := s.inTx(ctx, func(q *store.Queries) error {
		locked, err := q.TryLockRoutingModel(ctx, org)
		if err != nil {
			return fmt.Errorf("intake: lock routing model: %w", err)
		}
		if !locked {
			return nil
		}
		if saved, err := q.GetRoutingModelVersion(ctx, org); err != nil || !saved.Equal(loaded.saved) {
			return err // saved since (within the cap), or gone
		}
		return s.saveModel(ctx, q, org, loaded.model)
	})
	if err != nil {
		s.logger.Warn("routing model: saving it pruned to its cap", slog.String("org_id", org.String()), slog.Any("error", err))
	}
}

// Settings are an organisation's routing settings.
type Settings struct {
	Threshold  float64 `json:"threshold"`
	LLMEnabled bool    `json:"llm_enabled"`
	LLMModel   string  `json:"llm_model"`
	// EscalateAfterSeconds is how long a proposal may wait for an operator before ADMINs are told.
	EscalateAfterSeconds int `json:"escalate_after_seconds"`
}

// DefaultSettings apply until an ADMIN saves others.
var DefaultSettings = Settings{Threshold: 0.8, EscalateAfterSeconds: 4 * 3600}

// RoutingSettings returns the organisation's settings.
func (s *Service) RoutingSettings(ctx context.Context, org uuid.UUID) (Settings, error) {
	row, err := s.q.GetRoutingSettings(ctx, org)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultSettings, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("intake: routing settings: %w", err)
	}
	return settingsFrom(row), nil
}

func settingsFrom(row store.RoutingSetting) Settings {
	return Settings{Threshold: row.Threshold, LLMEnabled: row.LLMEnabled, LLMModel: row.LLMModel, EscalateAfterSeconds: int(row.EscalateAfterSeconds)}
}

// SaveRoutingSettings replaces the organisation's settings.
func (s *Service) SaveRoutingSettings(ctx context.Context, org uuid.UUID, in Settings) (Settings, error) {
	var fields []problem.FieldError
	if in.Threshold < 0 || in.Threshold > 1 {
		fields = append(fields, problem.FieldError{Field: "threshold", Message: "must be between 0 and 1"})
	}
	if in.EscalateAfterSeconds == 0 {
		in.EscalateAfterSeconds = DefaultSettings.EscalateAfterSeconds
	}
	if in.EscalateAfterSeconds < 1 || in.EscalateAfterSeconds > 30*24*3600 {
		fields = append(fields, problem.FieldError{Field: "escalate_after_seconds", Message: "must be from 1 second to 30 days"})
	}
	if len(in.LLMModel) > 100 || strings.ContainsAny(in.LLMModel, "\x00\n") {
		fields = append(fields, problem.FieldError{Field: "llm_model", Message: "must be a model name of at most 100 bytes"})
	}
	if len(fields) > 0 {
		return Settings{}, problem.Invalid("invalid routing settings", fields...)
	}
	row, err := s.q.SaveRoutingSettings(ctx, store.SaveRoutingSettingsParams{OrgID: org, Threshold: in.Threshold, LLMEnabled: in.LLMEnabled, LLMModel: in.LLMModel, EscalateAfterSeconds: int32(in.EscalateAfterSeconds)})
	if err != nil {
		return Settings{}, fmt.Errorf("intake: save routing settings: %w", err)
	}
	return settingsFrom(row), nil
}
