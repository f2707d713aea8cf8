package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/ocr"
	"github.com/astralisops/astralis/internal/ocr/ocrtest"
	"github.com/astralisops/astralis/internal/problem"
)

// TestAToolRunningOutOfTimeIsRetriedBeforeTheFileIsBlamed: pdfinfo past its
// time limit once may be a busy machine, and is retried; on the third
// attempt the file is held to blame and the document fails with the reason.
// A truncated PDF is the file's fault at once.
func TestAToolRunningOutOfTimeIsRetriedBeforeTheFileIsBlamed(t *testing.T) {
	lim := ocr.DefaultLimits()
	lim.ToolTimeout = 1 // 1ns: every tool runs out of time
	e, err := ocr.NewEngine(1, lim)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	r := pageReader{e}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, ocrtest.TextPDF([]string{"SLOW RECEIPT"}), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = r.Pages(context.Background(), path, ocr.MIMEPDF)
	if err == nil {
		t.Fatal("pdfinfo with a 1ns limit answered")
	}
	nonRetryable := func(err error) bool {
		var app *temporal.ApplicationError
		return problem.IsType(err, activities.ErrTypeUnreadableDocument) && errors.As(err, &app) && app.NonRetryable()
	}
	for attempt := int32(1); attempt < 3; attempt++ {
		if got := activities.ReadFailure(r, err, attempt); nonRetryable(got) {
			t.Errorf("attempt %d: %v is the end of the document; want it retried", attempt, got)
		}
	}
	if got := activities.ReadFailure(r, err, 3); !nonRetryable(got) {
		t.Errorf("attempt 3: %v; want the file held to blame (non-retryable, unreadable)", got)
	}

	if err := os.WriteFile(path, ocrtest.TextPDF([]string{"CUT RECEIPT"})[:200], 0o600); err != nil {
		t.Fatal(err)
	}
	fast, err := ocr.NewEngine(1, ocr.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	_, err = pageReader{fast}.Page(context.Background(), path, ocr.MIMEPDF, 1)
	if got := activities.ReadFailure(pageReader{fast}, err, 1); !nonRetryable(got) {
		t.Errorf("a truncated PDF on the first attempt: %v; want it unreadable at once", got)
	}
}
