package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/llm"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/workflows"
)

func (s *Services) bookings() *bookings.Service {
	s.bookingsOnce.Do(func() {
		var picker bookings.SlotPicker // without an API key, suggestions follow the rules alone
		if c := s.Config.OpenAI; c.APIKey != "" {
			picker = llm.New(llm.Config{APIKey: c.APIKey, BaseURL: c.BaseURL, Model: c.Model, Timeout: c.Timeout})
		}
		s.bookingsService = bookings.New(s.Pool, s.Config.HTTP.PublicURL, picker)
	})
	return s.bookingsService
}

func (s *Services) bookingWorkflows() *bookingWorkflows {
	return &bookingWorkflows{client: s.Temporal, taskQueue: s.TaskQueue(workflows.BookingTaskQueue), bookings: s.bookings()}
}

// bookingWorkflows starts and steers BookingWorkflows for the API.
type bookingWorkflows struct {
	client    client.Client
	taskQueue string
	bookings  *bookings.Service
}

// Start starts the booking's workflow (startOnce).
func (r *bookingWorkflows) Start(ctx context.Context, org, bookingID uuid.UUID) error {
	err := startOnce(ctx, r.client, client.StartWorkflowOptions{
		ID:                    workflows.BookingWorkflowID(bookingID),
		TaskQueue:             r.taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.OrgAttribute.ValueSet(org.String())),
	}, workflows.Booking, workflows.NewBookingInput(org, bookingID))
	if err != nil {
		return fmt.Errorf("bookings: start %s: %w", bookingID, err)
	}
	return nil
}

// changeTimeout bounds how long the API waits for a change's answer once the workflow accepted it.
const changeTimeout = 30 * time.Second

// Change sends one of the booking's Updates (reschedule, cancel, outcome) and waits for its answer.
func (r *bookingWorkflows) Change(ctx context.Context, bookingID uuid.UUID, updateID, name string, arg any) (workflows.BookingState, error) {
	state, err := updateAndWait[workflows.BookingState](ctx, r.client, workflows.BookingWorkflowID(bookingID), updateID, name, arg, changeTimeout, bookings.ErrNotChangeable)
	if err != nil && !errors.Is(err, bookings.ErrNotChangeable) {
		return state, fmt.Errorf("bookings: %s %s: %w", name, bookingID, err)
	}
	return state, err
}

// Cancel records the cancellation (the slot is free at once) and tells the
// booking's workflow, which stops the reminders and mails the cancelling
// invite; it answers the booking as it now is.
func (r *bookingWorkflows) Cancel(ctx context.Context, org, bookingID uuid.UUID, reason, updateID string) (bookings.Booking, error) {
	b, err := r.bookings.Cancel(ctx, org, bookingID, reason)
	if err != nil {
		return b, err
	}
	_, err = r.Change(ctx, bookingID, updateID, workflows.CancelUpdate, workflows.CancelRequest{})
	if errors.Is(err, bookings.ErrNotChangeable) || problem.IsType(err, problem.TypeNotChangeable) {
		err = nil // cancelled before, or its workflow has ended: the booking is cancelled either way
	}
	return b, err
}
