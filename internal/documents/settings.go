package documents

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Settings are an organisation's document settings.
type Settings struct {
	// DuplicatePolicy is DuplicateReject or DuplicateMark.
	DuplicatePolicy string `json:"duplicate_policy"`
	// ReviewThreshold: a document with a field extracted less confidently than this waits for review.
	ReviewThreshold float64 `json:"review_threshold"`
	// RetentionDays deletes originals of a kind that many days after upload (unless on legal hold).
	RetentionDays map[string]int `json:"retention_days"`
	// LLMEnabled lets the configured model read the documents' text for
	// their fields (off by default: the text leaves for the model's provider).
	LLMEnabled bool `json:"llm_enabled"`
}

// Settings returns the organisation's document settings (the defaults until it saves its own).
func (s *Service) Settings(ctx context.Context, org uuid.UUID) (Settings, error) {
	row, err := s.q.DocumentSettings(ctx, org)
	if err != nil {
		return Settings{}, fmt.Errorf("documents: settings: %w", err)
	}
	out := Settings{DuplicatePolicy: row.DuplicatePolicy, ReviewThreshold: row.ReviewThreshold, RetentionDays: map[string]int{}, LLMEnabled: row.LLMEnabled}
	if err := json.Unmarshal(row.RetentionDays, &out.RetentionDays); err != nil {
		return Settings{}, fmt.Errorf("documents: settings: %w", err)
	}
	return out, nil
}

// SaveSettings validates and stores the organisation's document settings.
func (s *Service) SaveSettings(ctx context.Context, org uuid.UUID, in Settings) (Settings, error) {
	var fields []problem.FieldError
	if in.DuplicatePolicy != DuplicateReject && in.DuplicatePolicy != DuplicateMark {
		fields = append(fields, problem.FieldError{Field: "duplicate_policy", Message: "must be reject or mark"})
	}
	if in.ReviewThreshold < 0 || in.ReviewThreshold > 1 {
		fields = append(fields, problem.FieldError{Field: "review_threshold", Message: "must be between 0 and 1"})
	}
	if in.RetentionDays == nil {
		in.RetentionDays = map[string]int{}
	}
	for kind, days := range in.RetentionDays {
		if !slices.Contains(Kinds, kind) {
			fields = append(fields, problem.FieldError{Field: "retention_days." + kind, Message: "is not a document kind"})
		} else if days < 1 || days > 36500 {
			fields = append(fields, problem.FieldError{Field: "retention_days." + kind, Message: "must be between 1 and 36500 days"})
		}
	}
	if len(fields) > 0 {
		return Settings{}, problem.Invalid("invalid document settings", fields...)
	}
	retention, _ := json.Marshal(in.RetentionDays)
	if err := s.q.SaveDocumentSettings(ctx, store.SaveDocumentSettingsParams{
		OrgID: org, DuplicatePolicy: in.DuplicatePolicy, ReviewThreshold: in.ReviewThreshold, RetentionDays: retention, LLMEnabled: in.LLMEnabled,
	}); err != nil {
		return Settings{}, fmt.Errorf("documents: save settings: %w", err)
	}
	return in, nil
}
