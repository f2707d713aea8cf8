package api

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/workflows"
)

// DocumentWorkflows starts and steers DocumentWorkflows for the API.
type DocumentWorkflows interface {
	Start(ctx context.Context, org, documentID uuid.UUID) error
	// Review sends a review; updateID makes a retried review attach to the first ("" for a new one).
	Review(ctx context.Context, documentID uuid.UUID, updateID string, r documents.Review) (workflows.DocumentState, error)
	// Stop cancels the document's workflow, if it still runs.
	Stop(ctx context.Context, documentID uuid.UUID) error
}

// Originals gives short-lived links to documents' originals in object storage.
type Originals interface {
	// URL is a presigned GET of the organisation's object with this SHA-256, valid for ttl.
	URL(ctx context.Context, org uuid.UUID, sha256Hex, filename string, ttl time.Duration) (string, error)
	// Delete removes it (deleting a missing object is not an error).
	Delete(ctx context.Context, org uuid.UUID, sha256Hex string) error
	// PageImage renders page n of it as a PNG in the pixels of the page's word boxes
	// (a problem error when the file has no such page or it cannot be drawn).
	PageImage(ctx context.Context, org uuid.UUID, sha256Hex, contentType string, n int) ([]byte, error)
}

type documentHandler struct {
	logger    *slog.Logger
	documents *documents.Service
	workflows DocumentWorkflows
	originals Originals
	// urlTTL is how long a presigned link to an original works.
	urlTTL time.Duration
	// spoolDir holds uploads while they are checked ("" for the system's temporary directory).
	spoolDir string
	// maxBody is the limit of the other requests' bodies (a vendor import).
	maxBody int64
}

// multipartSlack is what a multipart body adds around its file: part
// headers and the small fields. The body limit is the file limit plus this.
const multipartSlack = 64 << 10

// upload streams the multipart field `file` to a temporary file while
// hashing it, checks it, records the document and starts its workflow.
func (h *documentHandler) upload(c *gin.Context) {
	mediaType, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		respondError(c, problem.New(problem.ErrUnsupportedType, "send the document as multipart/form-data with the file in the field `file`"))
		return
	}
	reader, err := c.Request.MultipartReader()
	if err != nil {
		respondError(c, problem.Invalid("the multipart body could not be read: "+err.Error()))
		return
	}
	in := documents.UploadInput{IdempotencyKey: c.GetHeader("Idempotency-Key")}
	var spooled *documents.Spooled
	defer func() {
		if spooled != nil {
			spooled.Close()
		}
	}()
	limit := h.documents.Limits().MaxBytes
	for {
		part, err := reader.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			respondError(c, bodyError(err, limit))
			return
		}
		switch part.FormName() {
		case "file":
			if spooled != nil {
				respondError(c, problem.Invalid("send one file per upload", problem.FieldError{Field: "file", Message: "appears more than once"}))
				return
			}
			in.Filename = part.FileName()
			if spooled, err = documents.Spool(part, h.spoolDir, limit); err != nil {
				respondError(c, bodyError(err, limit))
				return
			}
		case "kind":
			if in.Kind, err = smallField(part); err != nil {
				respondError(c, bodyError(err, limit))
				return
			}
		case "intake_id":
			raw, err := smallField(part)
			if err != nil {
				respondError(c, bodyError(err, limit))
				return
			}
			id, err := uuid.Parse(raw)
			if err != nil {
				respondError(c, problem.Invalid("invalid upload", problem.FieldError{Field: "intake_id", Message: "must be an intake request id"}))
				return
			}
			in.IntakeID = &id
		default:
			// Unknown fields are read past, not kept.
			if _, err := io.Copy(io.Discard, io.LimitReader(part, multipartSlack)); err != nil {
				respondError(c, bodyError(err, limit))
				return
			}
		}
	}
	if spooled == nil {
		respondError(c, problem.Invalid("no file was sent", problem.FieldError{Field: "file", Message: "is required"}))
		return
	}
	up, err := h.documents.Upload(c, orgID(c), userID(c), onlyOwn(c), in, spooled)
	var dup *documents.Duplicate
	if errors.As(err, &dup) {
		writeProblemBody(c, problem.From(dup.Problem()), func(p problem.Problem) any { return duplicateProblem{Problem: p, DocumentID: dup.DocumentID} })
		return
	}
	if err != nil {
		respondError(c, err)
		return
	}
	// Started even for a repeated key: the first attempt may have stopped between storing and starting.
	if err := h.workflows.Start(c, orgID(c), up.ID); err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, up)
}

// duplicateProblem is the 409 of an upload the organisation has already, naming that document.
type duplicateProblem struct {
	problem.Problem
	DocumentID uuid.UUID `json:"document_id"`
}

// smallField reads a short text field of a multipart body.
func smallField(part io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, 1025))
	if err != nil {
		return "", err
	}
	if len(b) > 1024 {
		return "", problem.Invalid("a form field is longer than 1024 bytes")
	}
	return strings.TrimSpace(string(b)), nil
}

// bodyError maps a failure to read the upload: over the request's size limit is a 413.
func bodyError(err error, limit int64) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return documents.ErrFileTooLarge(limit)
	}
	var public *problem.Error
	if errors.As(err, &public) {
		return err
	}
	switch {
	case errors.Is(err, documents.ErrSpool):
		return err // the server could not keep it (a full disk): a 500, logged
	case errors.Is(err, documents.ErrBodyUnreadable):
		return problem.Invalid(err.Error())
	}
	return problem.Invalid("the upload could not be read: " + err.Error())
}

// documentView is a document with links to its original.
type documentView struct {
	documents.Document
	URLs documentURLs `json:"urls"`
}

type documentURLs struct {
	// Original is a short-lived presigned GET of the uploaded file ("" until it is stored).
	Original  string     `json:"original,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (h *documentHandler) get(c *gin.Context) {
	id, ok := pathUUID(c, "id", "document")
	if !ok {
		return
	}
	d, err := h.documents.Get(c, orgID(c), id, onlyOwn(c))
	if err != nil {
		respondError(c, err)
		return
	}
	view := documentView{Document: d}
	if onlyOwn(c) != nil {
		view.Extraction = nil // how the fields were read, and what it cost, is for the organisation's staff
	}
	if d.Stored {
		// Without object storage the document still answers, without its link.
		if url, err := h.originals.URL(c, orgID(c), d.SHA256, d.Filename, h.urlTTL); err == nil {
			expires := time.Now().Add(h.urlTTL).UTC()
			view.URLs = documentURLs{Original: url, ExpiresAt: &expires}
		}
	}
	c.JSON(http.StatusOK, view)
}

// pagePath reads a page's path: the document's id and the page number, from 1.
func pagePath(c *gin.Context) (uuid.UUID, int, bool) {
	id, ok := pathUUID(c, "id", "document")
	if !ok {
		return uuid.Nil, 0, false
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		respondError(c, problem.Invalid("invalid page number", problem.FieldError{Field: "n", Message: "must be a page number from 1"}))
		return uuid.Nil, 0, false
	}
	return id, n, true
}

func (h *documentHandler) page(c *gin.Context) {
	id, n, ok := pagePath(c)
	if !ok {
		return
	}
	p, err := h.documents.Page(c, orgID(c), id, n, onlyOwn(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// pageImage is page n drawn for people to look at, a PNG the page's word
// boxes fit. Who may see it, and which pages there are, is as for the page's
// words. The same page of the same file never changes: it is cached by the
// original's SHA-256, privately.
func (h *documentHandler) pageImage(c *gin.Context) {
	id, n, ok := pagePath(c)
	if !ok {
		return
	}
	d, err := h.documents.Get(c, orgID(c), id, onlyOwn(c))
	if err != nil {
		respondError(c, err)
		return
	}
	if _, err := h.documents.Page(c, orgID(c), id, n, onlyOwn(c)); err != nil {
		respondError(c, err)
		return
	}
	if !d.Stored {
		respondError(c, problem.New(problem.ErrNotFound, "the document's original is not stored"))
		return
	}
	etag := `"` + d.SHA256 + "-" + strconv.Itoa(n) + `"`
	c.Header("ETag", etag)
	c.Header("Cache-Control", "private, max-age=86400, immutable")
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	img, err := h.originals.PageImage(c, orgID(c), d.SHA256, d.ContentType, n)
	if err != nil {
		c.Header("Cache-Control", "no-store")
		c.Header("ETag", "")
		respondError(c, err)
		return
	}
	c.Data(http.StatusOK, "image/png", img)
}

var documentStatuses = map[string]bool{"": true, documents.StatusReceived: true, documents.StatusScanning: true, documents.StatusProcessing: true,
	documents.StatusNeedsReview: true, documents.StatusProcessed: true, documents.StatusRejected: true, documents.StatusFailed: true}

func (h *documentHandler) list(c *gin.Context) {
	limit, after, err := pageAfter[documents.ListCursor](c)
	if err != nil {
		respondError(c, err)
		return
	}
	q := queryParams{c: c}
	f := documents.ListFilter{
		Status: c.Query("status"), VendorID: q.id("vendor", "vendor"), IntakeID: q.id("intake_id", "intake request"),
		DateFrom: q.date("date_from"), DateTo: q.date("date_to"), TotalMin: c.Query("total_min"), TotalMax: c.Query("total_max"),
		Duplicate: q.boolean("duplicate"), Query: c.Query("q"), UploadedBy: onlyOwn(c),
	}
	if !documentStatuses[f.Status] {
		q.fields = append(q.fields, problem.FieldError{Field: "status", Message: "must be received, scanning, processing, needs_review, processed, rejected or failed"})
	}
	if len(f.Query) > 500 {
		q.fields = append(q.fields, problem.FieldError{Field: "q", Message: "must be at most 500 bytes"})
	}
	if err := q.err(); err != nil {
		respondError(c, err)
		return
	}
	items, err := h.documents.List(c, orgID(c), f, after, limit+1)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, cursorPage(items, limit, func(s documents.Summary) documents.ListCursor {
		return documents.ListCursor{CreatedAt: s.CreatedAt, ID: s.ID}
	}))
}

// review sends the reviewer's fields to the document's workflow, whose
// validator refuses bad ones before they enter history.
func (h *documentHandler) review(c *gin.Context) {
	id, ok := pathUUID(c, "id", "document")
	if !ok {
		return
	}
	var r documents.Review
	if err := decodeJSON(c, &r); err != nil {
		respondError(c, err)
		return
	}
	if err := documents.ValidateReview(r); err != nil { // answered here too, without a round trip
		respondError(c, err)
		return
	}
	if _, err := h.documents.Get(c, orgID(c), id, nil); err != nil {
		respondError(c, err)
		return
	}
	actor := userID(c)
	r.Actor = &actor
	if _, err := h.workflows.Review(c, id, c.GetHeader("Idempotency-Key"), r); err != nil {
		respondError(c, err)
		return
	}
	d, err := h.documents.Get(c, orgID(c), id, nil)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (h *documentHandler) delete(c *gin.Context) {
	id, ok := pathUUID(c, "id", "document")
	if !ok {
		return
	}
	gone, err := h.documents.Delete(c, orgID(c), id, userID(c), c.ClientIP(), c.Request.UserAgent())
	if err != nil {
		respondError(c, err)
		return
	}
	if gone.DeleteObject {
		if err := h.originals.Delete(c, orgID(c), hex.EncodeToString(gone.SHA256)); err != nil {
			respondError(c, fmt.Errorf("documents: delete the original of %s: %w", id, err))
			return
		}
	}
	// A deleted document is not read on: its pages would fail one by one.
	// Best effort: the row and the object are gone either way, and a
	// workflow left running ends on its own when it finds no document.
	if err := h.workflows.Stop(c, id); err != nil {
		h.logger.Warn("the workflow of a deleted document could not be cancelled", "document_id", id, "error", err)
	}
	c.Status(http.StatusNoContent)
}

// patch changes what an ADMIN may change of a document: its legal hold
// (`{"legal_hold": bool}`), audited.
func (h *documentHandler) patch(c *gin.Context) {
	id, ok := pathUUID(c, "id", "document")
	if !ok {
		return
	}
	var in struct {
		LegalHold *bool `json:"legal_hold"`
	}
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	if in.LegalHold == nil {
		respondError(c, problem.Invalid("nothing to change", problem.FieldError{Field: "legal_hold", Message: "is required (true or false)"}))
		return
	}
	d, err := h.documents.SetLegalHold(c, orgID(c), id, *in.LegalHold, userID(c), c.ClientIP(), c.Request.UserAgent())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (h *documentHandler) stats(c *gin.Context) {
	q := queryParams{c: c}
	since := q.time("since")
	if err := q.err(); err != nil {
		respondError(c, err)
		return
	}
	from := time.Now().AddDate(0, 0, -90)
	if since != nil {
		from = *since
	}
	stats, err := h.documents.Stats(c, orgID(c), from)
	if err != nil {
		respondError(c, err)
		return
	}
	statuses, err := h.documents.StatusCounts(c, orgID(c), from)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"since": from.UTC(), "fields": stats, "statuses": statuses})
}

func (h *documentHandler) getSettings(c *gin.Context) {
	s, err := h.documents.Settings(c, orgID(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, s)
}

// putSettings changes the settings the body names; the others stay as they
// are (retention_days, when named, is replaced whole).
func (h *documentHandler) putSettings(c *gin.Context) {
	var patch struct {
		DuplicatePolicy *string         `json:"duplicate_policy"`
		ReviewThreshold *float64        `json:"review_threshold"`
		RetentionDays   *map[string]int `json:"retention_days"`
		LLMEnabled      *bool           `json:"llm_enabled"`
	}
	if err := decodeJSON(c, &patch); err != nil {
		respondError(c, err)
		return
	}
	in, err := h.documents.Settings(c, orgID(c))
	if err != nil {
		respondError(c, err)
		return
	}
	if patch.DuplicatePolicy != nil {
		in.DuplicatePolicy = *patch.DuplicatePolicy
	}
	if patch.ReviewThreshold != nil {
		in.ReviewThreshold = *patch.ReviewThreshold
	}
	if patch.RetentionDays != nil {
		in.RetentionDays = *patch.RetentionDays
	}
	if patch.LLMEnabled != nil {
		in.LLMEnabled = *patch.LLMEnabled
	}
	s, err := h.documents.SaveSettings(c, orgID(c), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, s)
}

// importVendors takes JSON {"vendors":[{"name","address"}]} or text/csv `name,address`.
func (h *documentHandler) importVendors(c *gin.Context) {
	var list []documents.VendorInput
	mediaType, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch mediaType {
	case "text/csv":
		var err error
		if list, err = documents.ParseVendorsCSV(c.Request.Body); err != nil {
			if errors.As(err, new(*http.MaxBytesError)) {
				err = tooLarge(h.maxBody)
			}
			respondError(c, err)
			return
		}
	default:
		var in struct {
			Vendors []documents.VendorInput `json:"vendors"`
		}
		if err := decodeJSON(c, &in); err != nil {
			respondError(c, err)
			return
		}
		list = in.Vendors
	}
	n, err := h.documents.ImportVendors(c, orgID(c), list)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"imported": n})
}

func (h *documentHandler) listVendors(c *gin.Context) {
	vendors, err := h.documents.Vendors(c, orgID(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": vendors})
}
