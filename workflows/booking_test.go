package workflows

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/bookings"
)

// bookingRun drives a BookingWorkflow in the test environment's skipped
// time: the booking starts `ahead` after the run begins and lasts 30
// minutes; every queued mail is recorded with the workflow time it was queued at.
type bookingRun struct {
	env   *testsuite.TestWorkflowEnvironment
	start time.Time
	mu    sync.Mutex
	plan  activities.BookingPlan
	mails []queuedMail
	// undeliverable is the mail (by kind: QueueMail answers it as its id) Deliver refuses.
	undeliverable string
	// calendar is the booking as each calendar write saw it; each write takes calendarDelay.
	calendar      []activities.BookingPlan
	calendarDelay time.Duration
}

type queuedMail struct {
	kind     string
	offset   int
	sequence int
	at       time.Time
}

func newBookingRun(t *testing.T, ahead time.Duration) *bookingRun {
	var s testsuite.WorkflowTestSuite
	r := &bookingRun{env: s.NewTestWorkflowEnvironment()}
	r.start = r.env.Now().Add(ahead)
	r.plan = activities.BookingPlan{Status: bookings.StatusConfirmed, Start: r.start, End: r.start.Add(30 * time.Minute), ReminderOffsetsMinutes: []int{1440, 60}}
	var a *activities.Bookings
	var m *activities.Mail
	var c *activities.Calendar
	r.env.RegisterActivity(a)
	r.env.RegisterActivity(m)
	r.env.RegisterActivity(c)
	r.env.OnActivity(c.WriteBookingEvent, mock.Anything, mock.Anything).AfterFn(func() time.Duration { return r.calendarDelay }).Return(func(context.Context, activities.BookingRef) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.calendar = append(r.calendar, r.plan)
		return nil
	})
	plan := func() activities.BookingPlan { r.mu.Lock(); defer r.mu.Unlock(); return r.plan }
	r.env.OnActivity(a.Plan, mock.Anything, mock.Anything).Return(func(context.Context, activities.BookingRef) (activities.BookingPlan, error) { return plan(), nil })
	r.env.OnActivity(a.ConfirmCancelled, mock.Anything, mock.Anything).Return(func(context.Context, activities.BookingRef) (activities.BookingPlan, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.plan.Status = bookings.StatusCancelled
		r.plan.Sequence++
		return r.plan, nil
	})
	r.env.OnActivity(a.Move, mock.Anything, mock.Anything, mock.Anything).Return(func(_ context.Context, _ activities.BookingRef, start time.Time) (activities.BookingPlan, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.plan.Start, r.plan.End = start, start.Add(30*time.Minute)
		r.plan.Sequence++
		return r.plan, nil
	})
	r.env.OnActivity(a.SetOutcome, mock.Anything, mock.Anything, mock.Anything).Return(func(_ context.Context, _ activities.BookingRef, outcome string) (activities.BookingPlan, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.plan.Status = outcome
		return r.plan, nil
	})
	r.env.OnActivity(a.QueueMail, mock.Anything, mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, _ activities.BookingRef, kind string, sequence, offset int) ([]string, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.mails = append(r.mails, queuedMail{kind: kind, offset: offset, sequence: sequence, at: r.env.Now()})
			return []string{kind}, nil
		})
	r.env.OnActivity(m.Deliver, mock.Anything, mock.Anything).Return(func(_ context.Context, id string) error {
		if r.undeliverable == id {
			return temporal.NewNonRetryableApplicationError("550 no such user", "SMTP", nil)
		}
		return nil
	})
	return r
}

// at schedules fn to run d into the run.
func (r *bookingRun) at(d time.Duration, fn func()) { r.env.RegisterDelayedCallback(fn, d) }

func (r *bookingRun) update(t *testing.T, name string, arg any) {
	r.env.UpdateWorkflow(name, uuid.NewString(), &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { t.Errorf("%s refused: %v", name, err) },
		OnComplete: func(_ any, err error) {
			if err != nil {
				t.Errorf("%s failed: %v", name, err)
			}
		},
	}, arg)
}

// finish records the outcome after the end so the run ends, and runs it.
func (r *bookingRun) finish(t *testing.T, after time.Duration) {
	r.at(after, func() { r.update(t, OutcomeUpdate, OutcomeRequest{Outcome: bookings.StatusCompleted}) })
	r.env.ExecuteWorkflow(Booking, NewBookingInput(uuid.New(), uuid.New()))
	if err := r.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
}

func (r *bookingRun) reminders() []queuedMail {
	var out []queuedMail
	for _, m := range r.mails {
		if m.kind == bookings.MailReminder {
			out = append(out, m)
		}
	}
	return out
}

func TestBookingRemindersFireAtTheirOffsets(t *testing.T) {
	t.Parallel()
	r := newBookingRun(t, 72*time.Hour)
	r.finish(t, 73*time.Hour)
	got := r.reminders()
	if len(got) != 2 || !got[0].at.Equal(r.start.Add(-24*time.Hour)) || !got[1].at.Equal(r.start.Add(-time.Hour)) || got[0].offset != 1440 || got[1].offset != 60 {
		t.Fatalf("reminders %+v; want exactly 24 h and 1 h before %v", got, r.start)
	}
	if r.mails[0].kind != bookings.MailConfirmed || !r.mails[0].at.Equal(r.start.Add(-72*time.Hour)) {
		t.Errorf("first mail %+v; want the confirmation at once", r.mails[0])
	}
}

func TestBookingMadeLateGetsOnlyTheRemindersStillAhead(t *testing.T) {
	t.Parallel()
	r := newBookingRun(t, 3*time.Hour)
	r.finish(t, 4*time.Hour)
	got := r.reminders()
	if len(got) != 1 || got[0].offset != 60 || !got[0].at.Equal(r.start.Add(-time.Hour)) {
		t.Fatalf("reminders %+v; want only the 1 h one, none late", got)
	}
}

func TestRescheduledBookingMovesItsReminders(t *testing.T) {
	t.Parallel()
	r := newBookingRun(t, 72*time.Hour)
	moved := r.start.Add(48 * time.Hour)
	r.at(time.Hour, func() { r.update(t, RescheduleUpdate, RescheduleRequest{Start: moved}) })
	r.finish(t, 121*time.Hour)
	got := r.reminders()
	want := []time.Time{moved.Add(-24 * time.Hour), moved.Add(-time.Hour)}
	if len(got) != 2 || !got[0].at.Equal(want[0]) || !got[1].at.Equal(want[1]) || got[0].sequence != 1 {
		t.Fatalf("reminders %+v; want them at %v, of the moved booking, none at the old time", got, want)
	}
	if !slices.ContainsFunc(r.mails, func(m queuedMail) bool { return m.kind == bookings.MailRescheduled && m.sequence == 1 }) {
		t.Errorf("mails %+v; want the updated invite (sequence 1)", r.mails)
	}
}

// TestBookingIsWrittenToTheCalendarAfterEachChange: the operator's calendar
// gets the booking when it is made, again at its new time once moved, and
// its cancellation.
func TestBookingIsWrittenToTheCalendarAfterEachChange(t *testing.T) {
	t.Parallel()
	r := newBookingRun(t, 72*time.Hour)
	moved := r.start.Add(24 * time.Hour)
	r.at(time.Hour, func() { r.update(t, RescheduleUpdate, RescheduleRequest{Start: moved}) })
	r.at(2*time.Hour, func() { r.update(t, CancelUpdate, CancelRequest{}) })
	r.env.ExecuteWorkflow(Booking, NewBookingInput(uuid.New(), uuid.New()))
	if err := r.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(r.calendar) != 3 || !r.calendar[0].Start.Equal(r.start) || !r.calendar[1].Start.Equal(moved) || r.calendar[2].Status != bookings.StatusCancelled {
		t.Fatalf("calendar writes %+v; want the booking, then at its new time, then cancelled", r.calendar)
	}
}

// TestBookingMovedAfterItsLastReminderGetsTheNewOnes: a booking made too
// late for any reminder, then moved a week on, is reminded of its new time.
func TestBookingMovedAfterItsLastReminderGetsTheNewOnes(t *testing.T) {
	t.Parallel()
	r := newBookingRun(t, 30*time.Minute)
	moved := r.start.Add(7 * 24 * time.Hour)
	r.at(time.Minute, func() { r.update(t, RescheduleUpdate, RescheduleRequest{Start: moved}) })
	r.finish(t, 8*24*time.Hour)
	got := r.reminders()
	if len(got) != 2 || !got[0].at.Equal(moved.Add(-24*time.Hour)) || !got[1].at.Equal(moved.Add(-time.Hour)) {
		t.Fatalf("reminders %+v; want both of the new time", got)
	}
}

// TestMoveDuringASlowCalendarWriteIsMailedAtOnce: a booking moved while its
// calendar write is slow, to a time too close for any reminder, still has
// its updated invite mailed and its calendar written right after, not once
// the booking is over.
func TestMoveDuringASlowCalendarWriteIsMailedAtOnce(t *testing.T) {
	t.Parallel()
	r := newBookingRun(t, 30*time.Minute)
	r.calendarDelay = 5 * time.Minute
	moved := r.start.Add(20 * time.Minute)
	r.at(time.Minute, func() { r.update(t, RescheduleUpdate, RescheduleRequest{Start: moved}) })
	r.finish(t, 2*time.Hour)
	i := slices.IndexFunc(r.mails, func(m queuedMail) bool { return m.kind == bookings.MailRescheduled })
	if i < 0 || !r.mails[i].at.Before(moved) {
		t.Fatalf("mails %+v; want the updated invite before the moved booking starts", r.mails)
	}
	if len(r.calendar) != 2 || !r.calendar[1].Start.Equal(moved) {
		t.Errorf("calendar writes %+v; want the booking, then at its new time", r.calendar)
	}
}

func TestCancelledBookingSendsNoReminders(t *testing.T) {
	t.Parallel()
	r := newBookingRun(t, 72*time.Hour)
	r.at(time.Hour, func() { r.update(t, CancelUpdate, CancelRequest{}) })
	r.env.ExecuteWorkflow(Booking, NewBookingInput(uuid.New(), uuid.New()))
	if err := r.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if got := r.reminders(); len(got) != 0 {
		t.Fatalf("reminders %+v after a cancellation; want none", got)
	}
	if last := r.mails[len(r.mails)-1]; last.kind != bookings.MailCancelled {
		t.Errorf("mails %+v; want the cancelling invite last", r.mails)
	}
}

// TestBookingGoesOnWhenMailFails: a confirmation that cannot be delivered is
// logged; the reminders still go out and the booking still ends normally.
func TestBookingGoesOnWhenMailFails(t *testing.T) {
	t.Parallel()
	r := newBookingRun(t, 72*time.Hour)
	r.undeliverable = bookings.MailConfirmed
	r.finish(t, 73*time.Hour)
	if got := r.reminders(); len(got) != 2 {
		t.Fatalf("reminders %+v after an undeliverable confirmation; want both", got)
	}
}

// TestCancelDuringARescheduleIsApplied: a cancel that arrives while a
// reschedule is being recorded waits for it, then cancels: both answer, and
// the cancelling mail follows the moved one.
func TestCancelDuringARescheduleIsApplied(t *testing.T) {
	t.Parallel()
	r := newBookingRun(t, 72*time.Hour)
	var a *activities.Bookings
	r.env.OnActivity(a.Move, mock.Anything, mock.Anything, mock.Anything).After(time.Minute).Return(func(_ context.Context, _ activities.BookingRef, start time.Time) (activities.BookingPlan, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.plan.Start, r.plan.End = start, start.Add(30*time.Minute)
		r.plan.Sequence++
		return r.plan, nil
	})
	r.at(time.Hour, func() { r.update(t, RescheduleUpdate, RescheduleRequest{Start: r.start.Add(time.Hour)}) })
	r.at(time.Hour+time.Second, func() { r.update(t, CancelUpdate, CancelRequest{}) })
	r.env.ExecuteWorkflow(Booking, NewBookingInput(uuid.New(), uuid.New()))
	if err := r.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, m := range r.mails {
		kinds = append(kinds, m.kind)
	}
	if want := []string{bookings.MailConfirmed, bookings.MailRescheduled, bookings.MailCancelled}; !slices.Equal(kinds, want) {
		t.Fatalf("mails %v; want %v", kinds, want)
	}
}

// TestBookingThatBegunCannotMove: a reschedule after the start is refused by
// the validator, before it enters history.
func TestBookingThatBegunCannotMove(t *testing.T) {
	t.Parallel()
	r := newBookingRun(t, 2*time.Hour)
	var refused error
	r.at(2*time.Hour+5*time.Minute, func() {
		r.env.UpdateWorkflow(RescheduleUpdate, uuid.NewString(), &testsuite.TestUpdateCallback{
			OnAccept:   func() { t.Error("a reschedule after the start was accepted") },
			OnReject:   func(err error) { refused = err },
			OnComplete: func(any, error) {},
		}, RescheduleRequest{Start: r.start.Add(48 * time.Hour)})
	})
	r.finish(t, 3*time.Hour)
	if refused == nil {
		t.Fatal("a reschedule after the start was not refused")
	}
}
