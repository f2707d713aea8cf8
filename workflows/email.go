// Package workflows holds deterministic workflow code only: no I/O, no clock or
// randomness except through the SDK. Side effects live in package activities.
package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/mail"
)

// EmailTaskQueue is where transactional email workflows and activities run.
const EmailTaskQueue = "email"

// EmailWorkflowID is the business id of a message's delivery: starting it twice
// for the same message id never sends twice.
func EmailWorkflowID(messageID string) string { return "email-" + messageID }

// emailRetry keeps trying a flaky mail server for a day, backing off to 10 minutes.
var emailRetry = temporal.RetryPolicy{
	InitialInterval:        time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        10 * time.Minute,
	NonRetryableErrorTypes: []string{activities.ErrTypeInvalidMessage},
}

// SendEmail delivers one message, retrying the delivery until it succeeds or a day has passed.
func SendEmail(ctx workflow.Context, msg mail.Message) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: 24 * time.Hour,
		RetryPolicy:            &emailRetry,
	})
	var a *activities.Mail
	return workflow.ExecuteActivity(ctx, a.Deliver, msg).Get(ctx, nil)
}
