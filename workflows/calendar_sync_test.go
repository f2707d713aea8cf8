package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/calsync"
)

// calendarRun is a CalendarSyncWorkflow in the test environment: the sync
// step answers what results says, in turn, and counts its calls.
type calendarRun struct {
	env       *testsuite.TestWorkflowEnvironment
	mu        sync.Mutex
	syncs     int
	results   map[int]calsync.SyncResult // by call number, from 1
	delivered []string
}

func newCalendarRun() *calendarRun {
	var s testsuite.WorkflowTestSuite
	r := &calendarRun{env: s.NewTestWorkflowEnvironment(), results: map[int]calsync.SyncResult{}}
	var c *activities.Calendar
	var m *activities.Mail
	r.env.RegisterActivity(c)
	r.env.RegisterActivity(m)
	r.env.OnActivity(c.SyncCalendar, mock.Anything, mock.Anything).Return(func(context.Context, activities.CalendarRef) (calsync.SyncResult, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.syncs++
		return r.results[r.syncs], nil
	})
	r.env.OnActivity(c.EnsureChannel, mock.Anything, mock.Anything).Return(func(context.Context, activities.CalendarRef) (time.Time, error) {
		return r.env.Now().Add(7 * 24 * time.Hour), nil
	})
	r.env.OnActivity(m.Deliver, mock.Anything, mock.Anything).Return(func(_ context.Context, id string) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.delivered = append(r.delivered, id)
		return nil
	})
	return r
}

// TestCalendarSyncCoalescesAStormOfPushes: twenty pushes arriving together
// cost one sync, and a broken connection found by a sync ends the workflow
// after the operator's notice is delivered.
func TestCalendarSyncCoalescesAStormOfPushes(t *testing.T) {
	t.Parallel()
	r := newCalendarRun()
	r.results[3] = calsync.SyncResult{Ended: true, MailIDs: []string{"notice"}}
	r.env.RegisterDelayedCallback(func() {
		for range 20 {
			r.env.SignalWorkflow(CalendarChangedSignal, nil)
		}
	}, time.Minute)
	r.env.RegisterDelayedCallback(func() { r.env.SignalWorkflow(CalendarChangedSignal, nil) }, 2*time.Minute)
	r.env.ExecuteWorkflow(CalendarSync, NewCalendarSyncInput(uuid.New(), uuid.New(), time.Hour))
	if err := r.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if r.syncs != 3 || len(r.delivered) != 1 {
		t.Fatalf("%d syncs, notices delivered %v; want 3 (the first, one for the storm, one that found the connection broken) and the notice", r.syncs, r.delivered)
	}
}

// TestCalendarSyncPollsWithoutPushes: with no push, the calendar is read every poll interval.
func TestCalendarSyncPollsWithoutPushes(t *testing.T) {
	t.Parallel()
	r := newCalendarRun()
	r.results[4] = calsync.SyncResult{Ended: true}
	r.env.ExecuteWorkflow(CalendarSync, NewCalendarSyncInput(uuid.New(), uuid.New(), 15*time.Minute))
	if err := r.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if r.syncs != 4 {
		t.Fatalf("%d syncs; want 4", r.syncs)
	}
}
