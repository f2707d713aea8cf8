// Package bookings is the scheduling domain as the organisation keeps it:
// services (appointment types), operators' availability and local events,
// and the free slots computed from them (internal/scheduling does the time
// arithmetic). Every method takes the organisation and scopes every query by it.
package bookings

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/store"
)

// Service implements the scheduling domain for every organisation.
type Service struct {
	pool    *pgxpool.Pool
	q       *store.Queries
	limiter *ratelimit.Limiter
	// publicURL starts the links mailed to clients.
	publicURL string
	picker    SlotPicker // nil without a model
}

// New returns the service on pool; the links it mails start with publicURL;
// picker (nil without a model) may choose suggestions.
func New(pool *pgxpool.Pool, publicURL string, picker SlotPicker) *Service {
	return &Service{pool: pool, q: store.New(pool), limiter: ratelimit.New(pool), publicURL: strings.TrimSuffix(publicURL, "/"), picker: picker}
}

func (s *Service) inTx(ctx context.Context, fn func(q *store.Queries) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(store.New(tx)) })
}
