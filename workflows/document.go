package workflows

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/problem"
)

// What the API, the worker and this workflow share about documents.
const (
	DocumentTaskQueue = "documents"
	// ReviewUpdate is how a reviewer corrects or confirms a document's fields.
	ReviewUpdate = "review"
	// PagesInFlight is how many pages of one document are read at once: the
	// OCR pool is the size of the cores, and one document should not take all
	// of a worker's while others wait.
	PagesInFlight = 2
	// pagesPerRun bounds one run's history: after that many pages the
	// workflow continues as new, carrying only its place.
	pagesPerRun = 100
)

// DocumentWorkflowID is derived from the document id: one workflow per document.
func DocumentWorkflowID(documentID uuid.UUID) string { return "document-" + documentID.String() }

// DocumentInput starts (or continues) reading one document. Ids only: the
// document's bytes, text and fields stay in the database and object storage.
type DocumentInput struct {
	OrgID      uuid.UUID `json:"org_id"`
	DocumentID uuid.UUID `json:"document_id"`
	// Shape is the workflow shape the starter asks for (NewDocumentInput sets the current one).
	Shape workflow.Version `json:"shape"`
	// NextPage is where a run that continues an earlier one starts reading (0: a first run).
	NextPage int `json:"next_page,omitempty"`
}

// Shapes of the DocumentWorkflow, oldest first (see the intake's for why the input carries it).
const (
	documentFirstShape = 1
	// documentSecondShape records a run that ends in an error (a step out of
	// time or retries) as a failed document, so it does not stay
	// "processing" for ever; and it applies a review accepted while the
	// extraction was finishing even when the extraction came out confident
	// (processed): a person's correction is not dropped.
	documentSecondShape  = 2
	documentCurrentShape = documentSecondShape
)

// NewDocumentInput is how the API and the sweep start a document's workflow: in the current shape.
func NewDocumentInput(org, documentID uuid.UUID) DocumentInput {
	return DocumentInput{OrgID: org, DocumentID: documentID, Shape: documentCurrentShape}
}

// ReasonGaveUp is what a document that could not be processed says: the
// cause, which may name internal parts, is in the workflow's history and log.
const ReasonGaveUp = "processing stopped after repeated errors; upload the file again to retry"

// DocumentState is what the status query and the review update answer.
type DocumentState struct {
	Status     string `json:"status"`
	PagesTotal int    `json:"pages_total"`
	PagesDone  int    `json:"pages_done"`
	Reason     string `json:"reason,omitempty"`
}

// Activity options of the DocumentWorkflow, each chosen for its work.
var (
	// bookkeeping is a short transaction; it keeps trying for an hour (a database failover).
	documentBookkeeping = workflow.ActivityOptions{
		StartToCloseTimeout:    15 * time.Second,
		ScheduleToCloseTimeout: time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	}
	// scanning waits for clamd as long as it takes (a day): a document is never
	// taken for clean because the scanner was down. Backoff to a minute keeps
	// the wait after clamd returns short.
	documentScan = workflow.ActivityOptions{
		StartToCloseTimeout:    2 * time.Minute,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrTypeUnreadableDocument}},
	}
	// storing streams up to the upload limit to object storage.
	documentStore = workflow.ActivityOptions{
		StartToCloseTimeout:    5 * time.Minute,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	}
	// reading a page heartbeats every 2 s: a worker killed mid-page is noticed
	// in 10 s and the page is read again elsewhere. An unreadable file is not
	// retried (nor one that ran out of time three times: activities.ReadFailure);
	// anything else, such as the database or object storage being away, is
	// retried for a day, as storing is.
	documentPage = workflow.ActivityOptions{
		StartToCloseTimeout:    5 * time.Minute,
		HeartbeatTimeout:       10 * time.Second,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrTypeUnreadableDocument}},
	}
	// extracting may ask a chat model (its client has its own timeout, openai.timeout),
	// then falls back to the built-in extractor; a few attempts ride out a database restart.
	documentExtract = workflow.ActivityOptions{
		StartToCloseTimeout:    2 * time.Minute,
		ScheduleToCloseTimeout: time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	}
	// reviewing runs inside the review Update while the reviewer waits: a few quick attempts.
	documentReview = workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 500 * time.Millisecond, BackoffCoefficient: 2, MaximumAttempts: 3},
	}
)

type documentWorkflow struct {
	in    DocumentInput
	ref   activities.DocumentRef
	state DocumentState
	// reviewing is set while a review is being recorded, reviewed once it is:
	// a second review is refused meanwhile, never silently dropped.
	reviewing, reviewed bool
	// extracting is set while the fields are extracted: the database may
	// already say needs_review, so a reviewer may answer before this run knows.
	extracting bool
}

// Document reads one document: scan, store, read its pages, extract its
// fields, then wait for a review when the extraction is unsure.
func Document(ctx workflow.Context, in DocumentInput) (DocumentState, error) {
	if in.Shape > documentCurrentShape {
		// As GetVersion does: the task fails and is retried until a newer worker takes it.
		panic(fmt.Sprintf("document workflow shape %d is newer than this worker knows", in.Shape))
	}
	w := &documentWorkflow{in: in, ref: activities.DocumentRef{OrgID: in.OrgID, DocumentID: in.DocumentID}, state: DocumentState{Status: documents.StatusReceived}}
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (DocumentState, error) { return w.state, nil }); err != nil {
		return DocumentState{}, err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, ReviewUpdate, w.review, workflow.UpdateHandlerOptions{Validator: w.validateReview}); err != nil {
		return DocumentState{}, err
	}
	state, err := w.run(ctx)
	if err != nil && in.Shape >= documentSecondShape && !workflow.IsContinueAsNewError(err) && !temporal.IsCanceledError(err) {
		return w.giveUp(ctx, err)
	}
	return state, err
}

// giveUp records the document as failed and ends the run with its cause,
// which the Temporal UI shows.
func (w *documentWorkflow) giveUp(ctx workflow.Context, cause error) (DocumentState, error) {
	workflow.GetLogger(ctx).Error("document gave up", "error", cause)
	var a *activities.Documents
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, documentBookkeeping), a.Fail, w.ref, ReasonGaveUp).Get(ctx, nil); err != nil {
		return w.state, err
	}
	w.state.Status, w.state.Reason = documents.StatusFailed, ReasonGaveUp
	if err := w.publish(ctx); err != nil {
		return w.state, err
	}
	return w.state, cause
}

func (w *documentWorkflow) publish(ctx workflow.Context) error {
	workflow.GetLogger(ctx).Info("document state", "status", w.state.Status, "pages_done", w.state.PagesDone, "pages_total", w.state.PagesTotal)
	return workflow.UpsertTypedSearchAttributes(ctx,
		OrgAttribute.ValueSet(w.in.OrgID.String()),
		DocumentStatusAttribute.ValueSet(w.state.Status),
		DocumentPagesDoneAttribute.ValueSet(int64(w.state.PagesDone)),
	)
}

func (w *documentWorkflow) run(ctx workflow.Context) (DocumentState, error) {
	var a *activities.Documents
	book := workflow.WithActivityOptions(ctx, documentBookkeeping)
	var job activities.DocumentJob
	if err := workflow.ExecuteActivity(book, a.Begin, w.ref).Get(ctx, &job); err != nil {
		return w.state, err
	}
	w.state.Status, w.state.PagesTotal = job.Status, job.PagesTotal
	switch job.Status {
	case documents.StatusRejected, documents.StatusFailed, documents.StatusProcessed:
		return w.state, nil // finished by an earlier run
	case documents.StatusNeedsReview:
		return w.awaitReview(ctx)
	}

	if !job.Stored {
		var verdict activities.ScanVerdict
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, documentScan), a.Scan, w.ref).Get(ctx, &verdict); err != nil {
			return w.fail(ctx, err) // a file the scanner cannot take fails with the reason; anything else fails the run
		}
		if verdict.Infected {
			if err := workflow.ExecuteActivity(book, a.Reject, w.ref, verdict.Signature).Get(ctx, nil); err != nil {
				return w.state, err
			}
			w.state.Status, w.state.Reason = documents.StatusRejected, "the virus scan found "+verdict.Signature
			return w.state, w.publish(ctx)
		}
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, documentStore), a.Store, w.ref).Get(ctx, nil); err != nil {
			return w.state, err
		}
		w.state.Status = documents.StatusProcessing
		if err := w.publish(ctx); err != nil {
			return w.state, err
		}
	}

	pageCtx := workflow.WithActivityOptions(ctx, documentPage)
	from := w.in.NextPage
	if from == 0 {
		var pages int
		if err := workflow.ExecuteActivity(pageCtx, a.Inspect, w.ref).Get(ctx, &pages); err != nil {
			return w.fail(ctx, err)
		}
		w.state.PagesTotal, from = pages, 1
	}
	next, err := w.readPages(ctx, pageCtx, from)
	if err != nil {
		return w.fail(ctx, err)
	}
	if next <= w.state.PagesTotal {
		// This run's history holds pagesPerRun pages; the next run starts where it stopped.
		in := w.in
		in.NextPage = next
		return w.state, workflow.NewContinueAsNewError(ctx, Document, in)
	}

	var status string
	w.extracting = true
	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, documentExtract), a.Extract, w.ref).Get(ctx, &status)
	w.extracting = false
	if err != nil {
		return w.state, err
	}
	w.state.Status = status
	if err := w.publish(ctx); err != nil {
		return w.state, err
	}
	if status == documents.StatusNeedsReview {
		return w.awaitReview(ctx)
	}
	if w.in.Shape >= documentSecondShape {
		// A review accepted during the extraction is still being recorded.
		return w.state, workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	}
	return w.state, nil
}

// readPages reads pages from `from` on, PagesInFlight at a time, at most
// pagesPerRun of them, and answers the first page it did not read (past the
// last when it read them all).
func (w *documentWorkflow) readPages(ctx, pageCtx workflow.Context, from int) (int, error) {
	var a *activities.Documents
	var pending []workflow.Future
	var firstErr error
	wait := func() {
		var done activities.PageDone
		if err := pending[0].Get(ctx, &done); err != nil && firstErr == nil {
			firstErr = err
		}
		pending = pending[1:]
		w.state.PagesDone = max(w.state.PagesDone, done.PagesDone)
	}
	n := from
	for ; n <= w.state.PagesTotal && n < from+pagesPerRun && firstErr == nil; n++ {
		if len(pending) == PagesInFlight {
			wait()
			if w.state.PagesDone%10 == 0 {
				if err := w.publish(ctx); err != nil {
					return 0, err
				}
			}
		}
		pending = append(pending, workflow.ExecuteActivity(pageCtx, a.ReadPage, w.ref, n))
	}
	for len(pending) > 0 {
		wait()
	}
	return n, firstErr
}

// fail records why the document cannot be read, when that is the file's
// fault, and ends the run; any other error fails the run (it is retried as a whole).
func (w *documentWorkflow) fail(ctx workflow.Context, cause error) (DocumentState, error) {
	if !problem.IsType(cause, activities.ErrTypeUnreadableDocument) {
		return w.state, cause
	}
	var app *temporal.ApplicationError
	reason := cause.Error()
	if errors.As(cause, &app) {
		reason = app.Message()
	}
	var a *activities.Documents
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, documentBookkeeping), a.Fail, w.ref, reason).Get(ctx, nil); err != nil {
		return w.state, err
	}
	w.state.Status, w.state.Reason = documents.StatusFailed, reason
	return w.state, w.publish(ctx)
}

// awaitReview waits for a reviewer; the review Update completes the document.
func (w *documentWorkflow) awaitReview(ctx workflow.Context) (DocumentState, error) {
	w.state.Status = documents.StatusNeedsReview
	if err := workflow.Await(ctx, func() bool { return w.reviewed }); err != nil {
		return w.state, err
	}
	if err := w.publish(ctx); err != nil {
		return w.state, err
	}
	return w.state, workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// validateReview refuses a review before it enters history: the document must
// be waiting for one (or its extraction finishing, which may end in it), and
// the fields must be known, dates real and amounts amounts.
func (w *documentWorkflow) validateReview(r documents.Review) error {
	if (w.state.Status != documents.StatusNeedsReview && !w.extracting) || w.reviewing || w.reviewed {
		return problem.ApplicationError(documents.ErrNotAwaitingReview)
	}
	return problem.ApplicationError(documents.ValidateReview(r))
}

// review records the reviewer's fields in one short activity and answers.
func (w *documentWorkflow) review(ctx workflow.Context, r documents.Review) (DocumentState, error) {
	if w.reviewing || w.reviewed {
		return w.state, problem.ApplicationError(documents.ErrNotAwaitingReview)
	}
	w.reviewing = true
	defer func() { w.reviewing = false }()
	// Accepted while the extraction was finishing: answer once it has, as its status allows.
	if err := workflow.Await(ctx, func() bool { return !w.extracting }); err != nil {
		return w.state, err
	}
	lateButWelcome := w.state.Status == documents.StatusProcessed && w.in.Shape >= documentSecondShape
	if w.state.Status != documents.StatusNeedsReview && !lateButWelcome {
		return w.state, problem.ApplicationError(documents.ErrNotAwaitingReview)
	}
	var a *activities.Documents
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, documentReview), a.ApplyReview, w.ref, r).Get(ctx, nil); err != nil {
		return w.state, err
	}
	w.reviewed = true
	w.state.Status = documents.StatusProcessed
	return w.state, nil
}
