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
	return &bookingWorkflows{client: s.Temporal, taskQueue: s.TaskQueue(workflows.BookingTaskQueue)}
}

// bookingWorkflows starts and steers BookingWorkflows for the API.
type bookingWorkflows struct {
	client    client.Client
	taskQueue string
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
