package activities

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/problem"
)

// What the DocumentWorkflow's activities take and answer: ids, counts and
// verdicts, never a document's bytes, text or fields (those stay in the
// database and object storage). These are the payloads in workflow history,
// so their JSON names stay as they are.

// DocumentRef names one document.
type DocumentRef struct {
	OrgID      uuid.UUID `json:"org_id"`
	DocumentID uuid.UUID `json:"document_id"`
}

// DocumentJob is where a document stands when its workflow (re)starts.
type DocumentJob struct {
	Status     string `json:"status"`
	Stored     bool   `json:"stored"`
	PagesTotal int    `json:"pages_total"`
}

// ScanVerdict is the virus scan's answer.
type ScanVerdict struct {
	Infected  bool   `json:"infected"`
	Signature string `json:"signature,omitempty"`
}

// PageDone answers a page activity: how many pages are done now, and
// whether this attempt read the page (false: an earlier one had).
type PageDone struct {
	PagesDone int  `json:"pages_done"`
	Read      bool `json:"read"`
}

// Error types of the document activities no retry can mend.
const (
	// ErrTypeUnreadableDocument: the file is not a document we can read (truncated,
	// encrypted, over a limit); the document fails with the reason.
	ErrTypeUnreadableDocument = "UnreadableDocument"
)

// VirusScanner scans a stream (internal/virusscan).
type VirusScanner interface {
	Scan(ctx context.Context, r io.Reader) (infected bool, signature string, err error)
}

// ObjectStore keeps originals, keyed by organisation and SHA-256 (internal/objectstore).
type ObjectStore interface {
	PutOriginal(ctx context.Context, org uuid.UUID, sha256Hex string, r io.Reader, size int64, contentType string) error
	GetOriginal(ctx context.Context, org uuid.UUID, sha256Hex string, w io.Writer) error
}

// PageReader reads documents page by page (internal/ocr).
type PageReader interface {
	// Pages counts a file's pages; an unreadable file is an error for which Unreadable is true.
	Pages(ctx context.Context, path, contentType string) (int, error)
	// Page reads page n (from 1) of a file.
	Page(ctx context.Context, path, contentType string, n int) (documents.Page, error)
	// Unreadable says the error is the file's fault, not the reader's: retrying cannot help.
	Unreadable(err error) bool
	// Overran says the reader ran out of time on the file: a busy machine's
	// fault once, the file's when it happens on every attempt.
	Overran(err error) bool
}

// overrunAttempts is how many times reading a file may run out of time
// before the file, not the machine's load, is held to blame.
const overrunAttempts = 3

// Documents runs the side effects of the DocumentWorkflow.
type Documents struct {
	Documents *documents.Service
	Scanner   VirusScanner
	Originals ObjectStore
	Reader    PageReader
	// CacheDir keeps a worker's local copies of originals while their pages are read.
	CacheDir string
}

// Begin answers where the document stands.
func (a *Documents) Begin(ctx context.Context, ref DocumentRef) (DocumentJob, error) {
	j, err := a.Documents.Job(ctx, ref.OrgID, ref.DocumentID)
	return DocumentJob{Status: j.Status, Stored: j.Stored, PagesTotal: j.PagesTotal}, problem.ApplicationError(err)
}

// Scan streams the staged upload to the virus scanner. A scanner that cannot
// be reached is an error like any other, retried: the document waits, it is
// never taken for clean.
func (a *Documents) Scan(ctx context.Context, ref DocumentRef) (ScanVerdict, error) {
	if err := a.Documents.SetStatus(ctx, ref.OrgID, ref.DocumentID, documents.StatusScanning, ""); err != nil {
		return ScanVerdict{}, err
	}
	infected, signature, err := a.Scanner.Scan(ctx, a.Documents.OpenUpload(ctx, ref.DocumentID))
	if err != nil {
		return ScanVerdict{}, fmt.Errorf("virus scan: %w", err)
	}
	return ScanVerdict{Infected: infected, Signature: signature}, nil
}

// Reject records an infected upload and deletes its staged bytes.
func (a *Documents) Reject(ctx context.Context, ref DocumentRef, signature string) error {
	return a.Documents.Reject(ctx, ref.OrgID, ref.DocumentID, signature)
}

// Store moves the clean upload from the database to object storage.
func (a *Documents) Store(ctx context.Context, ref DocumentRef) error {
	j, err := a.Documents.Job(ctx, ref.OrgID, ref.DocumentID)
	if err != nil {
		return problem.ApplicationError(err)
	}
	if j.Stored {
		return nil
	}
	sha := hex.EncodeToString(j.SHA256)
	if err := a.Originals.PutOriginal(ctx, ref.OrgID, sha, a.Documents.OpenUpload(ctx, ref.DocumentID), j.Size, j.ContentType); err != nil {
		return fmt.Errorf("store original: %w", err)
	}
	return a.Documents.MarkStored(ctx, ref.OrgID, ref.DocumentID)
}

// Inspect counts the stored original's pages. A file no reader can open
// (truncated, encrypted) fails for good with the reason.
func (a *Documents) Inspect(ctx context.Context, ref DocumentRef) (int, error) {
	stop := heartbeat(ctx, 2*time.Second) // fetching a large original counts against the heartbeat timeout too
	defer stop()
	path, contentType, err := a.local(ctx, ref)
	if err != nil {
		return 0, err
	}
	n, err := a.Reader.Pages(ctx, path, contentType)
	if err != nil {
		return 0, a.readError(ctx, err)
	}
	return n, a.Documents.SetPages(ctx, ref.OrgID, ref.DocumentID, n)
}

// ReadPage reads page n and saves its words, once: a page an earlier attempt
// saved is not read again. It heartbeats while the page is read, so a worker
// that died is noticed within the heartbeat timeout, not the page's.
func (a *Documents) ReadPage(ctx context.Context, ref DocumentRef, n int) (PageDone, error) {
	done, err := a.Documents.DonePages(ctx, ref.DocumentID)
	if err != nil {
		return PageDone{}, err
	}
	for _, d := range done {
		if d == n {
			return PageDone{PagesDone: len(done)}, nil
		}
	}
	stop := heartbeat(ctx, 2*time.Second) // from the start: fetching the original may take a while
	defer stop()
	path, contentType, err := a.local(ctx, ref)
	if err != nil {
		return PageDone{}, err
	}
	if err := a.Documents.CountOCRRun(ctx, ref.OrgID, ref.DocumentID); err != nil {
		return PageDone{}, err
	}
	p, err := a.Reader.Page(ctx, path, contentType, n)
	if err != nil {
		return PageDone{}, a.readError(ctx, err)
	}
	p.Number = n
	count, err := a.Documents.SavePage(ctx, ref.OrgID, ref.DocumentID, p)
	return PageDone{PagesDone: count, Read: true}, err
}

// Extract extracts the fields and answers the new status (processed or
// needs_review). The pages are read by then: this worker's copy of the
// original goes (another worker's copy goes with its temporary directory).
func (a *Documents) Extract(ctx context.Context, ref DocumentRef) (string, error) {
	status, err := a.Documents.ExtractFields(ctx, ref.OrgID, ref.DocumentID)
	if err != nil {
		return "", err
	}
	if j, err := a.Documents.Job(ctx, ref.OrgID, ref.DocumentID); err == nil {
		_ = os.Remove(a.cachePath(ref, hex.EncodeToString(j.SHA256)))
	}
	return status, nil
}

// Fail records why a document cannot be read.
func (a *Documents) Fail(ctx context.Context, ref DocumentRef, reason string) error {
	return a.Documents.Fail(ctx, ref.OrgID, ref.DocumentID, reason)
}

// ApplyReview stores a reviewer's corrections and completes the document.
func (a *Documents) ApplyReview(ctx context.Context, ref DocumentRef, r documents.Review) error {
	_, err := a.Documents.ApplyReview(ctx, ref.OrgID, ref.DocumentID, r)
	return problem.ApplicationError(err)
}

// local returns a local copy of the stored original, fetched once per worker.
func (a *Documents) local(ctx context.Context, ref DocumentRef) (string, string, error) {
	j, err := a.Documents.Job(ctx, ref.OrgID, ref.DocumentID)
	if err != nil {
		return "", "", problem.ApplicationError(err)
	}
	sha := hex.EncodeToString(j.SHA256)
	path := a.cachePath(ref, sha)
	if _, err := os.Stat(path); err == nil {
		return path, j.ContentType, nil
	}
	if err := os.MkdirAll(a.CacheDir, 0o700); err != nil {
		return "", "", err
	}
	tmp, err := os.CreateTemp(a.CacheDir, "fetch-*")
	if err != nil {
		return "", "", err
	}
	defer os.Remove(tmp.Name())
	if err := a.Originals.GetOriginal(ctx, ref.OrgID, sha, tmp); err != nil {
		tmp.Close()
		return "", "", fmt.Errorf("fetch original: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", "", err
	}
	// Renamed into place complete, so a concurrent page never reads half a file.
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", "", err
	}
	return path, j.ContentType, nil
}

func (a *Documents) cachePath(ref DocumentRef, sha256Hex string) string {
	return filepath.Join(a.CacheDir, ref.OrgID.String()+"-"+sha256Hex)
}

func (a *Documents) readError(ctx context.Context, err error) error {
	return ReadFailure(a.Reader, err, activity.GetInfo(ctx).Attempt)
}

// ReadFailure is what a read that failed with err on this attempt (from 1)
// reports: the file's fault ends the document (non-retryable, typed
// UnreadableDocument), so does running out of time on every attempt; anything
// else is retried.
func ReadFailure(r PageReader, err error, attempt int32) error {
	switch {
	case r.Unreadable(err):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeUnreadableDocument, err)
	case r.Overran(err) && attempt >= overrunAttempts:
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%v (on attempt %d)", err, attempt), ErrTypeUnreadableDocument, err)
	}
	return err
}

// heartbeat records a heartbeat every interval until stopped.
func heartbeat(ctx context.Context, every time.Duration) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	var stopped bool
	return func() {
		if !stopped {
			stopped = true
			close(done)
		}
	}
}
