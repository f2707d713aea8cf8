package bookings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/scheduling"
	"github.com/astralisops/astralis/internal/store"
)

// errNotStaff is an operator id that is no ADMIN or OPERATOR of the organisation.
var errNotStaff = problem.New(problem.ErrNotFound, "no such operator in this organisation")

// Availability returns the operator's working hours; one who set none has
// none (no slots) and no zone (""), so a form for them starts in the editor's zone.
func (s *Service) Availability(ctx context.Context, org, operator uuid.UUID) (scheduling.Availability, error) {
	if err := s.CheckOperator(ctx, org, operator); err != nil {
		return scheduling.Availability{}, err
	}
	row, err := s.q.GetAvailability(ctx, store.GetAvailabilityParams{OrgID: org, UserID: operator})
	if errors.Is(err, pgx.ErrNoRows) {
		return scheduling.Availability{TimeZone: "", Weekly: map[string][]scheduling.Window{}, Overrides: []scheduling.Override{}}, nil
	}
	if err != nil {
		return scheduling.Availability{}, fmt.Errorf("bookings: availability: %w", err)
	}
	return availabilityFromRow(row)
}

// SaveAvailability validates and replaces the operator's working hours: the
// actor's own, or anyone's for an ADMIN.
func (s *Service) SaveAvailability(ctx context.Context, org uuid.UUID, actor Actor, operator uuid.UUID, a scheduling.Availability) (scheduling.Availability, error) {
	if !actor.mayManage(operator) {
		return scheduling.Availability{}, errNotYours
	}
	if err := s.CheckOperator(ctx, org, operator); err != nil {
		return scheduling.Availability{}, err
	}
	if a.Weekly == nil {
		a.Weekly = map[string][]scheduling.Window{}
	}
	if a.Overrides == nil {
		a.Overrides = []scheduling.Override{}
	}
	if err := a.Validate(); err != nil {
		return scheduling.Availability{}, err
	}
	weekly, _ := json.Marshal(a.Weekly)
	overrides, _ := json.Marshal(a.Overrides)
	row, err := s.q.SaveAvailability(ctx, store.SaveAvailabilityParams{OrgID: org, UserID: operator, TimeZone: a.TimeZone, Weekly: weekly, Overrides: overrides})
	if err != nil {
		return scheduling.Availability{}, fmt.Errorf("bookings: save availability: %w", err)
	}
	return availabilityFromRow(row)
}

// CheckOperator refuses an id that is no ADMIN or OPERATOR of the organisation.
func (s *Service) CheckOperator(ctx context.Context, org, operator uuid.UUID) error {
	rows, err := s.q.StaffRoles(ctx, store.StaffRolesParams{OrgID: org, UserIds: []uuid.UUID{operator}})
	if err != nil {
		return fmt.Errorf("bookings: operator's role: %w", err)
	}
	if len(rows) == 0 || !isStaff(rows[0].Role) {
		return errNotStaff
	}
	return nil
}

func availabilityFromRow(r store.OperatorAvailability) (scheduling.Availability, error) {
	a := scheduling.Availability{TimeZone: r.TimeZone}
	if err := json.Unmarshal(r.Weekly, &a.Weekly); err != nil {
		return a, fmt.Errorf("bookings: availability: %w", err)
	}
	if err := json.Unmarshal(r.Overrides, &a.Overrides); err != nil {
		return a, fmt.Errorf("bookings: availability: %w", err)
	}
	return a, nil
}
