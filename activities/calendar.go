package activities

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/calsync"
)

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

// SyncCalendar is one sync step (calsync.Service.Sync).
func (a *Calendar) SyncCalendar(ctx context.Context, ref CalendarRef) (calsync.SyncResult, error) {
	return a.Sync.Sync(ctx, ref.OrgID, ref.ConnectionID)
}

// EnsureChannel keeps the calendar's push channel open and answers when to renew it.
func (a *Calendar) EnsureChannel(ctx context.Context, ref CalendarRef) (time.Time, error) {
	return a.Sync.EnsureChannel(ctx, ref.OrgID, ref.ConnectionID)
}

// WriteBookingEvent puts the booking in its operator's calendar as it now stands.
func (a *Calendar) WriteBookingEvent(ctx context.Context, ref BookingRef) error {
	return a.Sync.WriteBooking(ctx, ref.OrgID, ref.BookingID)
}
