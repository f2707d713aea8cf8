package app

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/internal/calsync"
	"github.com/astralisops/astralis/workflows"
)

// calendarCallbackPath is where Google sends an operator back after consent.
const calendarCallbackPath = "/api/v1/google-calendar/callback"

// calendar is the Google Calendar sync; off (it says so) without its settings.
func (s *Services) calendar() (*calsync.Service, error) {
	s.calendarOnce.Do(func() {
		g := s.Config.GoogleCalendar
		var key []byte
		if g.TokenKey != "" {
			if key, s.calendarErr = base64.StdEncoding.DecodeString(g.TokenKey); s.calendarErr != nil {
				return
			}
		}
		s.calendarService, s.calendarErr = calsync.New(s.Pool, calsync.Config{
			ClientID: g.ClientID, ClientSecret: g.ClientSecret, TokenKey: key, WebhookURL: g.WebhookURL,
			RedirectURL: s.Config.HTTP.PublicURL + calendarCallbackPath, PollInterval: g.PollInterval,
			APIEndpoint: g.APIEndpoint, AuthURL: g.AuthURL, TokenURL: g.TokenURL, RevokeURL: g.RevokeURL,
		}, g.Missing(), s.bookings(), bookingChanger{s.bookingWorkflows()})
	})
	return s.calendarService, s.calendarErr
}

func (s *Services) calendarWorkflows() *calendarWorkflows {
	return &calendarWorkflows{client: s.Temporal, taskQueue: s.TaskQueue(workflows.BookingTaskQueue), poll: s.Config.GoogleCalendar.PollInterval}
}

// calendarWorkflows starts, wakes and stops CalendarSyncWorkflows for the API.
type calendarWorkflows struct {
	client    client.Client
	taskQueue string
	poll      time.Duration
}

// Sync wakes the connection's workflow, starting it when it is not running
// (a new connection, or one reconnected after it broke).
func (c *calendarWorkflows) Sync(ctx context.Context, org, connectionID uuid.UUID) error {
	err := callTemporal(ctx, func(ctx context.Context) error {
		_, err := c.client.SignalWithStartWorkflow(ctx, workflows.CalendarSyncWorkflowID(connectionID), workflows.CalendarChangedSignal, nil,
			client.StartWorkflowOptions{
				TaskQueue:             c.taskQueue,
				TypedSearchAttributes: temporal.NewSearchAttributes(workflows.OrgAttribute.ValueSet(org.String())),
			}, workflows.CalendarSync, workflows.NewCalendarSyncInput(org, connectionID, c.poll))
		return err
	})
	if err != nil {
		return fmt.Errorf("calendar: sync %s: %w", connectionID, err)
	}
	return nil
}

// Stop ends a disconnected calendar's workflow (its next step would find the connection gone anyway).
func (c *calendarWorkflows) Stop(ctx context.Context, connectionID uuid.UUID) error {
	err := callTemporal(ctx, func(ctx context.Context) error {
		return c.client.CancelWorkflow(ctx, workflows.CalendarSyncWorkflowID(connectionID), "")
	})
	if err != nil && !errorsAs[*serviceerror.NotFound](err) {
		return fmt.Errorf("calendar: stop %s: %w", connectionID, err)
	}
	return nil
}

// bookingChanger moves and cancels bookings for the calendar sync through
// their workflows, as the API does.
type bookingChanger struct{ workflows *bookingWorkflows }

func (b bookingChanger) Reschedule(ctx context.Context, _ uuid.UUID, booking uuid.UUID, start time.Time, updateID string) error {
	_, err := b.workflows.Change(ctx, booking, updateID, workflows.RescheduleUpdate, workflows.RescheduleRequest{Start: start})
	return err
}

func (b bookingChanger) Cancel(ctx context.Context, org, booking uuid.UUID, reason, updateID string) error {
	_, err := b.workflows.Cancel(ctx, org, booking, reason, updateID)
	return err
}
