// Package intake is the intake domain: pipelines (boards with stages), the
// organisation's router (local classifier, learned examples, settings) and,
// in time, intake requests and their routing.
package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/singleflight"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/classifier"
	"github.com/astralisops/astralis/internal/llm"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/store"
)

// Service implements pipelines and routing for every organisation; every
// method takes the organisation and scopes every query by it.
type Service struct {
	pool      *pgxpool.Pool
	q         *store.Queries
	models    *modelCache
	loads     singleflight.Group // of models missing from the cache, by organisation and version
	limits    Limits
	mailer    mail.Dispatcher
	logger    *slog.Logger
	publicURL string
	llm       LLMRouter // nil when no model is configured
	limiter   *ratelimit.Limiter
	// perSubmitter and perOrg cap new intake requests (SetSubmissionLimits).
	perSubmitter, perOrg ratelimit.Rule
}

// LLMRouter asks a chat model for a routing (internal/llm).
type LLMRouter interface {
	Route(ctx context.Context, pipelines []classifier.Pipeline, text, model string) (llm.Result, error)
}

// New returns the service; links in the mail it sends start with publicURL;
// llmRouter may be nil (no API key): routing is then local only.
func New(pool *pgxpool.Pool, mailer mail.Dispatcher, logger *slog.Logger, publicURL string, llmRouter LLMRouter, limits Limits) *Service {
	return &Service{
		pool: pool, q: store.New(pool), models: newModelCache(limits.CacheBytes), limits: limits,
		mailer: mailer, logger: logger, publicURL: strings.TrimSuffix(publicURL, "/"), llm: llmRouter,
		limiter: ratelimit.New(pool),
	}
}

func (s *Service) inTx(ctx context.Context, fn func(q *store.Queries) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(store.New(tx)) })
}

// Stage is one column of a pipeline's board.
type Stage struct {
	ID       uuid.UUID `json:"id"`
	Name     string    `json:"name"`
	Position int       `json:"position"`
}

// Pipeline is a board requests are routed to.
type Pipeline struct {
	ID          uuid.UUID `json:"id"`
	Key         string    `json:"key"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Stages      []Stage   `json:"stages"`
	CreatedAt   time.Time `json:"created_at"`
}

// PipelineInput creates a pipeline.
type PipelineInput struct {
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Stages      []string `json:"stages"`
}

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

const (
	maxDescription = 2000
	maxStages      = 30
)

func (in *PipelineInput) validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	var fields []problem.FieldError
	if !keyPattern.MatchString(in.Key) {
		fields = append(fields, problem.FieldError{Field: "key", Message: "must be 1–63 lowercase letters, digits, - or _, starting with a letter or digit"})
	}
	if msg := auth.TextProblem(in.Name, 200); in.Name == "" || msg != "" {
		fields = append(fields, problem.FieldError{Field: "name", Message: "is required: one line of at most 200 bytes"})
	}
	if len(in.Description) > maxDescription || strings.ContainsRune(in.Description, 0) {
		fields = append(fields, problem.FieldError{Field: "description", Message: "must be at most 2000 bytes of text"})
	}
	if len(in.Stages) == 0 {
		in.Stages = []string{"New", "In progress", "Done"}
	}
	if len(in.Stages) > maxStages {
		fields = append(fields, problem.FieldError{Field: "stages", Message: "at most 30 stages"})
	}
	seen := map[string]bool{}
	for i, st := range in.Stages {
		st = strings.TrimSpace(st)
		in.Stages[i] = st
		if msg := auth.TextProblem(st, 100); st == "" || msg != "" || seen[strings.ToLower(st)] {
			fields = append(fields, problem.FieldError{Field: fmt.Sprintf("stages[%d]", i), Message: "must be a unique, non-empty line of at most 100 bytes"})
		}
		seen[strings.ToLower(st)] = true
	}
	if len(fields) > 0 {
		return problem.Invalid("the pipeline has invalid fields", fields...)
	}
	return nil
}

// CreatePipeline creates a pipeline with its stages in order.
func (s *Service) CreatePipeline(ctx context.Context, org uuid.UUID, in PipelineInput) (Pipeline, error) {
	if err := in.validate(); err != nil {
		return Pipeline{}, err
	}
	var out Pipeline
	err := s.inTx(ctx, func(q *store.Queries) error {
		p, err := q.CreatePipeline(ctx, store.CreatePipelineParams{OrgID: org, Key: in.Key, Name: in.Name, Description: in.Description})
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.New(problem.ErrConflict, "a pipeline with key "+in.Key+" already exists")
		}
		if err != nil {
			return fmt.Errorf("intake: create pipeline: %w", err)
		}
		out = Pipeline{ID: p.ID, Key: p.Key, Name: p.Name, Description: p.Description, CreatedAt: p.CreatedAt}
		for i, name := range in.Stages {
			st, err := q.CreateStage(ctx, store.CreateStageParams{OrgID: org, PipelineID: p.ID, Name: name, Position: int32(i)})
			if err != nil {
				return fmt.Errorf("intake: create stage: %w", err)
			}
			out.Stages = append(out.Stages, Stage{ID: st.ID, Name: st.Name, Position: int(st.Position)})
		}
		return nil
	})
	return out, err
}

// Pipelines lists an organisation's pipelines with their stages.
func (s *Service) Pipelines(ctx context.Context, org uuid.UUID) ([]Pipeline, error) {
	rows, err := s.q.ListPipelines(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("intake: list pipelines: %w", err)
	}
	stages, err := s.q.ListAllStages(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("intake: list stages: %w", err)
	}
	byPipeline := map[uuid.UUID][]Stage{}
	for _, st := range stages {
		byPipeline[st.PipelineID] = append(byPipeline[st.PipelineID], Stage{ID: st.ID, Name: st.Name, Position: int(st.Position)})
	}
	out := make([]Pipeline, 0, len(rows))
	for _, p := range rows {
		out = append(out, Pipeline{ID: p.ID, Key: p.Key, Name: p.Name, Description: p.Description, Stages: byPipeline[p.ID], CreatedAt: p.CreatedAt})
	}
	return out, nil
}

// Pipeline returns one pipeline by key.
func (s *Service) Pipeline(ctx context.Context, org uuid.UUID, key string) (Pipeline, error) {
	p, err := s.q.GetPipelineByKey(ctx, store.GetPipelineByKeyParams{OrgID: org, Key: key})
	if errors.Is(err, pgx.ErrNoRows) {
		return Pipeline{}, problem.New(problem.ErrNotFound, "no pipeline with key "+key)
	}
	if err != nil {
		return Pipeline{}, fmt.Errorf("intake: get pipeline: %w", err)
	}
	stages, err := s.q.ListStages(ctx, store.ListStagesParams{OrgID: org, PipelineID: p.ID})
	if err != nil {
		return Pipeline{}, fmt.Errorf("intake: list stages: %w", err)
	}
	out := Pipeline{ID: p.ID, Key: p.Key, Name: p.Name, Description: p.Description, CreatedAt: p.CreatedAt, Stages: []Stage{}}
	for _, st := range stages {
		out.Stages = append(out.Stages, Stage{ID: st.ID, Name: st.Name, Position: int(st.Position)})
	}
	return out, nil
}

// PipelineUpdate changes what a pipeline is called and described as (the router reads both).
type PipelineUpdate struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// UpdatePipeline renames or redescribes a pipeline; its key and stages stay.
func (s *Service) UpdatePipeline(ctx context.Context, org uuid.UUID, key string, in PipelineUpdate) (Pipeline, error) {
	check := PipelineInput{Key: key, Name: in.Name, Description: in.Description, Stages: []string{"x"}}
	if err := check.validate(); err != nil {
		return Pipeline{}, err
	}
	_, err := s.q.UpdatePipeline(ctx, store.UpdatePipelineParams{OrgID: org, Key: key, Name: check.Name, Description: check.Description})
	if errors.Is(err, pgx.ErrNoRows) {
		return Pipeline{}, problem.New(problem.ErrNotFound, "no pipeline with key "+key)
	}
	if err != nil {
		return Pipeline{}, fmt.Errorf("intake: update pipeline: %w", err)
	}
	return s.Pipeline(ctx, org, key)
}

// DeletePipeline removes an empty pipeline; one with items must be emptied first.
func (s *Service) DeletePipeline(ctx context.Context, org uuid.UUID, key string) error {
	return s.inTx(ctx, func(q *store.Queries) error {
		n, err := q.PipelineItemCount(ctx, store.PipelineItemCountParams{OrgID: org, Key: key})
		if err != nil {
			return fmt.Errorf("intake: count items: %w", err)
		}
		if n > 0 {
			return problem.New(problem.ErrConflict, fmt.Sprintf("the pipeline still has %d items: move them to another pipeline first", n))
		}
		deleted, err := q.DeletePipeline(ctx, store.DeletePipelineParams{OrgID: org, Key: key})
		if err != nil {
			return fmt.Errorf("intake: delete pipeline: %w", err)
		}
		if deleted == 0 {
			return problem.New(problem.ErrNotFound, "no pipeline with key "+key)
		}
		return nil
	})
}
