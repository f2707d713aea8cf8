package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/ratelimit"
)

// publicBookingHandler serves clients without an account: an organisation's
// booking page (/api/v1/public/orgs/{slug}) and the links mailed to a
// booking's client (/api/v1/public/bookings/{token}). Every request is
// counted against its address's limits.
type publicBookingHandler struct {
	*bookingHandler
}

// publicPrefix is where the public booking API lives.
const publicPrefix = "/api/v1/public"

// publicCORS lets any website call the public booking API from a browser:
// it carries no credentials, so any origin may read its answers. A
// preflight is answered here, before routing.
func publicCORS() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !strings.HasPrefix(c.Request.URL.Path, publicPrefix+"/") {
			return
		}
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "Retry-After")
		if c.Request.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Content-Type, Idempotency-Key")
			h.Set("Access-Control-Max-Age", "600")
			c.AbortWithStatus(http.StatusNoContent)
		}
	}
}

// limit counts the request and refuses it over its address's limit.
func (h *publicBookingHandler) limit(c *gin.Context, write bool) bool {
	if err := h.bookings.CheckPublic(c, ratelimit.Source(c.ClientIP()), write); err != nil {
		respondError(c, err)
		return false
	}
	return true
}

// page resolves the booking page's organisation.
func (h *publicBookingHandler) page(c *gin.Context, write bool) (org uuid.UUID, ok bool) {
	if !h.limit(c, write) {
		return org, false
	}
	id, err := h.bookings.PublicOrg(c, c.Param("slug"))
	if err != nil {
		respondError(c, err)
		return org, false
	}
	return id, true
}

func (h *publicBookingHandler) services(c *gin.Context) {
	org, ok := h.page(c, false)
	if !ok {
		return
	}
	sts, err := h.bookings.PublicServices(c, org)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, page[bookings.PublicService]{Items: sts})
}

// slots is the service's free slots between ?from and ?to, shown in ?tz.
func (h *publicBookingHandler) slots(c *gin.Context) {
	org, ok := h.page(c, false)
	if !ok {
		return
	}
	q := queryParams{c: c}
	from, to := q.requiredTime("from"), q.requiredTime("to")
	zone := q.zone("tz")
	if err := q.err(); err != nil {
		respondError(c, err)
		return
	}
	slots, err := h.bookings.Slots(c, org, c.Param("key"), bookings.SlotQuery{From: from, To: to, Zone: zone}, h.now())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"slots": slotViews(slots)})
}

// book books a slot for a client without an account; the confirmation
// carries their link to see, move or cancel it.
func (h *publicBookingHandler) book(c *gin.Context) {
	org, ok := h.page(c, true)
	if !ok {
		return
	}
	var in bookings.BookInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	in.Operator = nil // a booking page books the least-loaded free operator
	in.IdempotencyKey = c.GetHeader("Idempotency-Key")
	b, created, err := h.bookings.Book(c, org, bookings.Public, bookings.Client{}, in, h.now())
	if err != nil {
		h.respond(c, err)
		return
	}
	if err := h.workflows.Start(c, org, b.ID); err != nil {
		respondError(c, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	c.JSON(status, b.View())
}

// linked resolves a client's link to its booking.
func (h *publicBookingHandler) linked(c *gin.Context, write bool) (bookings.Booking, bool) {
	if !h.limit(c, write) {
		return bookings.Booking{}, false
	}
	b, err := h.bookings.BookingByLink(c, c.Param("token"))
	if err != nil {
		respondError(c, err)
		return b, false
	}
	return b, true
}

func (h *publicBookingHandler) viewLinked(c *gin.Context) {
	b, ok := h.linked(c, false)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, b.View())
}

// slotsLinked is where the link's booking may move: its operator's free
// slots for its service between ?from and ?to, shown in ?tz (a move keeps
// the operator, so another's free time would be refused).
func (h *publicBookingHandler) slotsLinked(c *gin.Context) {
	q := queryParams{c: c}
	from, to := q.requiredTime("from"), q.requiredTime("to")
	zone := q.zone("tz")
	if err := q.err(); err != nil {
		respondError(c, err)
		return
	}
	b, ok := h.linked(c, false)
	if !ok {
		return
	}
	op := b.OperatorID
	slots, err := h.bookings.Slots(c, b.OrgID, b.Service, bookings.SlotQuery{From: from, To: to, Zone: zone, Operator: &op}, h.now())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"slots": slotViews(slots)})
}

// rescheduleLinked moves the link's booking, within the service's rules for clients.
func (h *publicBookingHandler) rescheduleLinked(c *gin.Context) {
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
	b, ok := h.linked(c, true)
	if !ok {
		return
	}
	org := b.OrgID
	if err := h.bookings.MayMoveTo(c, org, bookings.Public, b, in.Start, h.now()); err != nil {
		respondError(c, err)
		return
	}
	b, err := h.move(c, org, b, in.Start, "")
	if err != nil {
		h.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, b.View())
}

// cancelLinked cancels the link's booking, within the service's rules for clients.
func (h *publicBookingHandler) cancelLinked(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	b, ok := h.linked(c, true)
	if !ok {
		return
	}
	if err := h.bookings.MayChange(c, b.OrgID, bookings.Public, b, h.now()); err != nil {
		respondError(c, err)
		return
	}
	b, err := h.workflows.Cancel(c, b.OrgID, b.ID, in.Reason, "")
	if err != nil {
		h.respond(c, err)
		return
	}
	c.JSON(http.StatusOK, b.View())
}

// getPage and putPage manage the organisation's booking page; ADMIN.
func (h *schedulingHandler) getBookingPage(c *gin.Context) {
	p, err := h.bookings.BookingPageOf(c, orgID(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func (h *schedulingHandler) putBookingPage(c *gin.Context) {
	var in bookings.BookingPage
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	p, err := h.bookings.SaveBookingPage(c, orgID(c), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}
