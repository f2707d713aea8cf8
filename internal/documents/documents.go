// Package documents is the documents domain: uploads, their staged bytes until
// the virus scan passes, pages, extracted fields, reviews, vendors and the
// organisation's document settings. Every method takes the organisation and
// scopes every query by it.
package documents

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/astralisops/astralis/internal/llm"
	"github.com/astralisops/astralis/internal/store"
)

// Document statuses, in the order a document usually goes through them.
const (
	StatusReceived    = "received"
	StatusScanning    = "scanning"
	StatusProcessing  = "processing"
	StatusNeedsReview = "needs_review"
	StatusProcessed   = "processed"
	StatusRejected    = "rejected"
	StatusFailed      = "failed"
)

// Kinds of document an upload may declare.
var Kinds = []string{"receipt", "invoice", "form", "other"}

// Limits bound what an upload may be.
type Limits struct {
	// MaxBytes is the largest file accepted.
	MaxBytes int64
	// MaxPages is the most pages a PDF may have.
	MaxPages int
	// MaxPixels is the most pixels an image (or a rendered page) may have.
	MaxPixels int64
}

// FileChecker tells what a spooled file is, from its content only: its media
// type (from an allow-list) and page count, within the limits. Its errors are
// problem errors the caller shows as they are (415 naming the detected type, 422).
type FileChecker interface {
	Check(ctx context.Context, path string, head []byte, lim Limits) (contentType string, pages int, err error)
}

// LLMReader reads a document's fields with a chat model (internal/llm).
type LLMReader interface {
	Extract(ctx context.Context, text, model string) (llm.Reading, error)
}

// Service implements documents for every organisation.
type Service struct {
	pool   *pgxpool.Pool
	q      *store.Queries
	limits Limits
	files  FileChecker
	llm    LLMReader // nil when no model is configured: extraction is built in only
	logger *slog.Logger
}

// New returns the service; reader may be nil (no model configured).
func New(pool *pgxpool.Pool, files FileChecker, reader LLMReader, logger *slog.Logger, limits Limits) *Service {
	return &Service{pool: pool, q: store.New(pool), files: files, llm: reader, logger: logger, limits: limits}
}

// Limits are the service's upload limits.
func (s *Service) Limits() Limits { return s.limits }

func (s *Service) inTx(ctx context.Context, fn func(q *store.Queries) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(store.New(tx)) })
}

// Field is one extracted value: as printed, normalised (ISO date, decimal
// amount), how sure the extractor was, and where it was found.
type Field struct {
	Value      string  `json:"value"`
	Normalized string  `json:"normalized"`
	Confidence float64 `json:"confidence"`
	Page       int     `json:"page,omitempty"`
	Box        []int   `json:"box,omitempty"`
}

// Annotation is one reviewer's correction of a field.
type Annotation struct {
	Field  string     `json:"field"`
	Before string     `json:"before"`
	After  string     `json:"after"`
	Actor  *uuid.UUID `json:"actor"`
	Note   string     `json:"note,omitempty"`
	At     time.Time  `json:"at"`
}

// Document is a document as the API shows it.
type Document struct {
	ID          uuid.UUID        `json:"id"`
	Status      string           `json:"status"`
	Reason      string           `json:"reason,omitempty"`
	Kind        string           `json:"kind"`
	Filename    string           `json:"filename"`
	ContentType string           `json:"content_type"`
	SizeBytes   int64            `json:"size_bytes"`
	SHA256      string           `json:"sha256"`
	DuplicateOf *uuid.UUID       `json:"duplicate_of"`
	IntakeID    *uuid.UUID       `json:"intake_id"`
	PagesTotal  int              `json:"pages_total"`
	PagesDone   int              `json:"pages_done"`
	Fields      map[string]Field `json:"fields"`
	// Extraction is what read the fields: the extractor ("builtin" or "llm"), the model and what it
	// cost, the model's error when it fell back, the checks and the line items, as first extracted.
	Extraction  json.RawMessage `json:"extraction"`
	VendorID    *uuid.UUID      `json:"vendor_id"`
	Annotations []Annotation    `json:"annotations"`
	Stored      bool            `json:"stored"`
	LegalHold   bool            `json:"legal_hold"`
	UploadedBy  *uuid.UUID      `json:"uploaded_by"`
	CreatedAt   time.Time       `json:"created_at"`
	ProcessedAt *time.Time      `json:"processed_at"`
	ReviewedAt  *time.Time      `json:"reviewed_at"`
}

func documentOf(d store.Document) (Document, error) {
	out := Document{
		ID: d.ID, Status: d.Status, Reason: d.Reason, Kind: d.Kind, Filename: d.Filename, ContentType: d.ContentType,
		SizeBytes: d.SizeBytes, SHA256: hex.EncodeToString(d.SHA256), DuplicateOf: d.DuplicateOf, IntakeID: d.IntakeID,
		PagesTotal: int(d.PagesTotal), PagesDone: int(d.PagesDone), VendorID: d.VendorID, Stored: d.Stored, LegalHold: d.LegalHold,
		UploadedBy: d.UploadedBy, CreatedAt: d.CreatedAt, ProcessedAt: d.ProcessedAt, ReviewedAt: d.ReviewedAt,
		Fields: map[string]Field{}, Annotations: []Annotation{}, Extraction: d.Extraction,
	}
	if err := json.Unmarshal(d.Fields, &out.Fields); err != nil {
		return Document{}, fmt.Errorf("documents: fields of %s: %w", d.ID, err)
	}
	return out, nil
}
