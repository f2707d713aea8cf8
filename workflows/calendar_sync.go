package workflows

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/calsync"
)

// What the API, the worker and this workflow share about calendar sync.
const (
	// CalendarSyncWorkflowType runs on the bookings task queue, beside the bookings it writes.
	CalendarSyncWorkflowType = "CalendarSync"
	// CalendarChangedSignal wakes the workflow to sync (a push notification, a reconnect).
	CalendarChangedSignal = "calendar-changed"
	// calendarStepsPerRun bounds a run's history: past it, continue-as-new.
	calendarStepsPerRun = 100
)

// CalendarSyncWorkflowID is derived from the connection: one workflow per connected calendar.
func CalendarSyncWorkflowID(connectionID uuid.UUID) string {
	return "calendar-sync-" + connectionID.String()
}

// CalendarSyncInput starts (or continues) a calendar's workflow: ids only.
type CalendarSyncInput struct {
	OrgID        uuid.UUID        `json:"org_id"`
	ConnectionID uuid.UUID        `json:"connection_id"`
	PollInterval time.Duration    `json:"poll_interval"`
	Shape        workflow.Version `json:"shape"`
	// RenewAt carries the channel's renewal time across continue-as-new.
	RenewAt time.Time `json:"renew_at"`
}

const calendarSyncFirstShape = 1

// NewCalendarSyncInput is how the API starts a calendar's workflow: in the current shape.
func NewCalendarSyncInput(org, connectionID uuid.UUID, poll time.Duration) CalendarSyncInput {
	return CalendarSyncInput{OrgID: org, ConnectionID: connectionID, PollInterval: poll, Shape: calendarSyncFirstShape}
}

var (
	// calendarStep reads a calendar: pages from Google (a heartbeat after
	// each, so a killed worker's step is retried within seconds), retried
	// with backoff for an hour; the next push or poll tries again after that.
	calendarStep = workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Minute,
		HeartbeatTimeout:       30 * time.Second,
		ScheduleToCloseTimeout: time.Hour,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrTypeCalendarRefused}},
	}
	// calendarChannel opens a push channel: a few minutes of tries, then
	// polling carries on until the next attempt.
	calendarChannel = workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrTypeCalendarRefused}},
	}
)

// CalendarSync keeps one connected calendar in step: a sync at start, then
// one for each push notification (a storm of them coalesces into one) or
// every poll interval when none comes; the push channel is renewed before it
// ends. It stops when the connection is gone or broken (the operator is
// mailed); a reconnect starts it again.
func CalendarSync(ctx workflow.Context, in CalendarSyncInput) error {
	if in.Shape > calendarSyncFirstShape {
		panic(fmt.Sprintf("calendar sync workflow shape %d is newer than this worker knows", in.Shape))
	}
	ref := activities.CalendarRef{OrgID: in.OrgID, ConnectionID: in.ConnectionID}
	changed := workflow.GetSignalChannel(ctx, CalendarChangedSignal)
	step := workflow.WithActivityOptions(ctx, calendarStep)
	channel := workflow.WithActivityOptions(ctx, calendarChannel)
	var a *activities.Calendar
	renewAt := in.RenewAt
	for steps := 0; ; steps++ {
		// Pushes that came in meanwhile are all answered by this one sync.
		for changed.ReceiveAsync(nil) {
		}
		var res calsync.SyncResult
		if err := workflow.ExecuteActivity(step, a.SyncCalendar, ref).Get(ctx, &res); err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // disconnected: the API cancelled this workflow
			}
			workflow.GetLogger(ctx).Error("calendar sync failed; the next push or poll tries again", "error", err)
		}
		if res.Ended {
			deliverNotices(ctx, res.MailIDs)
			if changed.ReceiveAsync(nil) {
				// Woken meanwhile: reconnected while this run was ending. A
				// signal that comes as it completes makes Temporal run this
				// check again, so none is lost.
				next := in
				next.RenewAt = time.Time{} // the broken connection's channel was dropped: open a new one
				return workflow.NewContinueAsNewError(ctx, CalendarSync, next)
			}
			return nil
		}
		if !workflow.Now(ctx).Before(renewAt) {
			var renew time.Time
			err := workflow.ExecuteActivity(channel, a.EnsureChannel, ref).Get(ctx, &renew)
			switch {
			case ctx.Err() != nil:
				return ctx.Err()
			case err != nil:
				workflow.GetLogger(ctx).Error("push channel could not be opened; polling meanwhile", "error", err)
				renewAt = workflow.Now(ctx).Add(in.PollInterval)
			case renew.IsZero():
				// Gone, off or refused by Google: a sync step now finds out
				// which (and ends the workflow, or tells the operator).
				renewAt = workflow.Now(ctx).Add(in.PollInterval)
				continue
			default:
				renewAt = renew
			}
		}
		if steps+1 >= calendarStepsPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			// A push waiting now is not lost: the next run starts with a sync.
			next := in
			next.RenewAt = renewAt
			return workflow.NewContinueAsNewError(ctx, CalendarSync, next)
		}
		wait := min(in.PollInterval, max(renewAt.Sub(workflow.Now(ctx)), time.Second))
		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(changed, func(workflow.ReceiveChannel, bool) {})
		sel.AddFuture(workflow.NewTimer(timerCtx, wait), func(workflow.Future) {})
		sel.Select(ctx)
		cancelTimer()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// deliverNotices delivers mail an activity queued; a failure is logged (the outbox sweep takes over).
func deliverNotices(ctx workflow.Context, ids []string) {
	var d *activities.Mail
	deliver := workflow.WithActivityOptions(ctx, mailDelivery)
	for _, id := range ids {
		if err := workflow.ExecuteActivity(deliver, d.Deliver, id).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("calendar notice could not be delivered", "error", err)
		}
	}
}
