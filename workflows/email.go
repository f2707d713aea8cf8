// Package workflows holds deterministic workflow code only: no I/O, no clock or
// randomness except through the SDK. Side effects live in package activities.
package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
)

// EmailTaskQueue is where transactional email workflows and activities run.
const EmailTaskQueue = "email"

// EmailWorkflowID is the business id of a message's delivery: starting it twice
// for the same outbox id never sends twice.
func EmailWorkflowID(outboxID string) string { return "email-" + outboxID }

// emailRetry keeps trying a flaky mail server for a day, backing off to 10 minutes.
var emailRetry = temporal.RetryPolicy{
	InitialInterval:        time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        10 * time.Minute,
	NonRetryableErrorTypes: []string{activities.ErrTypeInvalidMessage},
}

// SendEmail delivers one outbox message, retrying until it succeeds or a day
// has passed. It takes only the id: the body stays out of workflow history.
func SendEmail(ctx workflow.Context, outboxID string) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy:            &emailRetry,
	})
	var a *activities.Mail
	return workflow.ExecuteActivity(ctx, a.Deliver, outboxID).Get(ctx, nil)
}
