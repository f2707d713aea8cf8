package activities

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/problem"
)

// BookingRef names a booking: ids only, the client's details stay in the database.
type BookingRef struct {
	OrgID     uuid.UUID `json:"org_id"`
	BookingID uuid.UUID `json:"booking_id"`
}

// BookingPlan is what the BookingWorkflow times its reminders by.
type BookingPlan struct {
	Status                 string    `json:"status"`
	Start                  time.Time `json:"start"`
	End                    time.Time `json:"end"`
	Sequence               int       `json:"sequence"`
	ReminderOffsetsMinutes []int     `json:"reminder_offsets_minutes"`
}

// Bookings runs the side effects of the BookingWorkflow.
type Bookings struct {
	Bookings *bookings.Service
}

// Plan reads the booking's times, status and reminder offsets.
func (a *Bookings) Plan(ctx context.Context, ref BookingRef) (BookingPlan, error) {
	b, err := a.Bookings.Booking(ctx, ref.OrgID, ref.BookingID, nil)
	if err != nil {
		return BookingPlan{}, err
	}
	return a.plan(ctx, ref, b)
}

func (a *Bookings) plan(ctx context.Context, ref BookingRef, b bookings.Booking) (BookingPlan, error) {
	svc, err := a.Bookings.ServiceByID(ctx, ref.OrgID, b.ServiceID)
	if err != nil {
		return BookingPlan{}, err
	}
	return BookingPlan{Status: b.Status, Start: b.Start, End: b.End, Sequence: b.Sequence, ReminderOffsetsMinutes: svc.ReminderOffsetsMinutes}, nil
}

// QueueMail queues one kind of mail about the booking (see bookings.Service.QueueMail) and answers the outbox ids.
func (a *Bookings) QueueMail(ctx context.Context, ref BookingRef, kind string, sequence, offsetMinutes int) ([]string, error) {
	return a.Bookings.QueueMail(ctx, ref.OrgID, ref.BookingID, kind, sequence, offsetMinutes)
}

// Move reschedules the booking; a slot someone else holds, or a booking no
// longer confirmed, is a typed non-retryable error.
func (a *Bookings) Move(ctx context.Context, ref BookingRef, start time.Time) (BookingPlan, error) {
	b, err := a.Bookings.Move(ctx, ref.OrgID, ref.BookingID, start, time.Now())
	if err != nil {
		return BookingPlan{}, bookingError(err)
	}
	return a.plan(ctx, ref, b)
}

// ConfirmCancelled checks the booking was cancelled (the API cancels it in the
// database first, so the slot is free at once) and answers its plan.
func (a *Bookings) ConfirmCancelled(ctx context.Context, ref BookingRef) (BookingPlan, error) {
	return a.Plan(ctx, ref)
}

// SetOutcome records completed or no_show.
func (a *Bookings) SetOutcome(ctx context.Context, ref BookingRef, outcome string) (BookingPlan, error) {
	b, err := a.Bookings.SetOutcome(ctx, ref.OrgID, ref.BookingID, outcome)
	if err != nil {
		return BookingPlan{}, bookingError(err)
	}
	return a.plan(ctx, ref, b)
}

// bookingError types what no retry changes: a slot someone holds, a booking no longer confirmed.
func bookingError(err error) error {
	var taken *bookings.SlotTaken
	if errors.As(err, &taken) {
		return problem.ApplicationError(problem.Typed(problem.ErrConflict, problem.TypeSlotTaken, err.Error()))
	}
	return problem.ApplicationError(err)
}
