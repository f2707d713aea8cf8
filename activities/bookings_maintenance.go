package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/internal/store"
)

// StrandedBookingStore lists confirmed bookings whose workflow may not have started.
type StrandedBookingStore interface {
	Stranded(ctx context.Context, after, before time.Time) ([]store.StrandedBookingsRow, error)
	MarkSwept(ctx context.Context, org, id uuid.UUID) error
}

// StrandedBooking names a booking whose workflow the sweep starts.
type StrandedBooking struct {
	OrgID     uuid.UUID `json:"org_id"`
	BookingID uuid.UUID `json:"booking_id"`
}

// ListStrandedBookings returns confirmed bookings made more than olderThan
// ago (and less than within ago) that the sweep has not seen yet.
func (a *Maintenance) ListStrandedBookings(ctx context.Context, olderThan, within time.Duration) ([]StrandedBooking, error) {
	if err := positive("olderThan", olderThan); err != nil {
		return nil, err
	}
	if within <= olderThan {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("within (%s) must exceed olderThan (%s)", within, olderThan), ErrTypeInvalidMaintenance, nil)
	}
	now := time.Now()
	rows, err := a.Bookings.Stranded(ctx, now.Add(-within), now.Add(-olderThan))
	if err != nil {
		return nil, err
	}
	out := make([]StrandedBooking, len(rows))
	for i, r := range rows {
		out[i] = StrandedBooking{OrgID: r.OrgID, BookingID: r.ID}
	}
	return out, nil
}

// MarkBookingsSwept records that each booking's workflow exists now.
func (a *Maintenance) MarkBookingsSwept(ctx context.Context, swept []StrandedBooking) error {
	for _, b := range swept {
		if err := a.Bookings.MarkSwept(ctx, b.OrgID, b.BookingID); err != nil {
			return err
		}
	}
	return nil
}
