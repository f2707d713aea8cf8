package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/problem"
)

// What the API, the worker and this workflow share about bookings.
const (
	BookingTaskQueue = "bookings"
	// RescheduleUpdate moves a booking (RescheduleRequest); CancelUpdate
	// follows a cancellation the API recorded; OutcomeUpdate records, after
	// the end, whether it took place.
	RescheduleUpdate = "reschedule"
	CancelUpdate     = "cancel"
	OutcomeUpdate    = "outcome"
	// outcomeWait is how long after its end a booking waits for its outcome.
	outcomeWait = 30 * 24 * time.Hour
)

// BookingWorkflowID is derived from the booking id: one workflow per booking.
func BookingWorkflowID(bookingID uuid.UUID) string { return "booking-" + bookingID.String() }

// BookingInput starts a booking's workflow: ids only, the client's details
// stay in the database.
type BookingInput struct {
	OrgID     uuid.UUID        `json:"org_id"`
	BookingID uuid.UUID        `json:"booking_id"`
	Shape     workflow.Version `json:"shape"`
}

// Booking workflow shapes: 1 mails and reminds; 2 also writes the booking
// to its operator's connected calendar after each change (calendarDirty).
const (
	bookingFirstShape    = 1
	bookingCalendarShape = 2
)

// NewBookingInput is how the API starts a booking's workflow: in the current shape.
func NewBookingInput(org, bookingID uuid.UUID) BookingInput {
	return BookingInput{OrgID: org, BookingID: bookingID, Shape: bookingCalendarShape}
}

// RescheduleRequest is the reschedule Update's argument: a time only.
type RescheduleRequest struct {
	Start time.Time `json:"start"`
}

// CancelRequest is the cancel Update's argument: empty, since the API has
// recorded the cancellation and its reason in the database.
type CancelRequest struct{}

// OutcomeRequest is the outcome Update's argument.
type OutcomeRequest struct {
	Outcome string `json:"outcome"`
}

// BookingState is what the Updates answer.
type BookingState struct {
	Status   string    `json:"status"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Sequence int       `json:"sequence"`
}

var (
	// bookingBookkeeping: short database steps, retried through a restart.
	bookingBookkeeping = workflow.ActivityOptions{
		StartToCloseTimeout:    15 * time.Second,
		ScheduleToCloseTimeout: time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	}
	// bookingCalendarWrite writes the operator's calendar: minutes of tries,
	// not hours, since the reminders wait behind it; a refusal is not retried.
	bookingCalendarWrite = workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrTypeCalendarRefused}},
	}
	// bookingChange runs inside an Update while the caller waits: a few quick attempts.
	bookingChange = workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 500 * time.Millisecond, BackoffCoefficient: 2, MaximumAttempts: 3},
	}
)

type bookingWorkflow struct {
	in    BookingInput
	ref   activities.BookingRef
	plan  activities.BookingPlan
	sent  map[string]bool // reminders sent or skipped, by sequence and offset
	epoch int             // bumped by every change: the waiting loop re-plans
	busy  bool            // an Update is changing the booking
	// outbox holds the mail the Updates asked for: the main loop delivers
	// it, so an Update answers as soon as the booking has changed.
	outbox []bookingMail
	// calendarDirty: the booking changed since the operator's calendar was
	// last written (shape 2); the main loop writes it, like the outbox.
	calendarDirty bool
}

type bookingMail struct {
	kind     string
	sequence int
}

// Booking confirms a booking by mail with an invite, sends reminders on
// durable timers at the service's offsets before the start (moved when the
// booking moves, stopped when it is cancelled), and after the end waits for
// its outcome.
func Booking(ctx workflow.Context, in BookingInput) (BookingState, error) {
	if in.Shape > bookingCalendarShape {
		panic(fmt.Sprintf("booking workflow shape %d is newer than this worker knows", in.Shape))
	}
	w := &bookingWorkflow{in: in, ref: activities.BookingRef{OrgID: in.OrgID, BookingID: in.BookingID}, sent: map[string]bool{}}
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (BookingState, error) { return w.state(), nil }); err != nil {
		return BookingState{}, err
	}
	for _, h := range []struct {
		name          string
		fn, validator any
	}{
		{RescheduleUpdate, w.reschedule, w.validateReschedule},
		{CancelUpdate, w.cancel, w.validateCancel},
		{OutcomeUpdate, w.outcome, w.validateOutcome},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.fn, workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return BookingState{}, err
		}
	}
	return w.run(ctx)
}

func (w *bookingWorkflow) state() BookingState {
	return BookingState{Status: w.plan.Status, Start: w.plan.Start, End: w.plan.End, Sequence: w.plan.Sequence}
}

func (w *bookingWorkflow) run(ctx workflow.Context) (BookingState, error) {
	var a *activities.Bookings
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, bookingBookkeeping), a.Plan, w.ref).Get(ctx, &w.plan); err != nil {
		return w.state(), err
	}
	if w.plan.Status == bookings.StatusConfirmed {
		w.outbox = append(w.outbox, bookingMail{bookings.MailConfirmed, w.plan.Sequence})
		w.changed()
	}
	for {
		if err := w.remind(ctx); err != nil {
			return w.state(), err
		}
		if w.plan.Status != bookings.StatusConfirmed {
			break
		}
		// Waiting for the outcome. From shape 2, a reschedule meanwhile (a
		// booking moved later than its last reminder's moment) goes back to
		// the reminders of its new time and to the calendar.
		// A change during the last calendar write left mail or a write
		// behind: they count as a change too.
		epoch := w.epoch
		changed, err := workflow.AwaitWithTimeout(ctx, w.plan.End.Add(outcomeWait).Sub(workflow.Now(ctx)), func() bool {
			return w.plan.Status != bookings.StatusConfirmed ||
				(w.in.Shape >= bookingCalendarShape && (w.epoch != epoch || len(w.outbox) > 0 || w.calendarDirty))
		})
		if err != nil {
			return w.state(), err
		}
		if !changed || w.plan.Status != bookings.StatusConfirmed {
			break
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.state(), err
	}
	w.deliverQueued(ctx)
	w.writeCalendar(ctx)
	return w.state(), nil
}

// changed marks the operator's calendar as behind the booking (shape 2 only:
// a shape-1 run replays without calendar writes).
func (w *bookingWorkflow) changed() {
	if w.in.Shape >= bookingCalendarShape {
		w.calendarDirty = true
	}
}

// writeCalendar puts the booking in its operator's connected calendar as it
// now stands. A failure is logged: the booking itself has changed, and the
// calendar sync shows a broken connection to the operator.
func (w *bookingWorkflow) writeCalendar(ctx workflow.Context) {
	if !w.calendarDirty {
		return
	}
	w.calendarDirty = false
	var a *activities.Calendar
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, bookingCalendarWrite), a.WriteBookingEvent, w.ref).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("booking could not be written to the operator's calendar", "error", err)
	}
}

// remind sends the reminders of the booking's current time on durable
// timers, re-planned after every change, until none is left or the booking
// is no longer confirmed.
func (w *bookingWorkflow) remind(ctx workflow.Context) error {
	for {
		w.deliverQueued(ctx)
		w.writeCalendar(ctx)
		if w.plan.Status != bookings.StatusConfirmed {
			return nil
		}
		epoch := w.epoch
		now := workflow.Now(ctx)
		offset, at, found := w.nextReminder(now)
		if !found {
			return nil // no reminder left: wait for the outcome
		}
		changed, err := workflow.AwaitWithTimeout(ctx, at.Sub(now), func() bool { return w.epoch != epoch || len(w.outbox) > 0 || w.calendarDirty })
		if err != nil {
			return err
		}
		if changed {
			continue
		}
		// The timer fired: send this reminder unless the booking has begun
		// (never late). A reminder of a booking that changed meanwhile is
		// refused by QueueMail (its sequence moved on), and the loop re-arms
		// the new one.
		w.sent[reminderKey(w.plan.Sequence, offset)] = true
		if workflow.Now(ctx).Before(w.plan.Start) {
			w.mail(ctx, bookingMail{bookings.MailReminder, w.plan.Sequence}, offset)
		}
	}
}

// deliverQueued delivers the mail the Updates queued, in order.
func (w *bookingWorkflow) deliverQueued(ctx workflow.Context) {
	for len(w.outbox) > 0 {
		m := w.outbox[0]
		w.outbox = w.outbox[1:]
		w.mail(ctx, m, 0)
	}
}

// nextReminder is the earliest reminder of the current sequence not sent
// whose moment is still ahead; those whose moment passed are skipped (a
// booking made 3 h ahead gets no 24 h reminder).
func (w *bookingWorkflow) nextReminder(now time.Time) (offset int, at time.Time, found bool) {
	offsets := slices.Clone(w.plan.ReminderOffsetsMinutes)
	slices.SortFunc(offsets, func(a, b int) int { return b - a }) // earliest moment first
	for _, off := range offsets {
		key := reminderKey(w.plan.Sequence, off)
		t := w.plan.Start.Add(-time.Duration(off) * time.Minute)
		if w.sent[key] {
			continue
		}
		if !t.After(now) {
			w.sent[key] = true // its moment passed before it could be armed: skipped, never late
			continue
		}
		return off, t, true
	}
	return 0, time.Time{}, false
}

func reminderKey(sequence, offset int) string { return fmt.Sprintf("%d/%d", sequence, offset) }

// mail queues one kind of mail about the booking and delivers it. A
// failure is logged, never the end of the booking: its reminders and changes
// go on, and the outbox sweep takes over mail a day of retries did not deliver.
func (w *bookingWorkflow) mail(ctx workflow.Context, m bookingMail, offset int) {
	var a *activities.Bookings
	var ids []string
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, bookingBookkeeping), a.QueueMail, w.ref, m.kind, m.sequence, offset).Get(ctx, &ids); err != nil {
		workflow.GetLogger(ctx).Error("booking mail could not be queued", "kind", m.kind, "error", err)
		return
	}
	var d *activities.Mail
	deliver := workflow.WithActivityOptions(ctx, mailDelivery)
	var pending []workflow.Future
	for _, id := range ids {
		pending = append(pending, workflow.ExecuteActivity(deliver, d.Deliver, id))
	}
	for _, f := range pending {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("booking mail could not be delivered", "kind", m.kind, "error", err)
		}
	}
}

var errNotConfirmed = problem.ApplicationError(bookings.ErrNotChangeable)

func invalidChange(field, msg string) error {
	return problem.ApplicationError(problem.Invalid("invalid change", problem.FieldError{Field: field, Message: msg}))
}

func (w *bookingWorkflow) validateReschedule(ctx workflow.Context, r RescheduleRequest) error {
	switch {
	case w.plan.Status != bookings.StatusConfirmed || w.busy:
		return errNotConfirmed
	case !workflow.Now(ctx).Before(w.plan.Start):
		return invalidChange("start", "cannot change once the booking has begun")
	case r.Start.IsZero() || !r.Start.After(workflow.Now(ctx)):
		return invalidChange("start", "must be in the future")
	case r.Start.Equal(w.plan.Start):
		return invalidChange("start", "is the booking's start already")
	}
	return nil
}

// reschedule moves the booking in the database (atomic, under the overlap
// constraint), re-arms the reminders for the new time and mails the updated invite.
func (w *bookingWorkflow) reschedule(ctx workflow.Context, r RescheduleRequest) (BookingState, error) {
	w.busy = true
	defer func() { w.busy = false }()
	var a *activities.Bookings
	var plan activities.BookingPlan
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, bookingChange), a.Move, w.ref, r.Start).Get(ctx, &plan); err != nil {
		return w.state(), err
	}
	w.plan = plan
	w.epoch++
	w.outbox = append(w.outbox, bookingMail{bookings.MailRescheduled, plan.Sequence})
	w.changed()
	return w.state(), nil
}

func (w *bookingWorkflow) validateCancel(ctx workflow.Context, _ CancelRequest) error {
	if w.plan.Status != bookings.StatusConfirmed {
		return errNotConfirmed
	}
	return nil
}

// cancel follows a cancellation the API recorded (the slot is free already):
// the reminders stop and the cancelling invite goes out.
func (w *bookingWorkflow) cancel(ctx workflow.Context, _ CancelRequest) (BookingState, error) {
	// A change in progress finishes first (the cancellation is already recorded).
	if err := workflow.Await(ctx, func() bool { return !w.busy }); err != nil {
		return w.state(), err
	}
	if w.plan.Status == bookings.StatusCancelled {
		return w.state(), nil // a second cancel: answered as it stands
	}
	w.busy = true
	defer func() { w.busy = false }()
	var a *activities.Bookings
	var plan activities.BookingPlan
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, bookingChange), a.ConfirmCancelled, w.ref).Get(ctx, &plan); err != nil {
		return w.state(), err
	}
	if plan.Status != bookings.StatusCancelled {
		return w.state(), errors.New("the booking was not cancelled in the database")
	}
	w.plan = plan
	w.epoch++
	w.outbox = append(w.outbox, bookingMail{bookings.MailCancelled, plan.Sequence})
	w.changed()
	return w.state(), nil
}

func (w *bookingWorkflow) validateOutcome(ctx workflow.Context, r OutcomeRequest) error {
	switch {
	case r.Outcome != bookings.StatusCompleted && r.Outcome != bookings.StatusNoShow:
		return invalidChange("outcome", "must be completed or no_show")
	case w.plan.Status != bookings.StatusConfirmed || w.busy:
		return errNotConfirmed
	case workflow.Now(ctx).Before(w.plan.End):
		return invalidChange("outcome", "can be given once the booking has ended")
	}
	return nil
}

// outcome records whether the booking took place; the workflow then ends.
func (w *bookingWorkflow) outcome(ctx workflow.Context, r OutcomeRequest) (BookingState, error) {
	w.busy = true
	defer func() { w.busy = false }()
	var a *activities.Bookings
	var plan activities.BookingPlan
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, bookingChange), a.SetOutcome, w.ref, r.Outcome).Get(ctx, &plan); err != nil {
		return w.state(), err
	}
	w.plan = plan
	w.epoch++
	return w.state(), nil
}
