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
// for the same outbox id never sends twice.
func EmailWorkflowID(outboxID string) string { return "email-" + outboxID }

// mailDelivery is how every workflow runs the one delivery activity,
// Mail.Deliver: it keeps trying a flaky mail server for a day, backing off to
// 10 minutes, and gives up at once on a message no server could take.
var mailDelivery = workflow.ActivityOptions{
	StartToCloseTimeout:    time.Minute,
	ScheduleToCloseTimeout: mail.DeliveryRetryWindow,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        10 * time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrTypeInvalidMessage},
	},
}

// SendEmail delivers one outbox message that no workflow of its own delivers
// (mail caused by an API call), retrying until it succeeds or a day has passed.
// It takes only the id: the body stays out of workflow history.
func SendEmail(ctx workflow.Context, outboxID string) error {
	var a *activities.Mail
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, mailDelivery), a.Deliver, outboxID).Get(ctx, nil)
}
