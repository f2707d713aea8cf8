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

// MailSender delivers one message; implementations should be idempotent on Message.ID.
type MailSender interface {
	Send(ctx context.Context, msg astralismail.Message) error
}

// MailOutbox holds mail waiting for delivery.
type MailOutbox interface {
	Load(ctx context.Context, id string) (msg astralismail.Message, found bool, err error)
	Forget(ctx context.Context, id string) error
}

// Mail delivers transactional email from the outbox.
type Mail struct {
	Outbox MailOutbox
	Sender MailSender
}

// ErrTypeInvalidMessage marks a message no retry can deliver.
const ErrTypeInvalidMessage = "InvalidMessage"

// Deliver sends the outbox message id and removes it. The workflow passes
// only the id, so bodies with single-use links never enter workflow history.
// A message already gone was delivered by an earlier attempt.
func (a *Mail) Deliver(ctx context.Context, id string) error {
	msg, found, err := a.Outbox.Load(ctx, id)
	if err != nil || !found {
		return err
	}
	if msg.Subject == "" {
		return a.undeliverable(ctx, id, "message "+id+" has no subject", nil)
	}
	if _, err := mail.ParseAddress(msg.To); err != nil {
		return a.undeliverable(ctx, id, "recipient "+msg.To+" is not an email address", err)
	}
	if err := a.Sender.Send(ctx, msg); err != nil {
		return err
	}
	// Log who and what, never the content.
	activity.GetLogger(ctx).Info("mail delivered", "message_id", msg.ID, "to", msg.To, "subject", msg.Subject)
	return a.Outbox.Forget(ctx, id)
}

// undeliverable drops a message no mail server could take from the outbox, so
// no sweep starts its delivery again, and fails the attempt for good.
func (a *Mail) undeliverable(ctx context.Context, id, why string, cause error) error {
	if err := a.Outbox.Forget(ctx, id); err != nil {
		return err // retried: the message is dropped on the next attempt
	}
	activity.GetLogger(ctx).Error("undeliverable mail dropped from the outbox", "message_id", id, "reason", why)
	return temporal.NewNonRetryableApplicationError(why, ErrTypeInvalidMessage, cause)
}
