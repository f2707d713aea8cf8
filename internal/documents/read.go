package documents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

var errNoDocument = problem.New(problem.ErrNotFound, "no such document")

// Get returns one document with its annotations. onlyFrom, when set, limits
// it to documents that user uploaded (CLIENTs see only their own).
func (s *Service) Get(ctx context.Context, org, id uuid.UUID, onlyFrom *uuid.UUID) (Document, error) {
	d, err := s.get(ctx, org, id, onlyFrom)
	if err != nil {
		return Document{}, err
	}
	out, err := documentOf(d)
	if err != nil {
		return Document{}, err
	}
	notes, err := s.q.DocumentAnnotations(ctx, store.DocumentAnnotationsParams{OrgID: org, DocumentID: id})
	if err != nil {
		return Document{}, fmt.Errorf("documents: annotations: %w", err)
	}
	for _, a := range notes {
		out.Annotations = append(out.Annotations, Annotation{Field: a.Field, Before: a.BeforeValue, After: a.AfterValue, Actor: a.ActorUserID, Note: a.Note, At: a.CreatedAt})
	}
	return out, nil
}

func (s *Service) get(ctx context.Context, org, id uuid.UUID, onlyFrom *uuid.UUID) (store.Document, error) {
	d, err := s.q.GetDocument(ctx, store.GetDocumentParams{OrgID: org, ID: id})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && onlyFrom != nil && (d.UploadedBy == nil || *d.UploadedBy != *onlyFrom)) {
		return store.Document{}, errNoDocument
	}
	if err != nil {
		return store.Document{}, fmt.Errorf("documents: get %s: %w", id, err)
	}
	return d, nil
}

// Word is one word of a page: its text, how sure OCR was (0–1; 1 for a PDF's
// text layer) and its box [x0, y0, x1, y1] in the page image's pixels.
type Word struct {
	Text       string  `json:"text"`
	Confidence float64 `json:"confidence"`
	Box        [4]int  `json:"box"`
}

// Page is one page's text and words.
type Page struct {
	Number int    `json:"number"`
	Source string `json:"source"` // "text" (the PDF's text layer) or "ocr"
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Text   string `json:"text"`
	Words  []Word `json:"words"`
}

// Page returns page n (from 1) of a document.
func (s *Service) Page(ctx context.Context, org, id uuid.UUID, n int, onlyFrom *uuid.UUID) (Page, error) {
	d, err := s.get(ctx, org, id, onlyFrom)
	if err != nil {
		return Page{}, err
	}
	if n < 1 || n > int(d.PagesTotal) {
		return Page{}, problem.New(problem.ErrNotFound, fmt.Sprintf("the document has %d pages", d.PagesTotal))
	}
	p, err := s.q.DocumentPage(ctx, store.DocumentPageParams{OrgID: org, DocumentID: id, Number: int32(n)})
	if errors.Is(err, pgx.ErrNoRows) {
		return Page{}, problem.New(problem.ErrNotFound, fmt.Sprintf("page %d has not been read yet (%d of %d done)", n, d.PagesDone, d.PagesTotal))
	}
	if err != nil {
		return Page{}, fmt.Errorf("documents: page %d of %s: %w", n, id, err)
	}
	return pageOf(p)
}

func pageOf(p store.DocumentPage) (Page, error) {
	out := Page{Number: int(p.Number), Source: p.Source, Width: int(p.Width), Height: int(p.Height), Text: p.Text, Words: []Word{}}
	if err := json.Unmarshal(p.Words, &out.Words); err != nil {
		return Page{}, fmt.Errorf("documents: words of page %d: %w", p.Number, err)
	}
	return out, nil
}

// ListFilter narrows a document list; zero values do not filter.
type ListFilter struct {
	Status    string
	VendorID  *uuid.UUID
	IntakeID  *uuid.UUID
	DateFrom  *time.Time
	DateTo    *time.Time
	TotalMin  string // decimal
	TotalMax  string
	Duplicate *bool
	// Query searches the OCR text (PostgreSQL web search syntax).
	Query string
	// UploadedBy limits the list to one uploader's documents (a CLIENT's own).
	UploadedBy *uuid.UUID
}

// ListCursor continues a list after its last row.
type ListCursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// Summary is a document in a list.
type Summary struct {
	ID          uuid.UUID  `json:"id"`
	Status      string     `json:"status"`
	Reason      string     `json:"reason,omitempty"`
	Kind        string     `json:"kind"`
	Filename    string     `json:"filename"`
	ContentType string     `json:"content_type"`
	SizeBytes   int64      `json:"size_bytes"`
	DuplicateOf *uuid.UUID `json:"duplicate_of"`
	IntakeID    *uuid.UUID `json:"intake_id"`
	PagesTotal  int        `json:"pages_total"`
	PagesDone   int        `json:"pages_done"`
	VendorID    *uuid.UUID `json:"vendor_id"`
	Vendor      string     `json:"vendor,omitempty"`
	Date        string     `json:"date,omitempty"`
	Total       string     `json:"total,omitempty"`
	Currency    string     `json:"currency,omitempty"`
	UploadedBy  *uuid.UUID `json:"uploaded_by"`
	CreatedAt   time.Time  `json:"created_at"`
}

// List returns up to limit documents, newest first.
func (s *Service) List(ctx context.Context, org uuid.UUID, f ListFilter, after *ListCursor, limit int) ([]Summary, error) {
	p := store.ListDocumentsParams{OrgID: org, UploadedBy: f.UploadedBy, VendorID: f.VendorID, IntakeID: f.IntakeID, MaxRows: int32(limit)}
	if f.Duplicate != nil {
		p.Duplicate = pgtype.Bool{Bool: *f.Duplicate, Valid: true}
	}
	if f.Status != "" {
		p.Status = &f.Status
	}
	if f.Query != "" {
		q := strings.TrimSpace(f.Query)
		p.Query = &q
	}
	if f.DateFrom != nil {
		p.DateFrom = pgtype.Date{Time: *f.DateFrom, Valid: true}
	}
	if f.DateTo != nil {
		p.DateTo = pgtype.Date{Time: *f.DateTo, Valid: true}
	}
	var err error
	if p.TotalMin, err = numeric("total_min", f.TotalMin); err != nil {
		return nil, err
	}
	if p.TotalMax, err = numeric("total_max", f.TotalMax); err != nil {
		return nil, err
	}
	if after != nil {
		p.BeforeAt, p.BeforeID = &after.CreatedAt, after.ID
	}
	rows, err := s.q.ListDocuments(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("documents: list: %w", err)
	}
	out := make([]Summary, 0, len(rows))
	for _, r := range rows {
		sum := Summary{
			ID: r.ID, Status: r.Status, Reason: r.Reason, Kind: r.Kind, Filename: r.Filename, ContentType: r.ContentType, SizeBytes: r.SizeBytes,
			DuplicateOf: r.DuplicateOf, IntakeID: r.IntakeID, PagesTotal: int(r.PagesTotal), PagesDone: int(r.PagesDone), VendorID: r.VendorID,
			Vendor: r.VendorName, Currency: r.Currency, UploadedBy: r.UploadedBy, CreatedAt: r.CreatedAt,
		}
		if r.DocDate.Valid {
			sum.Date = r.DocDate.Time.Format(time.DateOnly)
		}
		if r.Total.Valid {
			sum.Total = decimalString(r.Total)
		}
		out = append(out, sum)
	}
	return out, nil
}

// numeric parses a decimal filter ("" is no filter).
func numeric(field, s string) (pgtype.Numeric, error) {
	var n pgtype.Numeric
	if s == "" {
		return n, nil
	}
	if _, ok := new(big.Rat).SetString(s); !ok || strings.ContainsAny(s, "/eE") {
		return n, problem.Invalid("invalid filter", problem.FieldError{Field: field, Message: "must be a decimal amount like 12.50"})
	}
	if err := n.Scan(s); err != nil {
		return n, problem.Invalid("invalid filter", problem.FieldError{Field: field, Message: "must be a decimal amount like 12.50"})
	}
	return n, nil
}

func decimalString(n pgtype.Numeric) string {
	v, err := n.Value()
	if err != nil || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
