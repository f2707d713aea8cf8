package documents

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/store"
)

// FieldWeek is one field's review outcome over one week.
type FieldWeek struct {
	Week     time.Time `json:"week"`
	Reviewed int64     `json:"reviewed"`
	Accepted int64     `json:"accepted"`
	// Accuracy is the share of extracted values reviewers accepted unchanged.
	Accuracy float64 `json:"accuracy"`
}

// FieldStats is one field's measured accuracy, and whether it dropped.
type FieldStats struct {
	Field    string      `json:"field"`
	Reviewed int64       `json:"reviewed"`
	Accepted int64       `json:"accepted"`
	Accuracy float64     `json:"accuracy"`
	Weeks    []FieldWeek `json:"weeks"`
	// Dropped flags a last week at least 15 points below the weeks before it
	// (with at least 5 reviews in each): a new vendor layout, a worse scanner.
	Dropped bool `json:"dropped"`
}

// dropPoints and dropMinReviews decide Dropped.
const (
	dropPoints     = 0.15
	dropMinReviews = 5
)

// Stats gives, per field and week since `since`, how many reviewed values
// were accepted unchanged: the organisation's measured extraction accuracy.
func (s *Service) Stats(ctx context.Context, org uuid.UUID, since time.Time) ([]FieldStats, error) {
	rows, err := s.q.ReviewedFieldStats(ctx, store.ReviewedFieldStatsParams{OrgID: org, ReviewedAt: &since})
	if err != nil {
		return nil, fmt.Errorf("documents: stats: %w", err)
	}
	byField := map[string]*FieldStats{}
	var order []string
	for _, r := range rows {
		fs := byField[r.Field]
		if fs == nil {
			fs = &FieldStats{Field: r.Field, Weeks: []FieldWeek{}}
			byField[r.Field] = fs
			order = append(order, r.Field)
		}
		fs.Weeks = append(fs.Weeks, FieldWeek{Week: r.Week, Reviewed: r.Reviewed, Accepted: r.Accepted, Accuracy: ratio(r.Accepted, r.Reviewed)})
		fs.Reviewed += r.Reviewed
		fs.Accepted += r.Accepted
	}
	out := make([]FieldStats, 0, len(order))
	for _, f := range order {
		fs := byField[f]
		fs.Accuracy = ratio(fs.Accepted, fs.Reviewed)
		if n := len(fs.Weeks); n >= 2 {
			last := fs.Weeks[n-1]
			var before FieldWeek
			for _, w := range fs.Weeks[:n-1] {
				before.Reviewed += w.Reviewed
				before.Accepted += w.Accepted
			}
			fs.Dropped = last.Reviewed >= dropMinReviews && before.Reviewed >= dropMinReviews &&
				ratio(last.Accepted, last.Reviewed) <= ratio(before.Accepted, before.Reviewed)-dropPoints
		}
		out = append(out, *fs)
	}
	return out, nil
}

// StatusCounts gives how many of the documents uploaded since `since` are in
// each status (processed, needs_review, rejected …); a status none is in is left out.
func (s *Service) StatusCounts(ctx context.Context, org uuid.UUID, since time.Time) (map[string]int64, error) {
	rows, err := s.q.DocumentStatusCounts(ctx, store.DocumentStatusCountsParams{OrgID: org, CreatedAt: since})
	if err != nil {
		return nil, fmt.Errorf("documents: status counts: %w", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Status] = r.Documents
	}
	return out, nil
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
