package workflows

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
)

// PasswordResetInput names a forgot-password request the API stored. Runs
// started before it took the address too ({"id","email","client"}); decoding
// such an input keeps the id and drops the rest.
type PasswordResetInput struct {
	RequestID uuid.UUID `json:"id"`
}

// PasswordResetWorkflowID names one forgot-password request's workflow.
func PasswordResetWorkflowID(requestID uuid.UUID) string {
	return "password-reset-" + requestID.String()
}

// lookupActivity finds the account and queues the mail in one transaction; a
// few minutes of attempts ride out a database restart.
var lookupActivity = workflow.ActivityOptions{
	StartToCloseTimeout:    30 * time.Second,
	ScheduleToCloseTimeout: 10 * time.Minute,
	RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
}

// PasswordReset carries out a forgot-password request away from the API, so
// the API answers known and unknown addresses alike: it looks the account up
// and, when there is one, mails the reset link (by outbox id, so the link
// never enters history), retrying like SendEmail.
func PasswordReset(ctx workflow.Context, in PasswordResetInput) error {
	var a *activities.Accounts
	var mailID string
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, lookupActivity), a.SendPasswordReset, activities.PasswordResetRef{ID: in.RequestID}).Get(ctx, &mailID); err != nil {
		return err
	}
	if mailID == "" {
		return nil
	}
	return SendEmail(ctx, mailID)
}
