package mail

import (
	"context"
	"log/slog"
	"time"
)

// Dispatcher starts delivery of one committed outbox message: the SendEmail
// workflow, which runs the one delivery activity. Mail caused inside a
// workflow is delivered by that workflow instead; both end in the same activity.
type Dispatcher interface {
	Dispatch(ctx context.Context, outboxID string) error
}

// DispatchCommitted starts delivery of mail committed with a change made over
// the API. A failure is logged, not returned: the change and its mail are
// committed, and the outbox sweep delivers what was not handed over. It
// outlives the request, so a client hanging up does not delay the mail.
func DispatchCommitted(ctx context.Context, d Dispatcher, logger *slog.Logger, ids ...string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	for _, id := range ids {
		if id == "" {
			continue
		}
		if err := d.Dispatch(ctx, id); err != nil {
			logger.WarnContext(ctx, "mail delivery not started; the outbox sweep will deliver it", slog.String("outbox_id", id), slog.Any("error", err))
		}
	}
}
