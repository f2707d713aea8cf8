package documents

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/audit"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

var errLegalHold = problem.New(problem.ErrConflict, "the document is on legal hold: lift the hold before deleting it")

// SetLegalHold puts a document on legal hold or lifts it, audited. While on
// hold, the document cannot be deleted and retention keeps its original.
func (s *Service) SetLegalHold(ctx context.Context, org, id uuid.UUID, hold bool, actor uuid.UUID, ip, userAgent string) (Document, error) {
	err := s.inTx(ctx, func(q *store.Queries) error {
		_, err := q.SetDocumentLegalHold(ctx, store.SetDocumentLegalHoldParams{OrgID: org, ID: id, LegalHold: hold})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoDocument
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Action: audit.DocumentLegalHold, TargetType: "document", TargetID: id.String(),
			IP: ip, UserAgent: userAgent, Metadata: map[string]any{"legal_hold": hold}})
	})
	if errors.Is(err, errNoDocument) {
		return Document{}, err
	}
	if err != nil {
		return Document{}, fmt.Errorf("documents: legal hold of %s: %w", id, err)
	}
	return s.Get(ctx, org, id, nil)
}
