package workflows

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/problem"
)

// TestDocumentSecondReviewIsRefusedWhileTheFirstIsRecorded: two reviews sent
// together; the first is recorded, the second refused (409), never answered
// as done while its corrections are dropped.
func TestDocumentSecondReviewIsRefusedWhileTheFirstIsRecorded(t *testing.T) {
	t.Parallel()
	var s testsuite.WorkflowTestSuite
	e := s.NewTestWorkflowEnvironment()
	var a *activities.Documents
	e.RegisterActivity(a)
	e.OnActivity(a.Begin, mock.Anything, mock.Anything).Return(activities.DocumentJob{Status: documents.StatusNeedsReview, Stored: true, PagesTotal: 1}, nil)
	e.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil)
	var mu sync.Mutex
	var applied []string
	e.OnActivity(a.ApplyReview, mock.Anything, mock.Anything, mock.Anything).Return(func(_ context.Context, _ activities.DocumentRef, r documents.Review) error {
		time.Sleep(100 * time.Millisecond) // still recording when the second review arrives
		mu.Lock()
		defer mu.Unlock()
		applied = append(applied, r.Fields["total"])
		return nil
	})
	outcomes := make([]error, 2)
	completed := make([]bool, 2)
	for i, total := range []string{"12.50", "99.00"} {
		e.RegisterDelayedCallback(func() {
			e.UpdateWorkflow(ReviewUpdate, uuid.NewString(), &testsuite.TestUpdateCallback{
				OnAccept:   func() {},
				OnReject:   func(err error) { outcomes[i] = err },
				OnComplete: func(_ any, err error) { completed[i], outcomes[i] = err == nil, err },
			}, documents.Review{Fields: map[string]string{"total": total}})
		}, time.Minute)
	}
	e.ExecuteWorkflow(Document, NewDocumentInput(uuid.New(), uuid.New()))
	if err := e.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(applied) != 1 || applied[0] != "12.50" || !completed[0] {
		t.Fatalf("applied %v, first review %v %v: want only the first recorded and answered", applied, completed[0], outcomes[0])
	}
	if completed[1] || !problem.IsType(outcomes[1], problem.TypeNotAwaiting) {
		t.Fatalf("second review: completed %v, %v; want refused as not awaiting review", completed[1], outcomes[1])
	}
}

// TestDocumentReviewDuringExtractionWaitsForIt: the database says
// needs_review as soon as extraction stored the fields, before this run knows;
// a review sent then is accepted and recorded once extraction has answered,
// also when the extraction came out confident (processed): a person's
// correction is not dropped.
func TestDocumentReviewDuringExtractionWaitsForIt(t *testing.T) {
	t.Parallel()
	for _, extracted := range []string{documents.StatusNeedsReview, documents.StatusProcessed} {
		var s testsuite.WorkflowTestSuite
		e := s.NewTestWorkflowEnvironment()
		var a *activities.Documents
		e.RegisterActivity(a)
		e.OnActivity(a.Begin, mock.Anything, mock.Anything).Return(activities.DocumentJob{Status: documents.StatusProcessing, Stored: true}, nil)
		e.OnActivity(a.Inspect, mock.Anything, mock.Anything).Return(1, nil)
		e.OnActivity(a.ReadPage, mock.Anything, mock.Anything, mock.Anything).Return(activities.PageDone{PagesDone: 1, Read: true}, nil)
		e.OnActivity(a.Extract, mock.Anything, mock.Anything).After(time.Minute).Return(extracted, nil)
		e.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil)
		var applied int
		e.OnActivity(a.ApplyReview, mock.Anything, mock.Anything, mock.Anything).Return(func(context.Context, activities.DocumentRef, documents.Review) error {
			time.Sleep(50 * time.Millisecond) // still recording when the run would end
			applied++
			return nil
		})
		var accepted, completed bool
		var outcome error
		e.RegisterDelayedCallback(func() {
			e.UpdateWorkflow(ReviewUpdate, uuid.NewString(), &testsuite.TestUpdateCallback{
				OnAccept:   func() { accepted = true },
				OnReject:   func(err error) { outcome = err },
				OnComplete: func(_ any, err error) { completed, outcome = err == nil, err },
			}, documents.Review{Fields: map[string]string{"total": "12.50"}})
		}, 30*time.Second) // while Extract runs
		e.ExecuteWorkflow(Document, NewDocumentInput(uuid.New(), uuid.New()))
		if err := e.GetWorkflowError(); err != nil {
			t.Fatal(err)
		}
		if !accepted || !completed || applied != 1 {
			t.Fatalf("review during an extraction that said %s: accepted %v, completed %v (%v), applied %d; want it recorded once", extracted, accepted, completed, outcome, applied)
		}
	}
}

// TestDocumentThatCannotBeProcessedIsRecordedFailed: a step that runs out of
// retries fails the run; the document says failed with a reason instead of
// "processing" for ever. Runs started in the first shape keep ending without it.
func TestDocumentThatCannotBeProcessedIsRecordedFailed(t *testing.T) {
	t.Parallel()
	for _, shape := range []workflow.Version{documentFirstShape, documentSecondShape} {
		var s testsuite.WorkflowTestSuite
		e := s.NewTestWorkflowEnvironment()
		var a *activities.Documents
		e.RegisterActivity(a)
		e.OnActivity(a.Begin, mock.Anything, mock.Anything).Return(activities.DocumentJob{Status: documents.StatusScanning}, nil)
		e.OnActivity(a.Scan, mock.Anything, mock.Anything).Return(activities.ScanVerdict{}, nil)
		e.OnActivity(a.Store, mock.Anything, mock.Anything).Return(temporal.NewNonRetryableApplicationError("bucket gone", "StorageError", nil))
		e.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil)
		var reasons []string
		e.OnActivity(a.Fail, mock.Anything, mock.Anything, mock.Anything).Return(func(_ context.Context, _ activities.DocumentRef, reason string) error {
			reasons = append(reasons, reason)
			return nil
		})
		in := NewDocumentInput(uuid.New(), uuid.New())
		in.Shape = shape
		e.ExecuteWorkflow(Document, in)
		if e.GetWorkflowError() == nil {
			t.Fatalf("shape %d: the run ended without an error; want the storage error, for the Temporal UI", shape)
		}
		want := []string{ReasonGaveUp}
		if shape == documentFirstShape {
			want = nil
		}
		if !slices.Equal(reasons, want) {
			t.Errorf("shape %d: recorded failures %q; want %q", shape, reasons, want)
		}
	}
}
