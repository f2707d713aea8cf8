package activities

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/internal/calsync"
	"github.com/astralisops/astralis/internal/gcal"
)

// ErrTypeCalendarRefused is the application error type of a Google answer no
// retry changes (a calendar gone, access refused, a revoked grant).
const ErrTypeCalendarRefused = "CalendarRefused"

// CalendarRef names a connected calendar: ids only, never a token.
type CalendarRef struct {
	OrgID        uuid.UUID `json:"org_id"`
	ConnectionID uuid.UUID `json:"connection_id"`
}

// Calendar runs the side effects of the CalendarSyncWorkflow and the
// BookingWorkflow's calendar writes.
type Calendar struct {
	Sync *calsync.Service
}

// SyncCalendar is one sync step (calsync.Service.Sync); it heartbeats after
// each page, so a killed worker's step is retried within the heartbeat timeout.
func (a *Calendar) SyncCalendar(ctx context.Context, ref CalendarRef) (calsync.SyncResult, error) {
	res, err := a.Sync.Sync(ctx, ref.OrgID, ref.ConnectionID, func() { activity.RecordHeartbeat(ctx) })
	return res, calendarError(err)
}

// EnsureChannel keeps the calendar's push channel open and answers when to renew it.
func (a *Calendar) EnsureChannel(ctx context.Context, ref CalendarRef) (time.Time, error) {
	renew, err := a.Sync.EnsureChannel(ctx, ref.OrgID, ref.ConnectionID)
	return renew, calendarError(err)
}

// WriteBookingEvent puts the booking in its operator's calendar as it now stands.
func (a *Calendar) WriteBookingEvent(ctx context.Context, ref BookingRef) error {
	return calendarError(a.Sync.WriteBooking(ctx, ref.OrgID, ref.BookingID))
}

// calendarError makes Google's permanent answers non-retryable.
func calendarError(err error) error {
	if err != nil && (gcal.IsPermanent(err) || errors.Is(err, gcal.ErrGrantRevoked)) {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeCalendarRefused, nil)
	}
	return err
}
