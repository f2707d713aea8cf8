package documents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/audit"
	"github.com/astralisops/astralis/internal/extract"
	"github.com/astralisops/astralis/internal/llm"
	"github.com/astralisops/astralis/internal/store"
)

// What the DocumentWorkflow's activities do to a document, in the order it
// goes through them. Each step is idempotent: a retried activity finds its
// work done and answers as the first attempt did.

// Job is what the workflow needs to know of a document: ids and counts only.
type Job struct {
	Status      string `json:"status"`
	ContentType string `json:"content_type"`
	SHA256      []byte `json:"sha256"`
	Size        int64  `json:"size"`
	Stored      bool   `json:"stored"`
	PagesTotal  int    `json:"pages_total"`
}

// Job returns the document's processing state.
func (s *Service) Job(ctx context.Context, org, id uuid.UUID) (Job, error) {
	d, err := s.get(ctx, org, id, nil)
	if err != nil {
		return Job{}, err
	}
	return Job{Status: d.Status, ContentType: d.ContentType, SHA256: d.SHA256, Size: d.SizeBytes, Stored: d.Stored, PagesTotal: int(d.PagesTotal)}, nil
}

// SetStatus moves the document to status, with a reason for rejected and failed.
func (s *Service) SetStatus(ctx context.Context, org, id uuid.UUID, status, reason string) error {
	if err := s.q.SetDocumentStatus(ctx, store.SetDocumentStatusParams{OrgID: org, ID: id, Status: status, Reason: reason}); err != nil {
		return fmt.Errorf("documents: status of %s: %w", id, err)
	}
	return nil
}

// Fail records that a document being read cannot be: a document already
// rejected, processed or waiting for review keeps its status.
func (s *Service) Fail(ctx context.Context, org, id uuid.UUID, reason string) error {
	if err := s.q.FailDocument(ctx, store.FailDocumentParams{OrgID: org, ID: id, Reason: reason}); err != nil {
		return fmt.Errorf("documents: fail %s: %w", id, err)
	}
	return nil
}

// OpenUpload streams the document's staged upload, chunk by chunk. It is
// empty once the upload was stored or rejected.
func (s *Service) OpenUpload(ctx context.Context, id uuid.UUID) io.Reader {
	return &chunkReader{ctx: ctx, q: s.q, id: id}
}

type chunkReader struct {
	ctx  context.Context
	q    *store.Queries
	id   uuid.UUID
	seq  int32
	rest []byte
	done bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.rest) == 0 {
		if r.done {
			return 0, io.EOF
		}
		data, err := r.q.UploadChunk(r.ctx, store.UploadChunkParams{DocumentID: r.id, Seq: r.seq})
		if errors.Is(err, pgx.ErrNoRows) {
			r.done = true
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("documents: upload chunk %d of %s: %w", r.seq, r.id, err)
		}
		r.seq++
		r.rest = data
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

// Reject records that the scan found the upload infected: the staged bytes
// are deleted (they never reach object storage), and the rejection is audited.
func (s *Service) Reject(ctx context.Context, org, id uuid.UUID, signature string) error {
	return s.inTx(ctx, func(q *store.Queries) error {
		if err := q.SetDocumentStatus(ctx, store.SetDocumentStatusParams{OrgID: org, ID: id, Status: StatusRejected, Reason: "the virus scan found " + signature}); err != nil {
			return err
		}
		if err := q.DeleteUploadChunks(ctx, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Action: audit.DocumentRejected, TargetType: "document", TargetID: id.String(),
			Metadata: map[string]any{"signature": signature}})
	})
}

// MarkStored records that the original is in object storage: the staged
// bytes are deleted and the document is processing.
func (s *Service) MarkStored(ctx context.Context, org, id uuid.UUID) error {
	return s.inTx(ctx, func(q *store.Queries) error {
		if err := q.MarkDocumentStored(ctx, store.MarkDocumentStoredParams{OrgID: org, ID: id}); err != nil {
			return err
		}
		if err := q.SetDocumentStatus(ctx, store.SetDocumentStatusParams{OrgID: org, ID: id, Status: StatusProcessing}); err != nil {
			return err
		}
		return q.DeleteUploadChunks(ctx, id)
	})
}

// DonePages lists the pages already read, so a restart reads only the others.
func (s *Service) DonePages(ctx context.Context, id uuid.UUID) ([]int, error) {
	rows, err := s.q.DocumentPageNumbers(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("documents: pages of %s: %w", id, err)
	}
	out := make([]int, len(rows))
	for i, n := range rows {
		out[i] = int(n)
	}
	return out, nil
}

// CountOCRRun records that a page is being read (the crash test counts repeats).
func (s *Service) CountOCRRun(ctx context.Context, org, id uuid.UUID) error {
	return s.q.CountOCRRun(ctx, store.CountOCRRunParams{OrgID: org, ID: id})
}

// SavePage stores a page's words once and answers how many pages are done.
func (s *Service) SavePage(ctx context.Context, org, id uuid.UUID, p Page) (int, error) {
	words, err := json.Marshal(p.Words)
	if err != nil {
		return 0, err
	}
	var done int32
	err = s.inTx(ctx, func(q *store.Queries) error {
		// Pages are read several at a time: without the document's lock two saves
		// would each count only their own page, and the later count would win.
		if _, err := q.LockDocument(ctx, store.LockDocumentParams{OrgID: org, ID: id}); err != nil {
			return err
		}
		if _, err := q.InsertDocumentPage(ctx, store.InsertDocumentPageParams{
			DocumentID: id, OrgID: org, Number: int32(p.Number), Source: p.Source, Width: int32(p.Width), Height: int32(p.Height),
			Text: strings.ToValidUTF8(p.Text, ""), Words: words,
		}); err != nil {
			return err
		}
		done, err = q.CountDocumentPageDone(ctx, store.CountDocumentPageDoneParams{OrgID: org, ID: id})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("documents: save page %d of %s: %w", p.Number, id, err)
	}
	return int(done), nil
}

// ExtractFields runs extraction over the document's saved pages, matching the
// organisation's vendors, and stores the fields: processed, or needs_review
// when a field is less sure than the organisation's threshold or a check
// failed. It answers the new status.
func (s *Service) ExtractFields(ctx context.Context, org, id uuid.UUID) (string, error) {
	rows, err := s.q.DocumentPages(ctx, store.DocumentPagesParams{OrgID: org, DocumentID: id})
	if err != nil {
		return "", fmt.Errorf("documents: pages of %s: %w", id, err)
	}
	pages := make([]extract.Page, 0, len(rows))
	for _, r := range rows {
		p, err := pageOf(r)
		if err != nil {
			return "", err
		}
		ep := extract.Page{Number: p.Number, Width: p.Width, Height: p.Height}
		for _, w := range p.Words {
			ep.Words = append(ep.Words, extract.Word{Text: w.Text, Confidence: w.Confidence, Box: w.Box})
		}
		pages = append(pages, ep)
	}
	vendors, vendorIDs, err := s.vendorIndex(ctx, org)
	if err != nil {
		return "", err
	}
	settings, err := s.Settings(ctx, org)
	if err != nil {
		return "", err
	}
	result := extract.Extract(pages, vendors)
	fields := make(map[string]Field, len(result.Fields))
	for key, f := range result.Fields {
		fields[key] = Field{Value: f.Value, Normalized: f.Normalized, Confidence: f.Confidence, Page: f.Page, Box: f.Box[:]}
	}
	extraction := map[string]any{"extractor": "builtin"}
	var disputed []string
	if s.llm != nil && settings.LLMEnabled {
		if read, err := s.readWithModel(ctx, rows, fields, result.Vendor != nil); err != nil {
			// The built-in fields stand. The record says why in words fit for
			// anyone who may read the document; the detail goes to the log.
			extraction["llm_error"] = modelFailure(err)
			s.logger.Warn("the model could not read a document; the built-in extractor answered", "document_id", id, "error", err)
		} else {
			fields, extraction, disputed = read.fields, read.record, read.disputed
		}
	}
	status := StatusProcessed
	for _, f := range fields {
		if f.Confidence < settings.ReviewThreshold {
			status = StatusNeedsReview
		}
	}
	for _, key := range []string{extract.FieldCompany, extract.FieldDate, extract.FieldTotal} {
		if _, found := fields[key]; !found {
			status = StatusNeedsReview // a bookkeeper needs these
		}
	}
	checks := result.Checks
	if extraction["extractor"] == "llm" {
		checks = arithmeticCheck(fields) // the built-in checks judged the built-in fields
		if len(disputed) > 0 {
			// Whatever the organisation's threshold: a person settles it.
			checks = append(checks, extract.Check{Name: CheckModelAgrees, Passed: false,
				Detail: "the model read " + strings.Join(disputed, ", ") + " otherwise than the page's own extractor"})
		}
	}
	for _, c := range checks {
		if !c.Passed {
			status = StatusNeedsReview
		}
	}
	var vendorID *uuid.UUID
	if result.Vendor != nil {
		if v, ok := vendorIDs[strings.ToLower(result.Vendor.Vendor.Name)]; ok {
			vendorID = &v
		}
	}
	extraction["fields"], extraction["checks"], extraction["line_items"] = fields, checks, result.LineItems
	encoded, _ := json.Marshal(fields)
	record, _ := json.Marshal(extraction)
	date, total := summaryColumns(fields)
	if err := s.q.SaveExtraction(ctx, store.SaveExtractionParams{
		OrgID: org, ID: id, Fields: encoded, Extraction: record, VendorID: vendorID, DocDate: date, Total: total,
		Currency: fields[extract.FieldCurrency].Normalized, Status: status,
	}); err != nil {
		return "", fmt.Errorf("documents: save fields of %s: %w", id, err)
	}
	return status, nil
}

// Deleted is what Delete removed: the caller deletes the original from
// object storage when no other document of the organisation shares it.
type Deleted struct {
	SHA256       []byte
	DeleteObject bool
}

// Delete removes a document with its pages and annotations, audited.
func (s *Service) Delete(ctx context.Context, org, id uuid.UUID, actor uuid.UUID, ip, userAgent string) (Deleted, error) {
	var out Deleted
	err := s.inTx(ctx, func(q *store.Queries) error {
		d, err := q.DeleteDocument(ctx, store.DeleteDocumentParams{OrgID: org, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoDocument
		}
		if err != nil {
			return err
		}
		if d.LegalHold {
			return errLegalHold
		}
		sharing, err := q.DocumentsSharingObject(ctx, store.DocumentsSharingObjectParams{OrgID: org, SHA256: d.SHA256, ID: id})
		if err != nil {
			return err
		}
		out = Deleted{SHA256: d.SHA256, DeleteObject: d.Stored && sharing == 0}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Action: audit.DocumentDeleted, TargetType: "document", TargetID: id.String(),
			IP: ip, UserAgent: userAgent, Metadata: map[string]any{"filename": d.Filename, "sha256": fmt.Sprintf("%x", d.SHA256)}})
	})
	return out, err
}

// SetPages records the page count the reader found.
func (s *Service) SetPages(ctx context.Context, org, id uuid.UUID, pages int) error {
	if err := s.q.SetDocumentPages(ctx, store.SetDocumentPagesParams{OrgID: org, ID: id, PagesTotal: int32(pages)}); err != nil {
		return fmt.Errorf("documents: pages of %s: %w", id, err)
	}
	return nil
}

type modelReading struct {
	fields map[string]Field
	record map[string]any
	// disputed names the fields the model read otherwise than the page's own extractor.
	disputed []string
}

// CheckModelAgrees fails when the model's reading of a field differs from the built-in extractor's.
const CheckModelAgrees = "model agrees with the page"

// disputedConfidence caps a model's value the built-in extractor read
// otherwise on the page: under the default review threshold, so a person
// settles it.
const disputedConfidence = 0.6

// readWithModel asks the model for the fields. Its values replace the
// built-in ones (keeping their page and box where they agree), except the
// company and address of a vendor the organisation knows, whose spelling
// stands. The record names the model and what the call cost.
func (s *Service) readWithModel(ctx context.Context, rows []store.DocumentPage, builtin map[string]Field, knownVendor bool) (modelReading, error) {
	var text strings.Builder
	for _, r := range rows {
		text.WriteString(r.Text)
		text.WriteString("\n")
	}
	// The model gets what is left of the activity's time less a margin to store the answer,
	// so a slow model never makes the activity time out and ask (and pay) again.
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-20*time.Second))
		defer cancel()
	}
	read, err := s.llm.Extract(ctx, text.String(), "")
	if err != nil {
		return modelReading{}, err
	}
	fields := make(map[string]Field, len(read.Fields))
	var disputed []string
	for key, value := range read.Fields {
		// The model gives one confidence for its whole answer; each field's
		// is weighed against what the built-in extractor read there.
		f := Field{Value: value, Normalized: normalize(key, value), Confidence: read.Confidence}
		if b, ok := builtin[key]; ok {
			if extract.Match(key, value, b.Value) {
				f.Page, f.Box = b.Page, b.Box
				f.Confidence = max(f.Confidence, b.Confidence) // two readers agree
			} else {
				f.Confidence = min(f.Confidence, disputedConfidence)
				disputed = append(disputed, key)
			}
		}
		fields[key] = f
	}
	slices.Sort(disputed)
	if knownVendor {
		for _, key := range []string{extract.FieldCompany, extract.FieldAddress} {
			if b, ok := builtin[key]; ok {
				fields[key] = b
			}
		}
	}
	return modelReading{fields: fields, disputed: disputed, record: map[string]any{
		"extractor": "llm", "model": read.Model, "prompt_tokens": read.PromptTokens, "completion_tokens": read.CompletionTokens, "cost_usd": read.CostUSD,
	}}, nil
}

// arithmeticCheck checks subtotal + tax = total on fields that have all three.
func arithmeticCheck(fields map[string]Field) []extract.Check {
	sub, tax, total := fields[extract.FieldSubtotal].Normalized, fields[extract.FieldTax].Normalized, fields[extract.FieldTotal].Normalized
	if sub == "" || tax == "" || total == "" {
		return nil
	}
	var s, t, tot big.Rat
	_, ok1 := s.SetString(sub)
	_, ok2 := t.SetString(tax)
	_, ok3 := tot.SetString(total)
	passed := ok1 && ok2 && ok3 && new(big.Rat).Add(&s, &t).Cmp(&tot) == 0
	return []extract.Check{{Name: extract.CheckSubtotalTax, Passed: passed, Detail: sub + " + " + tax + " = " + total}}
}

// modelFailure is the kind of a model failure, as a document's record shows it.
func modelFailure(err error) string {
	switch {
	case errors.Is(err, llm.ErrInvalidAnswer):
		return llm.ErrInvalidAnswer.Error()
	case errors.Is(err, llm.ErrRefused):
		return llm.ErrRefused.Error()
	default:
		return llm.ErrRequest.Error()
	}
}
