package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/internal/store"
)

// StaleMailLister lists outbox mail enqueued before cutoff (a bounded batch, oldest first).
type StaleMailLister interface {
	Stale(ctx context.Context, cutoff time.Time) ([]string, error)
}

// StrandedIntakeStore finds requests whose workflow was never started, and
// records that the sweep started it (intake.Service).
type StrandedIntakeStore interface {
	Stranded(ctx context.Context, after, before time.Time) ([]store.StrandedIntakeRow, error)
	MarkSwept(ctx context.Context, org, id uuid.UUID) error
}

// ExpiredRecords deletes what has expired (store.Queries).
type ExpiredRecords interface {
	DeleteExpiredSessions(ctx context.Context) (int64, error)
	DeleteSpentEmailTokens(ctx context.Context) (int64, error)
	DeleteExpiredRateLimits(ctx context.Context, windowStart time.Time) error
	DeleteOldPasswordResetRequests(ctx context.Context, createdAt time.Time) (int64, error)
	DeleteExpiredKnownDevices(ctx context.Context) (int64, error)
	PruneCalendarConnectStates(ctx context.Context) (int64, error)
}

// Maintenance runs the scheduled sweeps and pruning. Every method is
// idempotent, and none puts personal data in workflow history: ids and counts only.
type Maintenance struct {
	Outbox    StaleMailLister
	Intake    StrandedIntakeStore
	Documents StrandedDocumentStore
	Expired   ExpiredRecords
	// Retention and Originals delete documents' originals past their retention.
	Retention RetentionStore
	Originals OriginalDeleter
	// Bookings lists confirmed bookings whose workflow may not have started.
	Bookings StrandedBookingStore
}

// ErrTypeInvalidMaintenance marks a call no retry can fix (a bad argument).
const ErrTypeInvalidMaintenance = "InvalidMaintenance"

func positive(name string, d time.Duration) error {
	if d <= 0 {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s must be positive, not %s", name, d), ErrTypeInvalidMaintenance, nil)
	}
	return nil
}

// ListStaleMail returns the ids of outbox mail waiting longer than olderThan
// (at most 100, oldest first; the next sweep takes the rest).
func (a *Maintenance) ListStaleMail(ctx context.Context, olderThan time.Duration) ([]string, error) {
	if err := positive("olderThan", olderThan); err != nil {
		return nil, err
	}
	return a.Outbox.Stale(ctx, time.Now().Add(-olderThan))
}

// StrandedIntake names a request whose workflow the sweep starts.
type StrandedIntake struct {
	OrgID    uuid.UUID `json:"org_id"`
	IntakeID uuid.UUID `json:"intake_id"`
}

// ListStrandedIntake returns requests still 'received' and not swept, stored
// between within and olderThan ago (at most 100, oldest first).
func (a *Maintenance) ListStrandedIntake(ctx context.Context, olderThan, within time.Duration) ([]StrandedIntake, error) {
	if err := positive("olderThan", olderThan); err != nil {
		return nil, err
	}
	if within <= olderThan {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("within (%s) must exceed olderThan (%s)", within, olderThan), ErrTypeInvalidMaintenance, nil)
	}
	now := time.Now()
	rows, err := a.Intake.Stranded(ctx, now.Add(-within), now.Add(-olderThan))
	if err != nil {
		return nil, err
	}
	out := make([]StrandedIntake, len(rows))
	for i, r := range rows {
		out[i] = StrandedIntake{OrgID: r.OrgID, IntakeID: r.ID}
	}
	return out, nil
}

// MarkIntakeSwept records that these requests' workflows were started (or
// found started), so later sweeps pass them by.
func (a *Maintenance) MarkIntakeSwept(ctx context.Context, swept []StrandedIntake) error {
	for _, r := range swept {
		if err := a.Intake.MarkSwept(ctx, r.OrgID, r.IntakeID); err != nil {
			return err
		}
	}
	return nil
}

// Pruned counts what PruneExpired deleted.
type Pruned struct {
	Sessions       int64 `json:"sessions"`
	EmailTokens    int64 `json:"email_tokens"`
	PasswordResets int64 `json:"password_resets"`
	KnownDevices   int64 `json:"known_devices"`
	// CalendarConnects are Google Calendar connects never finished (their state expired).
	CalendarConnects int64 `json:"calendar_connects"`
}

// PruneExpired deletes expired sessions and known devices, spent email tokens,
// and rate-limit windows and password reset requests older than olderThan.
func (a *Maintenance) PruneExpired(ctx context.Context, olderThan time.Duration) (Pruned, error) {
	var p Pruned
	if err := positive("olderThan", olderThan); err != nil {
		return p, err
	}
	var err error
	if p.Sessions, err = a.Expired.DeleteExpiredSessions(ctx); err != nil {
		return p, fmt.Errorf("sessions: %w", err)
	}
	if p.EmailTokens, err = a.Expired.DeleteSpentEmailTokens(ctx); err != nil {
		return p, fmt.Errorf("email tokens: %w", err)
	}
	cutoff := time.Now().Add(-olderThan)
	if err := a.Expired.DeleteExpiredRateLimits(ctx, cutoff); err != nil {
		return p, fmt.Errorf("rate limits: %w", err)
	}
	if p.PasswordResets, err = a.Expired.DeleteOldPasswordResetRequests(ctx, cutoff); err != nil {
		return p, fmt.Errorf("password reset requests: %w", err)
	}
	if p.KnownDevices, err = a.Expired.DeleteExpiredKnownDevices(ctx); err != nil {
		return p, fmt.Errorf("known devices: %w", err)
	}
	if p.CalendarConnects, err = a.Expired.PruneCalendarConnectStates(ctx); err != nil {
		return p, fmt.Errorf("calendar connects: %w", err)
	}
	return p, nil
}
