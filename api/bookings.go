package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/workflows"
)

// BookingWorkflows starts and steers BookingWorkflows for the API.
type BookingWorkflows interface {
	Start(ctx context.Context, org, bookingID uuid.UUID) error
	// Change sends an Update (reschedule, cancel, outcome); updateID makes a retried change attach to the first.
	Change(ctx context.Context, bookingID uuid.UUID, updateID, name string, arg any) (workflows.BookingState, error)
	// Cancel records a cancellation and tells the booking's workflow; it answers the booking as it now is.
	Cancel(ctx context.Context, org, bookingID uuid.UUID, reason, updateID string) (bookings.Booking, error)
}

// bookingHandler serves bookings.
type bookingHandler struct {
	bookings  *bookings.Service
	workflows BookingWorkflows
	now       func() time.Time
}

// book reserves a slot and starts the booking's workflow; a taken slot is a
// 409 problem with "alternatives", the nearest free slots.
func (h *bookingHandler) book(c *gin.Context) {
	var in bookings.BookInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	in.IdempotencyKey = c.GetHeader("Idempotency-Key")
	p, _ := principalOf(c)
	b, created, err := h.bookings.Book(c, orgID(c), actorOf(c), bookings.Client{Name: p.User.Name, Email: p.User.Email}, in, h.now())
	if err != nil {
		h.respond(c, err)
		return
	}
	// Started for a repeated key too: the first attempt may have stopped between booking and starting.
	if err := h.workflows.Start(c, orgID(c), b.ID); err != nil {
		respondError(c, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	c.JSON(status, b)
}

// takenProblem is the 409 of a taken slot, with the nearest free ones.
type takenProblem struct {
	problem.Problem
	Alternatives []slotView `json:"alternatives"`
}

// respond writes err, adding the alternatives to a taken slot's 409.
func (h *bookingHandler) respond(c *gin.Context, err error) {
	var taken *bookings.SlotTaken
	if !errors.As(err, &taken) {
		respondError(c, err)
		return
	}
	alts := slotViews(taken.Alternatives)
	writeProblemBody(c, problem.From(problem.New(problem.ErrConflict, "that time is no longer free; alternatives lists the nearest free slots")),
		func(p problem.Problem) any { return takenProblem{Problem: p, Alternatives: alts} })
}

// list answers the bookings starting in ?from&to (default the next 30 days, at
// most 93), of ?operator; a CLIENT sees only their own.
func (h *bookingHandler) list(c *gin.Context) {
	q := queryParams{c: c}
	from, to := q.time("from"), q.time("to")
	operator := q.id("operator", "user")
	if err := q.err(); err != nil {
		respondError(c, err)
		return
	}
	start := h.now()
	if from != nil {
		start = *from
	}
	end := start.Add(30 * 24 * time.Hour)
	if to != nil {
		end = *to
	}
	bs, err := h.bookings.Bookings(c, orgID(c), onlyOwn(c), operator, start, end)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, page[bookings.Booking]{Items: bs})
}

func (h *bookingHandler) get(c *gin.Context) {
	id, ok := pathUUID(c, "id", "booking")
	if !ok {
		return
	}
	b, err := h.bookings.Booking(c, orgID(c), id, onlyOwn(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}

// changeable loads the booking the caller may change, or answers the problem.
func (h *bookingHandler) changeable(c *gin.Context) (bookings.Booking, bool) {
	id, ok := pathUUID(c, "id", "booking")
	if !ok {
		return bookings.Booking{}, false
	}
	b, err := h.bookings.Booking(c, orgID(c), id, onlyOwn(c))
	if err == nil {
		err = h.bookings.MayChange(c, orgID(c), actorOf(c), b, h.now())
	}
	if err != nil {
		respondError(c, err)
		return bookings.Booking{}, false
	}
	return b, true
}

// reschedule checks the new start (free and allowed) and sends the reschedule
// Update, which moves the booking atomically and re-arms its reminders.
func (h *bookingHandler) reschedule(c *gin.Context) {
	var in struct {
		Start time.Time `json:"start"`
	}
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	if in.Start.IsZero() {
		respondError(c, problem.Invalid("invalid reschedule", problem.FieldError{Field: "start", Message: "is required (RFC 3339)"}))
		return
	}
	b, ok := h.changeable(c)
	if !ok {
		return
	}
	if err := h.bookings.MayMoveTo(c, orgID(c), actorOf(c), b, in.Start, h.now()); err != nil {
		respondError(c, err)
		return
	}
	b, err := h.move(c, orgID(c), b, in.Start, changeID(c, "reschedule"))
	h.answer(c, b, err)
}

// move checks the new start and sends the reschedule Update; it answers the booking as it now is.
func (h *bookingHandler) move(c *gin.Context, org uuid.UUID, b bookings.Booking, start time.Time, updateID string) (bookings.Booking, error) {
	if err := h.bookings.CheckMove(c, org, b, start, h.now()); err != nil {
		return b, err // refused before anything enters the workflow's history
	}
	_, err := h.workflows.Change(c, b.ID, updateID, workflows.RescheduleUpdate, workflows.RescheduleRequest{Start: start})
	if problem.IsType(err, problem.TypeSlotTaken) {
		// Lost a race for the slot after the check: the nearest free ones, as for a booking.
		if again := h.bookings.CheckMove(c, org, b, start, h.now()); again != nil {
			err = again
		}
	}
	if err != nil {
		return b, err
	}
	return h.bookings.Booking(c, org, b.ID, nil)
}

// cancel records the cancellation (the slot is free at once) and tells the
// workflow, which stops the reminders and mails the cancelling invite.
func (h *bookingHandler) cancel(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	b, ok := h.changeable(c)
	if !ok {
		return
	}
	b, err := h.workflows.Cancel(c, orgID(c), b.ID, in.Reason, changeID(c, "cancel"))
	h.answer(c, b, err)
}

// outcome records, after the end, whether the booking took place; OPERATOR and up.
func (h *bookingHandler) outcome(c *gin.Context) {
	var in workflows.OutcomeRequest
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	id, ok := pathUUID(c, "id", "booking")
	if !ok {
		return
	}
	if in.Outcome != bookings.StatusCompleted && in.Outcome != bookings.StatusNoShow {
		respondError(c, problem.Invalid("invalid outcome", problem.FieldError{Field: "outcome", Message: "must be completed or no_show"}))
		return
	}
	b, err := h.bookings.Booking(c, orgID(c), id, nil)
	if err != nil {
		respondError(c, err)
		return
	}
	if _, err = h.workflows.Change(c, id, changeID(c, "outcome"), workflows.OutcomeUpdate, in); err == nil {
		b, err = h.bookings.Booking(c, orgID(c), id, nil)
	}
	h.answer(c, b, err)
}

// changeID is the Update id of a change sent with an Idempotency-Key: a
// retry by the same person of the same change attaches to the first; the same
// key from someone else, or for another change, is a change of its own. No
// key: a new Update.
func changeID(c *gin.Context, change string) string {
	key := c.GetHeader("Idempotency-Key")
	if key == "" {
		return ""
	}
	return change + ":" + userID(c).String() + ":" + key
}

// answer writes the booking as it now is, or the change's problem.
func (h *bookingHandler) answer(c *gin.Context, b bookings.Booking, err error) {
	if err != nil {
		h.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}
