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
	"github.com/astralisops/astralis/internal/store"
)

// LocalEvent is a block of an operator's time that takes no bookings
// ("training", "dentist").
type LocalEvent struct {
	ID         uuid.UUID `json:"id"`
	OperatorID uuid.UUID `json:"operator_id"`
	Title      string    `json:"title"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	CreatedAt  time.Time `json:"created_at"`
}

// LocalEventInput creates or replaces an event; OperatorID nil means the caller's own.
type LocalEventInput struct {
	OperatorID *uuid.UUID `json:"operator_id"`
	Title      string     `json:"title"`
	Start      time.Time  `json:"start"`
	End        time.Time  `json:"end"`
}

// Actor is who asks: operators manage their own events and hours, ADMINs everyone's.
type Actor struct {
	UserID uuid.UUID
	Role   auth.Role
}

// mayManage tells whether the actor may change the operator's events or hours.
func (a Actor) mayManage(operator uuid.UUID) bool {
	return a.Role == auth.RoleAdmin || (a.Role == auth.RoleOperator && a.UserID == operator)
}

var errNotYours = problem.New(problem.ErrForbidden, "operators manage only their own events and working hours; ADMINs manage everyone's")

// maxEventLength bounds one event: longer absences are date overrides.
const maxEventLength = 31 * 24 * time.Hour

func (in *LocalEventInput) validate() error {
	in.Title = strings.TrimSpace(in.Title)
	var fields []problem.FieldError
	if msg := auth.TextProblem(in.Title, 200); in.Title == "" || msg != "" {
		fields = append(fields, problem.FieldError{Field: "title", Message: "is required: one line of at most 200 bytes"})
	}
	switch {
	case in.Start.IsZero():
		fields = append(fields, problem.FieldError{Field: "start", Message: "is required (RFC 3339)"})
	case in.End.IsZero():
		fields = append(fields, problem.FieldError{Field: "end", Message: "is required (RFC 3339)"})
	case !in.End.After(in.Start):
		fields = append(fields, problem.FieldError{Field: "end", Message: "must be after start"})
	case in.End.Sub(in.Start) > maxEventLength:
		fields = append(fields, problem.FieldError{Field: "end", Message: "an event lasts at most 31 days (set a closed date override for longer)"})
	}
	if len(fields) > 0 {
		return problem.Invalid("the event has invalid fields", fields...)
	}
	return nil
}

var errNoEvent = problem.New(problem.ErrNotFound, "no such event")

// CreateLocalEvent adds an event to the operator's time.
func (s *Service) CreateLocalEvent(ctx context.Context, org uuid.UUID, actor Actor, in LocalEventInput) (LocalEvent, error) {
	operator := actor.UserID
	if in.OperatorID != nil {
		operator = *in.OperatorID
	}
	if err := in.validate(); err != nil {
		return LocalEvent{}, err
	}
	if !actor.mayManage(operator) {
		return LocalEvent{}, errNotYours
	}
	if err := s.CheckOperator(ctx, org, operator); err != nil {
		return LocalEvent{}, err
	}
	row, err := s.q.CreateLocalEvent(ctx, store.CreateLocalEventParams{OrgID: org, UserID: operator, Title: in.Title,
		StartsAt: in.Start, EndsAt: in.End, CreatedBy: &actor.UserID})
	if err != nil {
		return LocalEvent{}, fmt.Errorf("bookings: create event: %w", err)
	}
	return eventFromRow(row), nil
}

// ReplaceLocalEvent changes an event's title and times (its operator stays).
func (s *Service) ReplaceLocalEvent(ctx context.Context, org uuid.UUID, actor Actor, id uuid.UUID, in LocalEventInput) (LocalEvent, error) {
	if err := in.validate(); err != nil {
		return LocalEvent{}, err
	}
	var out LocalEvent
	err := s.inTx(ctx, func(q *store.Queries) error {
		ev, err := q.GetLocalEvent(ctx, store.GetLocalEventParams{OrgID: org, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoEvent
		}
		if err != nil {
			return fmt.Errorf("bookings: event: %w", err)
		}
		if !actor.mayManage(ev.UserID) {
			return errNotYours
		}
		row, err := q.UpdateLocalEvent(ctx, store.UpdateLocalEventParams{OrgID: org, ID: id, Title: in.Title, StartsAt: in.Start, EndsAt: in.End})
		if err != nil {
			return fmt.Errorf("bookings: update event: %w", err)
		}
		out = eventFromRow(row)
		return nil
	})
	return out, err
}

// DeleteLocalEvent removes an event.
func (s *Service) DeleteLocalEvent(ctx context.Context, org uuid.UUID, actor Actor, id uuid.UUID) error {
	return s.inTx(ctx, func(q *store.Queries) error {
		ev, err := q.GetLocalEvent(ctx, store.GetLocalEventParams{OrgID: org, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoEvent
		}
		if err != nil {
			return fmt.Errorf("bookings: event: %w", err)
		}
		if !actor.mayManage(ev.UserID) {
			return errNotYours
		}
		if _, err := q.DeleteLocalEvent(ctx, store.DeleteLocalEventParams{OrgID: org, ID: id}); err != nil {
			return fmt.Errorf("bookings: delete event: %w", err)
		}
		return nil
	})
}

// LocalEvent returns one event.
func (s *Service) LocalEvent(ctx context.Context, org, id uuid.UUID) (LocalEvent, error) {
	row, err := s.q.GetLocalEvent(ctx, store.GetLocalEventParams{OrgID: org, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return LocalEvent{}, errNoEvent
	}
	if err != nil {
		return LocalEvent{}, fmt.Errorf("bookings: event: %w", err)
	}
	return eventFromRow(row), nil
}

// Bounds of an event listing.
const (
	maxListSpan   = 366 * 24 * time.Hour
	maxListEvents = 2000
)

// LocalEvents lists the events overlapping [from, to), of one operator or of all.
func (s *Service) LocalEvents(ctx context.Context, org uuid.UUID, operator *uuid.UUID, from, to time.Time) ([]LocalEvent, error) {
	if err := checkSpan(from, to, maxListSpan); err != nil {
		return nil, err
	}
	ids := []uuid.UUID{}
	if operator != nil {
		ids = append(ids, *operator)
	}
	rows, err := s.q.ListLocalEvents(ctx, store.ListLocalEventsParams{OrgID: org, Since: from, Until: to, UserIds: ids, MaxRows: maxListEvents})
	if err != nil {
		return nil, fmt.Errorf("bookings: events: %w", err)
	}
	out := make([]LocalEvent, len(rows))
	for i, r := range rows {
		out[i] = eventFromRow(r)
	}
	return out, nil
}

// checkSpan refuses a time range that is empty, reversed or longer than max.
func checkSpan(from, to time.Time, max time.Duration) error {
	switch {
	case !to.After(from):
		return problem.Invalid("bad query parameters", problem.FieldError{Field: "to", Message: "must be after from"})
	case to.Sub(from) > max:
		return problem.Invalid("bad query parameters", problem.FieldError{Field: "to", Message: fmt.Sprintf("at most %d days after from", int(max.Hours()/24))})
	}
	return nil
}

func eventFromRow(r store.LocalEvent) LocalEvent {
	return LocalEvent{ID: r.ID, OperatorID: r.UserID, Title: r.Title, Start: r.StartsAt, End: r.EndsAt, CreatedAt: r.CreatedAt}
}
