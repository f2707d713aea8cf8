package documents

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/store"
)

// Stranded lists documents stored between after and before that are still
// 'received' and not swept yet: if their workflow never started (the API
// stopped between storing the upload and starting it), starting it reads them.
func (s *Service) Stranded(ctx context.Context, after, before time.Time) ([]store.StrandedDocumentsRow, error) {
	rows, err := s.q.StrandedDocuments(ctx, store.StrandedDocumentsParams{After: after, Before: before})
	if err != nil {
		return nil, fmt.Errorf("documents: stranded documents: %w", err)
	}
	return rows, nil
}

// MarkSwept records that a stranded document's workflow was started (or found
// started), so later sweeps pass it by.
func (s *Service) MarkSwept(ctx context.Context, org, id uuid.UUID) error {
	if err := s.q.MarkDocumentSwept(ctx, store.MarkDocumentSweptParams{OrgID: org, ID: id}); err != nil {
		return fmt.Errorf("documents: mark swept: %w", err)
	}
	return nil
}
