package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/accounts"
)

// PasswordResetWorkflowID names one forgot-password request's workflow.
func PasswordResetWorkflowID(r accounts.PasswordReset) string {
	return "password-reset-" + r.ID.String()
}

// PasswordReset carries out a forgot-password request away from the API, so
// the API answers known and unknown addresses alike: it looks the account up
// and, when there is one, mails the reset link (by outbox id, so the link
// never enters history), retrying like SendEmail.
func PasswordReset(ctx workflow.Context, r accounts.PasswordReset) error {
	var a *activities.Accounts
	var mailID string
	lookup := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
	if err := workflow.ExecuteActivity(lookup, a.SendPasswordReset, r).Get(ctx, &mailID); err != nil {
		return err
	}
	if mailID == "" {
		return nil
	}
	return SendEmail(ctx, mailID)
}
