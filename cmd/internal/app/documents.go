package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/llm"
	"github.com/astralisops/astralis/internal/objectstore"
	"github.com/astralisops/astralis/internal/ocr"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/virusscan"
)

// documents is the documents service: uploads are checked from their content
// by fileChecker; fields are read by the chat model when one is configured.
func (s *Services) documents() *documents.Service {
	s.documentsOnce.Do(func() {
		d := s.Config.Documents
		var reader documents.LLMReader // without an API key, extraction stays built in
		if c := s.Config.OpenAI; c.APIKey != "" {
			reader = llm.New(llm.Config{APIKey: c.APIKey, BaseURL: c.BaseURL, Model: c.Model, Timeout: c.Timeout})
		}
		s.documentsService = documents.New(s.Pool, fileChecker{dpi: d.DPI}, reader, s.Logger, documents.Limits{MaxBytes: d.MaxBytes, MaxPages: d.MaxPages, MaxPixels: d.MaxPixels})
	})
	return s.documentsService
}

// objectStore opens the bucket of originals once (Open creates it when missing).
func (s *Services) objectStore(ctx context.Context) (*objectstore.Store, error) {
	s.storeMu.Lock()
	defer s.storeMu.Unlock()
	if s.store != nil {
		return s.store, nil
	}
	st, err := objectstore.Open(ctx, s.Config.Storage)
	if err != nil {
		return nil, fmt.Errorf("object storage: %w", err)
	}
	s.store = st
	return st, nil
}

// originals keeps documents' originals in object storage, one object per
// organisation and SHA-256. It opens the store on first use, so a process
// starts while the store is down.
type originals struct{ s *Services }

func (o originals) key(org uuid.UUID, sha256Hex string) string {
	return objectstore.Key(org, sha256Hex)
}

func (o originals) URL(ctx context.Context, org uuid.UUID, sha256Hex, filename string, ttl time.Duration) (string, error) {
	st, err := o.s.objectStore(ctx)
	if err != nil {
		return "", err
	}
	return st.PresignGet(ctx, o.key(org, sha256Hex), ttl, filename)
}

func (o originals) Delete(ctx context.Context, org uuid.UUID, sha256Hex string) error {
	st, err := o.s.objectStore(ctx)
	if err != nil {
		return err
	}
	return st.Delete(ctx, o.key(org, sha256Hex))
}

func (o originals) PutOriginal(ctx context.Context, org uuid.UUID, sha256Hex string, r io.Reader, size int64, contentType string) error {
	st, err := o.s.objectStore(ctx)
	if err != nil {
		return err
	}
	return st.Put(ctx, o.key(org, sha256Hex), r, size, contentType)
}

func (o originals) GetOriginal(ctx context.Context, org uuid.UUID, sha256Hex string, w io.Writer) error {
	st, err := o.s.objectStore(ctx)
	if err != nil {
		return err
	}
	rc, err := st.Get(ctx, o.key(org, sha256Hex))
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(w, rc)
	return err
}

// scanner adapts the clamd client to the scan activity.
type scanner struct{ c *virusscan.Scanner }

func (s scanner) Scan(ctx context.Context, r io.Reader) (bool, string, error) {
	v, err := s.c.Scan(ctx, r)
	if errors.Is(err, virusscan.ErrTooLarge) {
		// No retry can help: the document fails with the reason rather than waiting a day.
		return false, "", temporal.NewNonRetryableApplicationError("the file is larger than the virus scanner accepts", activities.ErrTypeUnreadableDocument, err)
	}
	return v.Infected, v.Signature, err
}

// fileChecker tells an upload's type and pages from its content (internal/ocr).
type fileChecker struct{ dpi int }

func (f fileChecker) Check(ctx context.Context, path string, head []byte, lim documents.Limits) (string, int, error) {
	mime, err := ocr.Sniff(head)
	var unsupported *ocr.UnsupportedTypeError
	if errors.As(err, &unsupported) {
		return "", 0, problem.New(problem.ErrUnsupportedType, fmt.Sprintf("the file is %s, not a PDF, JPEG, PNG or TIFF (its name does not matter: its content does)", unsupported.Detected))
	}
	if err != nil {
		return "", 0, err
	}
	info, err := ocr.Inspect(ctx, path, mime, ocrLimits(lim, f.dpi))
	switch {
	case err == nil:
		return mime, info.Pages, nil
	case errors.Is(err, ocr.ErrTooLarge):
		return "", 0, problem.Invalid(fmt.Sprintf("the image is larger than %d pixels", lim.MaxPixels), problem.FieldError{Field: "file", Message: "has too many pixels"})
	case errors.Is(err, ocr.ErrTooManyPages):
		return "", 0, problem.Invalid(fmt.Sprintf("the PDF has more than %d pages", lim.MaxPages), problem.FieldError{Field: "file", Message: "has too many pages"})
	case errors.Is(err, ocr.ErrEncrypted), errors.Is(err, ocr.ErrCorrupt):
		// Accepted: its document fails with the reason, where the uploader sees it.
		return mime, 0, nil
	default:
		return "", 0, err
	}
}

func ocrLimits(lim documents.Limits, dpi int) ocr.Limits {
	l := ocr.DefaultLimits()
	l.MaxPages, l.MaxPixels, l.DPI = lim.MaxPages, lim.MaxPixels, dpi
	return l
}

// pageReader adapts the OCR engine to the page activities.
type pageReader struct{ e *ocr.Engine }

func (p pageReader) Pages(ctx context.Context, path, contentType string) (int, error) {
	info, err := p.e.Inspect(ctx, path, contentType)
	return info.Pages, err
}

func (p pageReader) Page(ctx context.Context, path, contentType string, n int) (documents.Page, error) {
	pg, err := p.e.Page(ctx, path, contentType, n)
	if err != nil {
		return documents.Page{}, err
	}
	out := documents.Page{Number: pg.Number, Source: pg.Source, Width: pg.Width, Height: pg.Height, Text: pg.Text(), Words: make([]documents.Word, len(pg.Words))}
	for i, w := range pg.Words {
		out.Words[i] = documents.Word{Text: w.Text, Confidence: w.Confidence, Box: w.Box}
	}
	return out, nil
}

// Overran: a tool ran past its time (ToolTimeout, a minute) on the file.
func (p pageReader) Overran(err error) bool { return errors.Is(err, ocr.ErrToolTimeout) }

// Unreadable: the file's own fault (truncated, encrypted, over a limit, not a document).
func (p pageReader) Unreadable(err error) bool {
	for _, e := range []error{ocr.ErrUnsupportedType, ocr.ErrEncrypted, ocr.ErrCorrupt, ocr.ErrTooManyPages, ocr.ErrTooLarge, ocr.ErrNoSuchPage} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
