package documents

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/audit"
	"github.com/astralisops/astralis/internal/store"
)

// ExpiredOriginal names a document whose original is past its kind's retention.
type ExpiredOriginal struct {
	OrgID      uuid.UUID
	DocumentID uuid.UUID
}

// ExpiredOriginals lists up to limit documents whose stored original is past
// the retention of their kind (Settings.RetentionDays) and not on legal hold,
// oldest first.
func (s *Service) ExpiredOriginals(ctx context.Context, limit int) ([]ExpiredOriginal, error) {
	rows, err := s.q.ExpiredOriginals(ctx, int32(limit))
	if err != nil {
		return nil, fmt.Errorf("documents: expired originals: %w", err)
	}
	out := make([]ExpiredOriginal, len(rows))
	for i, r := range rows {
		out[i] = ExpiredOriginal{OrgID: r.OrgID, DocumentID: r.ID}
	}
	return out, nil
}

// DeleteObject removes the organisation's original with this SHA-256 from
// object storage (deleting a missing object is not an error).
type DeleteObject func(ctx context.Context, org uuid.UUID, sha256Hex string) error

// ExpireOriginal deletes a document's original and records it gone; the
// document keeps its pages, fields and annotations. It reports whether it
// did: a document put on legal hold (or already expired) since it was listed
// is left as it is. The row stays locked while the object is deleted, so a
// legal hold set meanwhile waits and then holds nothing; the object itself
// is kept while another stored document of the organisation has the same
// bytes (a duplicate). Deleting before recording means a failure between the
// two leaves the document listed, and the next run finishes it.
func (s *Service) ExpireOriginal(ctx context.Context, org, id uuid.UUID, deleteObject DeleteObject) (bool, error) {
	expired := false
	err := s.inTx(ctx, func(q *store.Queries) error {
		d, err := q.LockDocument(ctx, store.LockDocumentParams{OrgID: org, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		if !d.Stored || d.LegalHold {
			return nil
		}
		sharing, err := q.DocumentsSharingObject(ctx, store.DocumentsSharingObjectParams{OrgID: org, SHA256: d.SHA256, ID: id})
		if err != nil {
			return err
		}
		if sharing == 0 {
			if err := deleteObject(ctx, org, hex.EncodeToString(d.SHA256)); err != nil {
				return fmt.Errorf("delete object: %w", err)
			}
		}
		if err := q.MarkOriginalDeleted(ctx, store.MarkOriginalDeletedParams{OrgID: org, ID: id}); err != nil {
			return err
		}
		expired = true
		return audit.Record(ctx, q, audit.Event{OrgID: org, Action: audit.DocumentOriginalExpired, TargetType: "document", TargetID: id.String(),
			Metadata: map[string]any{"sha256": hex.EncodeToString(d.SHA256), "kind": d.Kind, "object_deleted": sharing == 0}})
	})
	if err != nil {
		return false, fmt.Errorf("documents: expire the original of %s: %w", id, err)
	}
	return expired, nil
}
