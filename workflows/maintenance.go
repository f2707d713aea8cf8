package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/intake"
)

// Recurring maintenance runs as Temporal Schedules, which the worker creates
// at start: each takes its action once per interval however many API and
// worker replicas run, and shows, with its past and next runs, under
// Schedules in the Temporal Web UI.
const (
	// Schedule names; ScheduleID makes them a deployment's schedule ids.
	SweepMailSchedule   = "sweep-stranded-mail"
	SweepIntakeSchedule = "sweep-stranded-intake"
	PruneSchedule       = "prune"
	// SweepDocumentsSchedule and RetentionSchedule run on the documents task queue.
	SweepDocumentsSchedule = "sweep-stranded-documents"
	RetentionSchedule      = "expire-originals"
	// SweepBookingsSchedule runs on the bookings task queue.
	SweepBookingsSchedule = "sweep-stranded-bookings"

	// Workflow type names. Schedules store the name, not the function, so the
	// worker registers the workflows under these names explicitly: renaming a
	// function cannot strand an existing schedule.
	SweepStrandedMailWorkflow      = "SweepStrandedMail"
	SweepStrandedIntakeWorkflow    = "SweepStrandedIntake"
	PruneWorkflow                  = "Prune"
	SweepStrandedDocumentsWorkflow = "SweepStrandedDocuments"
	ExpireOriginalsWorkflow        = "ExpireOriginals"
	SweepStrandedBookingsWorkflow  = "SweepStrandedBookings"

	// SweepMailEvery and SweepIntakeEvery are how often work whose hand-over to
	// Temporal failed is looked for; PruneEvery how often expired rows go.
	SweepMailEvery   = time.Minute
	SweepIntakeEvery = time.Minute
	PruneEvery       = 30 * time.Minute
	// SweepDocumentsEvery is how often stranded uploads are looked for;
	// RetentionEvery how often originals past their retention are deleted
	// (retention is counted in days: an hour late is on time).
	SweepDocumentsEvery = time.Minute
	RetentionEvery      = time.Hour

	// MailStrandedAfter is how old undelivered mail must be before the sweep
	// takes it over: longer than a mail activity inside a workflow keeps
	// retrying at first.
	MailStrandedAfter = 15 * time.Minute
	// IntakeStrandedAfter is how long a request may stay 'received' before the
	// sweep starts its workflow: far longer than storing and starting it take.
	// Only requests of the last IntakeSweepWindow are tried, each once.
	IntakeStrandedAfter = 2 * time.Minute
	IntakeSweepWindow   = 24 * time.Hour
	// DocumentStrandedAfter is how long a document may stay 'received' before
	// the sweep starts its workflow: far longer than storing and starting it
	// take. DocumentSweepWindow is longer than the intake's: an upload is
	// someone's only copy of a receipt, and its staged bytes wait in the
	// database however long the sweep was down (a week covers a long outage).
	DocumentStrandedAfter = 2 * time.Minute
	DocumentSweepWindow   = 7 * 24 * time.Hour
	// BookingStrandedAfter is how long a booking may wait for its workflow
	// before the sweep starts it; BookingSweepWindow how far back it looks
	// (a booking's confirmation and reminders matter until it begins).
	SweepBookingsEvery   = time.Minute
	BookingStrandedAfter = 2 * time.Minute
	BookingSweepWindow   = 7 * 24 * time.Hour
	// PruneAfter is how long rate-limit windows and password reset requests
	// are kept: far longer than a PasswordReset workflow retries its lookup.
	PruneAfter = 24 * time.Hour
)

// ScheduleID is a deployment's id of the schedule name: its task queue prefix
// keeps deployments sharing a namespace apart.
func ScheduleID(taskQueuePrefix, name string) string { return taskQueuePrefix + name }

// Schedule is one recurring workflow the worker keeps scheduled.
type Schedule struct {
	ID        string
	Workflow  string // a workflow type name
	TaskQueue string
	Every     time.Duration
	// Timeout ends a run that has not finished (a worker down, Temporal
	// unreachable from it): with overlap policy SKIP, a stuck run would
	// otherwise hold back every later one.
	Timeout time.Duration
}

// Schedules lists the deployment's schedules. The mail sweep runs on the email
// task queue, the intake sweep on the intake one and the document sweep on the
// documents one, so the child workflows they start land where their workers
// poll; retention runs beside the documents it deletes originals of. Pruning runs on the email task
// queue too rather than on a third one: it deletes account data (sessions,
// email tokens, reset requests, rate-limit windows) that the email worker
// already serves, and a third task queue would be one more worker to deploy.
func Schedules(taskQueuePrefix string) []Schedule {
	return []Schedule{
		{ID: ScheduleID(taskQueuePrefix, SweepMailSchedule), Workflow: SweepStrandedMailWorkflow,
			TaskQueue: taskQueuePrefix + EmailTaskQueue, Every: SweepMailEvery, Timeout: 10 * time.Minute},
		{ID: ScheduleID(taskQueuePrefix, SweepIntakeSchedule), Workflow: SweepStrandedIntakeWorkflow,
			TaskQueue: taskQueuePrefix + IntakeTaskQueue, Every: SweepIntakeEvery, Timeout: 10 * time.Minute},
		{ID: ScheduleID(taskQueuePrefix, PruneSchedule), Workflow: PruneWorkflow,
			TaskQueue: taskQueuePrefix + EmailTaskQueue, Every: PruneEvery, Timeout: 30 * time.Minute},
		{ID: ScheduleID(taskQueuePrefix, SweepDocumentsSchedule), Workflow: SweepStrandedDocumentsWorkflow,
			TaskQueue: taskQueuePrefix + DocumentTaskQueue, Every: SweepDocumentsEvery, Timeout: 10 * time.Minute},
		{ID: ScheduleID(taskQueuePrefix, RetentionSchedule), Workflow: ExpireOriginalsWorkflow,
			TaskQueue: taskQueuePrefix + DocumentTaskQueue, Every: RetentionEvery, Timeout: 30 * time.Minute},
		{ID: ScheduleID(taskQueuePrefix, SweepBookingsSchedule), Workflow: SweepStrandedBookingsWorkflow,
			TaskQueue: taskQueuePrefix + BookingTaskQueue, Every: SweepBookingsEvery, Timeout: 10 * time.Minute},
	}
}

// maintenanceActivity bounds each activity to a few attempts: the next
// scheduled run does the same work again.
var maintenanceActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second, MaximumAttempts: 5,
		NonRetryableErrorTypes: []string{activities.ErrTypeInvalidMaintenance},
	},
}

// pruneActivity allows for large deletes after a long pause.
var pruneActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 5 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 3,
		NonRetryableErrorTypes: []string{activities.ErrTypeInvalidMaintenance},
	},
}

// ErrTypeSweepIncomplete marks a sweep run that could not start some of the
// work it found; the next scheduled run tries again.
const ErrTypeSweepIncomplete = "SweepIncomplete"

// SweepResult is what a sweep did, in counts: its history holds ids only.
type SweepResult struct {
	Found          int `json:"found"`
	Started        int `json:"started"`
	AlreadyStarted int `json:"already_started"`
	Failed         int `json:"failed"`
}

// count records the outcome of one child workflow's start; it reports whether
// the work is now in Temporal's hands.
func (r *SweepResult) count(err error, errs *[]error, what string) bool {
	switch {
	case err == nil:
		r.Started++
		return true
	case temporal.IsWorkflowExecutionAlreadyStartedError(err):
		// Running, or ran already: either way it is not stranded.
		r.AlreadyStarted++
		return true
	default:
		r.Failed++
		*errs = append(*errs, fmt.Errorf("start %s: %w", what, err))
		return false
	}
}

// incomplete is the error of a sweep run that left work unstarted (nil when
// none): not retried, as the next scheduled run is the retry.
func incomplete(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return temporal.NewNonRetryableApplicationError(errors.Join(errs...).Error(), ErrTypeSweepIncomplete, nil)
}

// SweepStrandedMail starts delivery of mail that waited in the outbox longer
// than MailStrandedAfter: mail queued while Temporal was down, or by a process
// that stopped before handing it over. Each message gets the SendEmail child
// workflow the API would have started (same id), abandoned to finish on its
// own; one that runs or succeeded already is left alone.
func SweepStrandedMail(ctx workflow.Context) (SweepResult, error) {
	var a *activities.Maintenance
	var ids []string
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, maintenanceActivity), a.ListStaleMail, MailStrandedAfter).Get(ctx, &ids); err != nil {
		return SweepResult{}, err
	}
	result := SweepResult{Found: len(ids)}
	starts := make([]workflow.ChildWorkflowFuture, len(ids))
	for i, id := range ids {
		starts[i] = workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            EmailWorkflowID(id),
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		}), SendEmail, id)
	}
	var errs []error
	for i, f := range starts {
		result.count(f.GetChildWorkflowExecution().Get(ctx, nil), &errs, "delivery of "+ids[i])
	}
	return result, incomplete(errs)
}

// SweepStrandedIntake starts the IntakeWorkflow of requests still 'received'
// IntakeStrandedAfter after they were stored (their API stopped before
// starting it), as the API would have (same id, same search attributes), then
// marks them swept so later sweeps pass them by. A workflow that runs or ran
// already is left alone: each request is routed once.
func SweepStrandedIntake(ctx workflow.Context) (SweepResult, error) {
	actx := workflow.WithActivityOptions(ctx, maintenanceActivity)
	var a *activities.Maintenance
	var stranded []activities.StrandedIntake
	if err := workflow.ExecuteActivity(actx, a.ListStrandedIntake, IntakeStrandedAfter, IntakeSweepWindow).Get(ctx, &stranded); err != nil {
		return SweepResult{}, err
	}
	result := SweepResult{Found: len(stranded)}
	starts := make([]workflow.ChildWorkflowFuture, len(stranded))
	for i, r := range stranded {
		starts[i] = workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:        IntakeWorkflowID(r.IntakeID),
			ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
			// A run that failed (its retries ran out) starts again; a running or completed one is left.
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			TypedSearchAttributes: temporal.NewSearchAttributes(OrgAttribute.ValueSet(r.OrgID.String()), IntakeStatusAttribute.ValueSet(intake.StatusReceived)),
		}), Intake, NewIntakeInput(r.OrgID, r.IntakeID))
	}
	var errs []error
	var swept []activities.StrandedIntake
	for i, f := range starts {
		if result.count(f.GetChildWorkflowExecution().Get(ctx, nil), &errs, "routing of "+stranded[i].IntakeID.String()) {
			swept = append(swept, stranded[i])
		}
	}
	if len(swept) > 0 {
		if err := workflow.ExecuteActivity(actx, a.MarkIntakeSwept, swept).Get(ctx, nil); err != nil {
			errs = append(errs, err)
		}
	}
	return result, incomplete(errs)
}

// Prune deletes expired sessions and known devices, spent email tokens, and
// rate-limit windows and password reset requests older than PruneAfter.
func Prune(ctx workflow.Context) (activities.Pruned, error) {
	var a *activities.Maintenance
	var pruned activities.Pruned
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, pruneActivity), a.PruneExpired, PruneAfter).Get(ctx, &pruned)
	return pruned, err
}

// SweepStrandedDocuments starts the DocumentWorkflow of documents still
// 'received' DocumentStrandedAfter after their upload was stored (their API
// stopped before starting it), as the API would have (same id, same search
// attributes), then marks them swept so later sweeps pass them by. A workflow
// that runs or completed is left alone: each document is read once.
func SweepStrandedDocuments(ctx workflow.Context) (SweepResult, error) {
	actx := workflow.WithActivityOptions(ctx, maintenanceActivity)
	var a *activities.Maintenance
	var stranded []activities.StrandedDocument
	if err := workflow.ExecuteActivity(actx, a.ListStrandedDocuments, DocumentStrandedAfter, DocumentSweepWindow).Get(ctx, &stranded); err != nil {
		return SweepResult{}, err
	}
	result := SweepResult{Found: len(stranded)}
	starts := make([]workflow.ChildWorkflowFuture, len(stranded))
	for i, d := range stranded {
		starts[i] = workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:        DocumentWorkflowID(d.DocumentID),
			ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
			// A run that failed (its retries ran out) starts again; a running or completed one is left.
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			TypedSearchAttributes: temporal.NewSearchAttributes(OrgAttribute.ValueSet(d.OrgID.String()), DocumentStatusAttribute.ValueSet(documents.StatusReceived)),
		}), Document, NewDocumentInput(d.OrgID, d.DocumentID))
	}
	var errs []error
	var swept []activities.StrandedDocument
	for i, f := range starts {
		if result.count(f.GetChildWorkflowExecution().Get(ctx, nil), &errs, "reading of "+stranded[i].DocumentID.String()) {
			swept = append(swept, stranded[i])
		}
	}
	if len(swept) > 0 {
		if err := workflow.ExecuteActivity(actx, a.MarkDocumentsSwept, swept).Get(ctx, nil); err != nil {
			errs = append(errs, err)
		}
	}
	return result, incomplete(errs)
}

// ExpireOriginals deletes documents' originals past their kind's retention
// (documents.Settings.RetentionDays) unless on legal hold; the documents keep
// their pages and fields.
func ExpireOriginals(ctx workflow.Context) (activities.ExpiredOriginals, error) {
	var a *activities.Maintenance
	var expired activities.ExpiredOriginals
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, pruneActivity), a.ExpireOriginals).Get(ctx, &expired)
	return expired, err
}

// SweepStrandedBookings starts the workflow of every confirmed booking whose
// API stopped (or found Temporal away) between booking and starting it, as a
// child with the booking's own workflow id: one already running is left
// alone, so a booking is confirmed and reminded once.
func SweepStrandedBookings(ctx workflow.Context) (SweepResult, error) {
	actx := workflow.WithActivityOptions(ctx, maintenanceActivity)
	var a *activities.Maintenance
	var stranded []activities.StrandedBooking
	if err := workflow.ExecuteActivity(actx, a.ListStrandedBookings, BookingStrandedAfter, BookingSweepWindow).Get(ctx, &stranded); err != nil {
		return SweepResult{}, err
	}
	result := SweepResult{Found: len(stranded)}
	starts := make([]workflow.ChildWorkflowFuture, len(stranded))
	for i, b := range stranded {
		starts[i] = workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            BookingWorkflowID(b.BookingID),
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			TypedSearchAttributes: temporal.NewSearchAttributes(OrgAttribute.ValueSet(b.OrgID.String())),
		}), Booking, NewBookingInput(b.OrgID, b.BookingID))
	}
	var errs []error
	var swept []activities.StrandedBooking
	for i, f := range starts {
		if result.count(f.GetChildWorkflowExecution().Get(ctx, nil), &errs, "booking "+stranded[i].BookingID.String()) {
			swept = append(swept, stranded[i])
		}
	}
	if len(swept) > 0 {
		if err := workflow.ExecuteActivity(actx, a.MarkBookingsSwept, swept).Get(ctx, nil); err != nil {
			errs = append(errs, err)
		}
	}
	return result, incomplete(errs)
}
