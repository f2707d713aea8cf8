package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
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

// Limits bound what routing holds in memory (limits.routing_*).
type Limits struct {
	// ModelBytes is about how much memory one organisation's model may take:
	// past it, the rarest words and word pairs are forgotten.
	ModelBytes int64
	// CacheBytes is how much the parsed models kept between requests may take, all organisations together.
	CacheBytes int64
	// ImportExamples is how many examples one import may hold.
	ImportExamples int
}

// DefaultLimits are limits.routing_*'s defaults.
var DefaultLimits = Limits{ModelBytes: 8 << 20, CacheBytes: 64 << 20, ImportExamples: 20_000}

// SetLimits replaces the default limits, before the service is used; a zero or negative field keeps its default.
func (s *Service) SetLimits(l Limits) {
	if l.ModelBytes > 0 {
		s.limits.ModelBytes = l.ModelBytes
	}
	if l.CacheBytes > 0 {
		s.limits.CacheBytes = l.CacheBytes
	}
	if l.ImportExamples > 0 {
		s.limits.ImportExamples = l.ImportExamples
	}
	s.models = newModelCache(s.limits.CacheBytes)
}

// model loads the organisation's router: its pipelines and what it learned,
// within limits.routing_model_bytes (a model saved larger is pruned as it loads).
func (s *Service) model(ctx context.Context, q *store.Queries, org uuid.UUID) (*classifier.Model, map[string]uuid.UUID, error) {
	pipelines, err := q.ListPipelines(ctx, org)
	if err != nil {
		return nil, nil, fmt.Errorf("intake: list pipelines: %w", err)
	}
	if len(pipelines) == 0 {
		return nil, nil, problem.New(problem.ErrConflict, "the organisation has no pipelines yet: create one first")
	}
	specs := make([]classifier.Pipeline, 0, len(pipelines))
	ids := make(map[string]uuid.UUID, len(pipelines))
	for _, p := range pipelines {
		specs = append(specs, classifier.Pipeline{Key: p.Key, Name: p.Name, Description: p.Description})
		ids[p.Key] = p.ID
	}
	var m *classifier.Model
	saved, err := q.GetRoutingModel(ctx, org)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		m, err = classifier.New(specs)
	case err != nil:
		return nil, nil, fmt.Errorf("intake: load routing model: %w", err)
	default:
		m, err = classifier.Load(specs, saved.Model)
	}
	if err != nil {
		return nil, nil, err
	}
	m.LimitVocabulary(classifier.FeaturesWithin(s.limits.ModelBytes, len(specs)))
	return m, ids, nil
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
		model, ids, err := s.model(ctx, q, org)
		if err != nil {
			return err
		}
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
	model, _, err := s.model(ctx, s.q, org)
	if err != nil {
		return nil, err
	}
	s.models.put(org, version.String(), model)
	return model, nil
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
