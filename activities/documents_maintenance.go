package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/store"
)

// StrandedDocumentStore finds documents whose workflow was never started, and
// records that the sweep started it (documents.Service).
type StrandedDocumentStore interface {
	Stranded(ctx context.Context, after, before time.Time) ([]store.StrandedDocumentsRow, error)
	MarkSwept(ctx context.Context, org, id uuid.UUID) error
}

// RetentionStore finds originals past their retention and records them
// deleted (documents.Service).
type RetentionStore interface {
	ExpiredOriginals(ctx context.Context, limit int) ([]documents.ExpiredOriginal, error)
	ExpireOriginal(ctx context.Context, org, id uuid.UUID, deleteObject documents.DeleteObject) (bool, error)
}

// OriginalDeleter removes an original from object storage (a missing one is not an error).
type OriginalDeleter interface {
	Delete(ctx context.Context, org uuid.UUID, sha256Hex string) error
}

// StrandedDocument names a document whose workflow the sweep starts.
type StrandedDocument struct {
	OrgID      uuid.UUID `json:"org_id"`
	DocumentID uuid.UUID `json:"document_id"`
}

// ListStrandedDocuments returns documents still 'received' and not swept,
// stored between within and olderThan ago (at most 100, oldest first).
func (a *Maintenance) ListStrandedDocuments(ctx context.Context, olderThan, within time.Duration) ([]StrandedDocument, error) {
	if err := positive("olderThan", olderThan); err != nil {
		return nil, err
	}
	if within <= olderThan {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("within (%s) must exceed olderThan (%s)", within, olderThan), ErrTypeInvalidMaintenance, nil)
	}
	now := time.Now()
	rows, err := a.Documents.Stranded(ctx, now.Add(-within), now.Add(-olderThan))
	if err != nil {
		return nil, err
	}
	out := make([]StrandedDocument, len(rows))
	for i, r := range rows {
		out[i] = StrandedDocument{OrgID: r.OrgID, DocumentID: r.ID}
	}
	return out, nil
}

// MarkDocumentsSwept records that these documents' workflows were started (or
// found started), so later sweeps pass them by.
func (a *Maintenance) MarkDocumentsSwept(ctx context.Context, swept []StrandedDocument) error {
	for _, d := range swept {
		if err := a.Documents.MarkSwept(ctx, d.OrgID, d.DocumentID); err != nil {
			return err
		}
	}
	return nil
}

// ExpiredOriginals counts what ExpireOriginals did.
type ExpiredOriginals struct {
	// Deleted originals; Kept those put on legal hold (or deleted) between being listed and their turn.
	Deleted int `json:"deleted"`
	Kept    int `json:"kept"`
	// Failed originals could not be deleted this run (logged); they stay listed for the next.
	Failed int `json:"failed,omitempty"`
	// More is set when the run stopped for time with originals left: the next run takes them.
	More bool `json:"more"`
}

// retentionBatch is how many expired originals are listed at a time.
const retentionBatch = 100

// retentionReserve is the time an ExpireOriginals run keeps before its
// deadline: it stops listing then, so it ends with its counts rather than
// timing out.
const retentionReserve = 30 * time.Second

// ExpireOriginals deletes the originals past their kind's retention that are
// not on legal hold, batch after batch, until none is left or its time runs
// short. Each document keeps its pages and fields.
func (a *Maintenance) ExpireOriginals(ctx context.Context) (ExpiredOriginals, error) {
	var out ExpiredOriginals
	failed := map[uuid.UUID]bool{}
	deadline, bounded := ctx.Deadline()
	for {
		if bounded && time.Until(deadline) < retentionReserve {
			out.More = true
			return out, nil
		}
		batch, err := a.Retention.ExpiredOriginals(ctx, retentionBatch)
		if err != nil {
			return out, err
		}
		if len(batch) == 0 {
			return out, nil
		}
		progress := 0
		for _, e := range batch {
			if failed[e.DocumentID] {
				continue // listed again: once a run is enough
			}
			deleted, err := a.Retention.ExpireOriginal(ctx, e.OrgID, e.DocumentID, a.Originals.Delete)
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			if err != nil {
				// One object that cannot be deleted must not hold back the
				// others: it stays listed and the next run tries it again.
				activity.GetLogger(ctx).Warn("expiring an original failed", "org", e.OrgID, "document", e.DocumentID, "error", err)
				out.Failed++
				failed[e.DocumentID] = true
				continue
			}
			if deleted {
				out.Deleted++
				progress++
			} else {
				out.Kept++
			}
			activity.RecordHeartbeat(ctx, out)
		}
		if progress == 0 {
			// Every listed one was kept or failed: the list would repeat them.
			return out, nil
		}
	}
}
