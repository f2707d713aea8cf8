package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/astralisops/astralis/internal/store"
)

// Deliverer says who delivers a queued message.
type Deliverer bool

const (
	// AfterCommit: the API starts a SendEmail workflow once the change is
	// committed (DispatchCommitted); the outbox sweep takes over if it did not.
	AfterCommit Deliverer = false
	// ByWorkflow: the workflow whose activity queued it delivers it, retrying
	// for DeliveryRetryWindow; the sweep leaves it alone until then.
	ByWorkflow Deliverer = true
)

// DeliveryRetryWindow is how long a workflow keeps retrying one delivery.
const DeliveryRetryWindow = 24 * time.Hour

// Enqueue writes msg to the outbox with q (usually the transaction of the
// change that causes the mail) and returns its id, which is also its message
// id. Attachments that cannot be mailed are refused with an *AttachmentError.
func Enqueue(ctx context.Context, q *store.Queries, msg Message, by Deliverer) (string, error) {
	if err := validateAttachments(msg.Attachments); err != nil {
		return "", err
	}
	attachments, err := encodeAttachments(msg.Attachments)
	if err != nil {
		return "", fmt.Errorf("mail: unable to enqueue: %w", err)
	}
	id, err := q.EnqueueMail(ctx, store.EnqueueMailParams{
		ToAddress: msg.To, Subject: msg.Subject, TextBody: msg.Text, HTMLBody: msg.HTML,
		DeliveredByWorkflow: bool(by), Attachments: attachments,
	})
	if err != nil {
		return "", fmt.Errorf("mail: unable to enqueue: %w", err)
	}
	return id.String(), nil
}

// Outbox reads and removes outbox mail for the delivery activity.
type Outbox struct {
	q *store.Queries
}

func NewOutbox(pool *pgxpool.Pool) *Outbox { return &Outbox{q: store.New(pool)} }

// Load returns the message with id; found is false once it was delivered.
func (o *Outbox) Load(ctx context.Context, id string) (msg Message, found bool, err error) {
	uid, err := uuid.Parse(id)
	if err != nil {
		return Message{}, false, nil // not an outbox id: nothing to deliver
	}
	row, err := o.q.GetOutboxMail(ctx, uid)
	if errors.Is(err, pgx.ErrNoRows) {
		return Message{}, false, nil
	}
	if err != nil {
		return Message{}, false, fmt.Errorf("mail: unable to load %s: %w", id, err)
	}
	attachments, err := decodeAttachments(row.Attachments)
	if err != nil {
		return Message{}, false, fmt.Errorf("mail: unable to load %s: %w", id, err)
	}
	return Message{ID: id, To: row.ToAddress, Subject: row.Subject, Text: row.TextBody, HTML: row.HTMLBody, Attachments: attachments}, true, nil
}

// Forget deletes a delivered message: its body may hold single-use links.
func (o *Outbox) Forget(ctx context.Context, id string) error {
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil
	}
	if err := o.q.DeleteOutboxMail(ctx, uid); err != nil {
		return fmt.Errorf("mail: unable to forget %s: %w", id, err)
	}
	return nil
}

// Stale lists mail enqueued before cutoff and not delivered yet, for the
// sweep; mail a workflow delivers only once that workflow has stopped retrying.
func (o *Outbox) Stale(ctx context.Context, cutoff time.Time) ([]string, error) {
	ids, err := o.q.ListStaleOutboxMail(ctx, store.ListStaleOutboxMailParams{
		HandedOverBefore:     cutoff,
		WorkflowGaveUpBefore: time.Now().Add(-DeliveryRetryWindow - time.Hour), // an hour's margin
	})
	if err != nil {
		return nil, fmt.Errorf("mail: unable to list stale mail: %w", err)
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out, nil
}
