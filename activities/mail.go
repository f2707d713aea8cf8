// Package activities holds everything with side effects that workflows run:
// methods on structs holding their dependencies, registered by the worker.
package activities

import (
	"context"
	"net/mail"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	astralismail "github.com/astralisops/astralis/internal/mail"
)

// MailSender delivers one message; implementations must be idempotent on Message.ID.
type MailSender interface {
	Send(ctx context.Context, msg astralismail.Message) error
}

// Mail delivers transactional email.
type Mail struct {
	Sender MailSender
}

// ErrTypeInvalidMessage marks a message no retry can deliver.
const ErrTypeInvalidMessage = "InvalidMessage"

// Deliver sends msg. A malformed message fails at once; a delivery failure is retried by the workflow's policy.
func (a *Mail) Deliver(ctx context.Context, msg astralismail.Message) error {
	if msg.ID == "" || msg.Subject == "" {
		return temporal.NewNonRetryableApplicationError("message needs an id and a subject", ErrTypeInvalidMessage, nil)
	}
	if _, err := mail.ParseAddress(msg.To); err != nil {
		return temporal.NewNonRetryableApplicationError("recipient "+msg.To+" is not an email address", ErrTypeInvalidMessage, err)
	}
	if err := a.Sender.Send(ctx, msg); err != nil {
		return err
	}
	// The body carries single-use links: log who and what, never the content.
	activity.GetLogger(ctx).Info("mail delivered", "message_id", msg.ID, "to", msg.To, "subject", msg.Subject)
	return nil
}
