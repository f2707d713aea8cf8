package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/store"
)

// pruneLoop prunes every half hour until ctx ends.
func (s *Services) pruneLoop(ctx context.Context) {
	for {
		if err := s.prune(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("prune", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Minute):
		}
	}
}

// sweepStranded hands over, every minute, work whose hand-over to Temporal
// failed: mail queued while Temporal was down, and requests stored by an API
// that stopped before it started their workflow.
func (s *Services) sweepStranded(ctx context.Context) {
	mailer, routing := s.mailer(), s.intakeWorkflows()
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
		if err := s.sweepOutboxOnce(ctx, mailer); err != nil && ctx.Err() == nil {
			s.Logger.Warn("outbox sweep", slog.Any("error", err))
		}
		if err := s.sweepIntakeOnce(ctx, routing); err != nil && ctx.Err() == nil {
			s.Logger.Warn("intake sweep", slog.Any("error", err))
		}
	}
}

// strandedAfter is how old undelivered mail must be before the sweeper takes
// it over: longer than a mail activity inside a workflow keeps retrying at first.
const strandedAfter = 15 * time.Minute

// sweepOutboxOnce dispatches mail waiting longer than strandedAfter; it stops at
// the first failure (Temporal is likely down) and tries again next time.
func (s *Services) sweepOutboxOnce(ctx context.Context, mailer *workflowMailer) error {
	ids, err := mail.NewOutbox(s.Pool).Stale(ctx, time.Now().Add(-strandedAfter))
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := mailer.Dispatch(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// intakeStrandedAfter is how long a request may stay 'received' before the
// sweeper starts its workflow: far longer than storing and starting it take.
// Starting a workflow that runs or ran already is a no-op; each request is
// swept once, and only requests of the last day are tried.
const intakeStrandedAfter = 2 * time.Minute

// sweepIntakeOnce starts the workflows of stranded requests; it stops at the
// first failure (Temporal is likely down) and tries again next time.
func (s *Services) sweepIntakeOnce(ctx context.Context, routing *intakeWorkflows) error {
	now := time.Now()
	stranded, err := s.intake().Stranded(ctx, now.Add(-24*time.Hour), now.Add(-intakeStrandedAfter))
	if err != nil {
		return err
	}
	for _, r := range stranded {
		if err := routing.Start(ctx, r.OrgID, r.ID); err != nil {
			return err
		}
		if err := s.intake().MarkSwept(ctx, r.OrgID, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// prune deletes expired sessions, spent email tokens, and rate-limit windows and password reset requests older than a day.
func (s *Services) prune(ctx context.Context) error {
	q := store.New(s.Pool)
	if _, err := q.DeleteExpiredSessions(ctx); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if _, err := q.DeleteSpentEmailTokens(ctx); err != nil {
		return fmt.Errorf("email tokens: %w", err)
	}
	if err := q.DeleteExpiredRateLimits(ctx, time.Now().Add(-24*time.Hour)); err != nil {
		return fmt.Errorf("rate limits: %w", err)
	}
	// A day is far longer than a PasswordReset workflow retries its lookup.
	if _, err := q.DeleteOldPasswordResetRequests(ctx, time.Now().Add(-24*time.Hour)); err != nil {
		return fmt.Errorf("password reset requests: %w", err)
	}
	return nil
}
