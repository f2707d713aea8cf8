package bookings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/scheduling"
	"github.com/astralisops/astralis/internal/store"
)

// ErrNotChangeable is a change to a booking that is cancelled or over.
var ErrNotChangeable = problem.Typed(problem.ErrConflict, problem.TypeNotChangeable, "the booking is no longer confirmed: it cannot change")

// MayChange tells whether the actor may reschedule or cancel the booking:
// staff always; its own client while the service lets clients change, until
// its cutoff before the start.
func (s *Service) MayChange(ctx context.Context, org uuid.UUID, actor Actor, b Booking, now time.Time) error {
	if actor.Role != auth.RoleClient {
		return nil
	}
	svc, err := s.q.ServiceByID(ctx, store.ServiceByIDParams{OrgID: org, ID: b.ServiceID})
	if err != nil {
		return fmt.Errorf("bookings: the booking's service: %w", err)
	}
	cutoff := b.Start.Add(-time.Duration(svc.ClientChangeCutoffMinutes) * time.Minute)
	switch {
	case !svc.ClientChanges:
		return problem.New(problem.ErrForbidden, "this service's bookings are changed by the organisation only")
	case !now.Before(cutoff):
		return problem.New(problem.ErrForbidden, fmt.Sprintf("changes by the client close %d minutes before the start", svc.ClientChangeCutoffMinutes))
	}
	return nil
}

// MayMoveTo is MayChange for a move: a client's new start too must lie
// beyond the service's cutoff from now.
func (s *Service) MayMoveTo(ctx context.Context, org uuid.UUID, actor Actor, b Booking, start, now time.Time) error {
	if err := s.MayChange(ctx, org, actor, b, now); err != nil || actor.Role != auth.RoleClient {
		return err
	}
	svc, err := s.q.ServiceByID(ctx, store.ServiceByIDParams{OrgID: org, ID: b.ServiceID})
	if err != nil {
		return fmt.Errorf("bookings: the booking's service: %w", err)
	}
	if cutoff := time.Duration(svc.ClientChangeCutoffMinutes) * time.Minute; !now.Add(cutoff).Before(start) {
		return problem.Invalid("invalid reschedule", problem.FieldError{Field: "start", Message: fmt.Sprintf("clients may move a booking to at least %d minutes from now", svc.ClientChangeCutoffMinutes)})
	}
	return nil
}

// CheckMove says whether the booking may move to start: confirmed, and the
// new start free and allowed (hours, notice, horizon, interval, daily limit)
// for its operator, its own time set aside. SlotTaken when someone has it.
func (s *Service) CheckMove(ctx context.Context, org uuid.UUID, b Booking, start, now time.Time) error {
	if b.Status != StatusConfirmed {
		return ErrNotChangeable
	}
	if !now.Before(b.Start) {
		return problem.Invalid("invalid reschedule", problem.FieldError{Field: "start", Message: "cannot change once the booking has begun"})
	}
	svc, err := s.serviceOf(ctx, org, b)
	if err != nil {
		return err
	}
	inputs, err := s.operatorInputs(ctx, org, []uuid.UUID{b.OperatorID}, start.Add(-48*time.Hour), start.Add(48*time.Hour), b.ID)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return problem.Invalid("invalid reschedule", problem.FieldError{Field: "start", Message: "cannot be booked: " + scheduling.ReasonOutsideHours})
	}
	if ok, why := scheduling.Free(svc.rules(), inputs[0], start, now); !ok {
		if why == scheduling.ReasonTaken || why == scheduling.ReasonDailyLimit {
			return s.taken(ctx, org, svc, &b.OperatorID, start, now)
		}
		return problem.Invalid("invalid reschedule", problem.FieldError{Field: "start", Message: "cannot be booked: " + why})
	}
	return nil
}

// Move reschedules a confirmed booking to start, atomically under the same
// overlap constraint as booking; the invite's sequence goes up by one.
func (s *Service) Move(ctx context.Context, org, id uuid.UUID, start, now time.Time) (Booking, error) {
	b, err := s.Booking(ctx, org, id, nil)
	if err != nil {
		return Booking{}, err
	}
	if b.Start.Equal(start) && b.Status == StatusConfirmed {
		return b, nil // a retried move that went through
	}
	if err := s.CheckMove(ctx, org, b, start, now); err != nil {
		return Booking{}, err
	}
	svc, err := s.serviceOf(ctx, org, b)
	if err != nil {
		return Booking{}, err
	}
	r := svc.rules()
	end := start.Add(r.Duration)
	row, err := s.underOperatorLock(ctx, b.OperatorID, func(q *store.Queries) (store.Booking, error) {
		return q.MoveBooking(ctx, store.MoveBookingParams{OrgID: org, ID: id, StartsAt: start, EndsAt: end,
			BlockedFrom: start.Add(-r.BufferBefore), BlockedUntil: end.Add(r.BufferAfter)})
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Booking{}, ErrNotChangeable
	case isOverlap(err):
		return Booking{}, s.taken(ctx, org, svc, &b.OperatorID, start, now)
	case err != nil:
		return Booking{}, fmt.Errorf("bookings: move: %w", err)
	}
	return s.bookingFromRow(ctx, row)
}

// Cancel frees a confirmed booking's time; cancelling twice answers the cancelled booking.
func (s *Service) Cancel(ctx context.Context, org, id uuid.UUID, reason string) (Booking, error) {
	reason = strings.TrimSpace(reason)
	if msg := auth.TextProblem(reason, 500); msg != "" {
		return Booking{}, problem.Invalid("invalid cancellation", problem.FieldError{Field: "reason", Message: "must be one line of at most 500 bytes"})
	}
	row, err := s.q.CancelBooking(ctx, store.CancelBookingParams{OrgID: org, ID: id, CancelReason: reason})
	if errors.Is(err, pgx.ErrNoRows) {
		b, err := s.Booking(ctx, org, id, nil)
		if err == nil && b.Status == StatusCancelled {
			return b, nil
		}
		if err != nil {
			return Booking{}, err
		}
		return Booking{}, ErrNotChangeable
	}
	if err != nil {
		return Booking{}, fmt.Errorf("bookings: cancel: %w", err)
	}
	return s.bookingFromRow(ctx, row)
}

// SetOutcome records that a booking took place (completed) or the client did not come (no_show).
func (s *Service) SetOutcome(ctx context.Context, org, id uuid.UUID, outcome string) (Booking, error) {
	if outcome != StatusCompleted && outcome != StatusNoShow {
		return Booking{}, problem.Invalid("invalid outcome", problem.FieldError{Field: "outcome", Message: "must be completed or no_show"})
	}
	row, err := s.q.SetBookingOutcome(ctx, store.SetBookingOutcomeParams{OrgID: org, ID: id, Status: outcome})
	if errors.Is(err, pgx.ErrNoRows) {
		b, err := s.Booking(ctx, org, id, nil)
		if err == nil && b.Status == outcome {
			return b, nil
		}
		if err != nil {
			return Booking{}, err
		}
		return Booking{}, ErrNotChangeable
	}
	if err != nil {
		return Booking{}, fmt.Errorf("bookings: outcome: %w", err)
	}
	return s.bookingFromRow(ctx, row)
}

func (s *Service) serviceOf(ctx context.Context, org uuid.UUID, b Booking) (ServiceType, error) {
	row, err := s.q.ServiceByID(ctx, store.ServiceByIDParams{OrgID: org, ID: b.ServiceID})
	if err != nil {
		return ServiceType{}, fmt.Errorf("bookings: the booking's service: %w", err)
	}
	return serviceFromRow(row, nil), nil
}
