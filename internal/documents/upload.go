package documents

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Duplicate policies: what a second upload of a file the organisation has does.
const (
	DuplicateReject = "reject" // refused, naming the document it repeats
	DuplicateMark   = "mark"   // accepted and marked as a duplicate of it
)

// TypeDuplicateDocument is the problem type of an upload refused as a duplicate.
const TypeDuplicateDocument = "duplicate-document"

// Duplicate refuses an upload of a file the organisation has already (its
// duplicate policy is reject): the API answers 409 naming DocumentID.
type Duplicate struct {
	Org, DocumentID uuid.UUID
}

func (e *Duplicate) Error() string { return e.Problem().Detail }

// Problem is the refusal as the API answers it.
func (e *Duplicate) Problem() *problem.Error {
	return problem.Typed(problem.ErrConflict, TypeDuplicateDocument,
		fmt.Sprintf("the organisation has this file already: document %s (/api/v1/orgs/%s/documents/%s)", e.DocumentID, e.Org, e.DocumentID))
}

// Unwrap makes a Duplicate the problem it answers, for the API's mapping.
func (e *Duplicate) Unwrap() error { return e.Problem() }

// UploadInput is what comes with an uploaded file.
type UploadInput struct {
	Filename string
	Kind     string
	IntakeID *uuid.UUID
	// IdempotencyKey makes a retried upload answer the first one's document.
	IdempotencyKey string
}

// Uploaded answers an upload.
type Uploaded struct {
	ID     uuid.UUID `json:"id"`
	Status string    `json:"status"`
	// Created is false when an earlier upload with the same key was answered.
	Created bool `json:"-"`
}

// chunkBytes is the size of the staged upload's rows.
const chunkBytes = 1 << 20

func (in *UploadInput) validate() error {
	var fields []problem.FieldError
	if in.Kind == "" {
		in.Kind = "receipt"
	}
	if !slices.Contains(Kinds, in.Kind) {
		fields = append(fields, problem.FieldError{Field: "kind", Message: "must be one of " + strings.Join(Kinds, ", ")})
	}
	if len(in.IdempotencyKey) > 255 {
		fields = append(fields, problem.FieldError{Field: "Idempotency-Key", Message: "must be at most 255 characters"})
	}
	in.Filename = cleanFilename(in.Filename)
	if len(fields) > 0 {
		return problem.Invalid("invalid upload", fields...)
	}
	return nil
}

// cleanFilename keeps the base name, printable and at most 255 bytes: it is shown, never used as a path.
func cleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	for len(name) > 255 {
		_, size := lastRune(name)
		name = name[:len(name)-size]
	}
	return name
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, 1
}

// Upload records a spooled file as a new document of org, uploaded by `by`,
// and stages its bytes in the database, in one transaction: nothing accepted
// is lost, and nothing reaches object storage before the virus scan. The
// file's type and pages are checked from its content first. A repeated
// idempotency key answers the earlier document (a different file under the
// same key is a 422); a file the organisation already has follows its
// duplicate policy. onlyOwnIntake, when set (a CLIENT's upload), limits
// intake_id to requests that user submitted, and a file someone else uploaded
// is marked as a duplicate, never refused naming a document the CLIENT cannot see.
func (s *Service) Upload(ctx context.Context, org, by uuid.UUID, onlyOwnIntake *uuid.UUID, in UploadInput, sp *Spooled) (Uploaded, error) {
	if err := in.validate(); err != nil {
		return Uploaded{}, err
	}
	var key *string
	if in.IdempotencyKey != "" {
		key = &in.IdempotencyKey
		if earlier, err := s.earlier(ctx, org, by, key, sp); !errors.Is(err, pgx.ErrNoRows) {
			return earlier, err
		}
	}
	if in.IntakeID != nil {
		if err := s.checkIntake(ctx, org, *in.IntakeID, onlyOwnIntake); err != nil {
			return Uploaded{}, err
		}
	}
	contentType, pages, err := s.files.Check(ctx, sp.Path, sp.Head, s.limits)
	if err != nil {
		return Uploaded{}, err
	}
	settings, err := s.Settings(ctx, org)
	if err != nil {
		return Uploaded{}, err
	}
	var duplicateOf *uuid.UUID
	original, err := s.q.OriginalDocument(ctx, store.OriginalDocumentParams{OrgID: org, SHA256: sp.SHA256[:]})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return Uploaded{}, fmt.Errorf("documents: find original: %w", err)
	case onlyOwnIntake != nil && (original.UploadedBy == nil || *original.UploadedBy != by):
		// A CLIENT is never refused over, nor told of, a document it cannot see: its
		// upload is accepted as its own (the object is shared by sha256 all the same).
	case settings.DuplicatePolicy == DuplicateMark:
		duplicateOf = &original.ID
	default:
		return Uploaded{}, &Duplicate{Org: org, DocumentID: original.ID}
	}

	var d store.Document
	err = s.inTx(ctx, func(q *store.Queries) error {
		var err error
		d, err = q.InsertDocument(ctx, store.InsertDocumentParams{
			OrgID: org, UploadedBy: &by, IntakeID: in.IntakeID, IdempotencyKey: key, Kind: in.Kind, Filename: in.Filename,
			ContentType: contentType, SizeBytes: sp.Size, SHA256: sp.SHA256[:], DuplicateOf: duplicateOf, PagesTotal: int32(pages),
		})
		if err != nil {
			return err
		}
		return stage(ctx, q, d.ID, sp.Path)
	})
	if errors.Is(err, pgx.ErrNoRows) && key != nil { // the same key won a race meanwhile
		return s.earlier(ctx, org, by, key, sp)
	}
	if err != nil {
		return Uploaded{}, fmt.Errorf("documents: store upload: %w", err)
	}
	return Uploaded{ID: d.ID, Status: d.Status, Created: true}, nil
}

// earlier answers a repeated idempotency key: the document stored under it,
// if it holds the same file (else a 422); pgx.ErrNoRows when there is none.
func (s *Service) earlier(ctx context.Context, org, by uuid.UUID, key *string, sp *Spooled) (Uploaded, error) {
	d, err := s.q.DocumentByIdempotencyKey(ctx, store.DocumentByIdempotencyKeyParams{OrgID: org, UploadedBy: &by, IdempotencyKey: key})
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Uploaded{}, err
		}
		return Uploaded{}, fmt.Errorf("documents: earlier upload: %w", err)
	}
	if !bytes.Equal(d.SHA256, sp.SHA256[:]) {
		return Uploaded{}, problem.Invalid("the Idempotency-Key was used for a different file: send this one with a new key",
			problem.FieldError{Field: "Idempotency-Key", Message: "was used for a different file (sha256 " + hex.EncodeToString(d.SHA256) + ")"})
	}
	return Uploaded{ID: d.ID, Status: d.Status}, nil
}

func (s *Service) checkIntake(ctx context.Context, org, intakeID uuid.UUID, onlyFrom *uuid.UUID) error {
	r, err := s.q.GetIntake(ctx, store.GetIntakeParams{OrgID: org, ID: intakeID})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && onlyFrom != nil && (r.CreatedBy == nil || *r.CreatedBy != *onlyFrom)) {
		return problem.Invalid("no such intake request", problem.FieldError{Field: "intake_id", Message: "is not an intake request of this organisation you may attach to"})
	}
	if err != nil {
		return fmt.Errorf("documents: intake %s: %w", intakeID, err)
	}
	return nil
}

// stage copies the file into the document's upload chunks.
func stage(ctx context.Context, q *store.Queries, id uuid.UUID, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, chunkBytes)
	for seq := int32(0); ; seq++ {
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			if err := q.InsertUploadChunk(ctx, store.InsertUploadChunkParams{DocumentID: id, Seq: seq, Data: buf[:n]}); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
