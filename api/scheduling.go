package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/scheduling"
)

// schedulingHandler serves services, operators' working hours, local events and free slots.
type schedulingHandler struct {
	bookings *bookings.Service
	now      func() time.Time
	// publicURL starts the calendar feed links it gives out.
	publicURL string
}

// actorOf is who makes an organisation request, as the scheduling domain checks rights.
func actorOf(c *gin.Context) bookings.Actor {
	return bookings.Actor{UserID: userID(c), Role: orgRole(c)}
}

func (h *schedulingHandler) createService(c *gin.Context) {
	var in bookings.ServiceInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	st, err := h.bookings.CreateService(c, orgID(c), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, st)
}

func (h *schedulingHandler) listServices(c *gin.Context) {
	sts, err := h.bookings.Services(c, orgID(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, page[bookings.ServiceType]{Items: sts})
}

func (h *schedulingHandler) getService(c *gin.Context) {
	st, err := h.bookings.ServiceByKey(c, orgID(c), c.Param("key"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *schedulingHandler) replaceService(c *gin.Context) {
	var in bookings.ServiceInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	st, err := h.bookings.ReplaceService(c, orgID(c), c.Param("key"), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *schedulingHandler) deleteService(c *gin.Context) {
	if err := h.bookings.DeleteService(c, orgID(c), c.Param("key")); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// slots answers `{"slots":[{"start","end","operator_id"}]}` for ?from&to (RFC
// 3339, required), tz (IANA, default UTC: the zone the times are shown in) and operator.
func (h *schedulingHandler) slots(c *gin.Context) {
	q := queryParams{c: c}
	from, to := q.requiredTime("from"), q.requiredTime("to")
	operator := q.id("operator", "user")
	zone := q.zone("tz")
	if err := q.err(); err != nil {
		respondError(c, err)
		return
	}
	slots, err := h.bookings.Slots(c, orgID(c), c.Param("key"), bookings.SlotQuery{From: from, To: to, Zone: zone, Operator: operator}, h.now())
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"slots": slotViews(slots)})
}

// slotView shows a slot in the asked zone's offset (RFC 3339).
type slotView struct {
	Start      string `json:"start"`
	End        string `json:"end"`
	OperatorID string `json:"operator_id"`
}

func slotViewOf(s scheduling.Slot) slotView {
	return slotView{Start: s.Start.Format(time.RFC3339), End: s.End.Format(time.RFC3339), OperatorID: s.OperatorID.String()}
}

func slotViews(slots []scheduling.Slot) []slotView {
	out := make([]slotView, len(slots))
	for i, s := range slots {
		out[i] = slotViewOf(s)
	}
	return out
}

// requiredTime reads a required RFC 3339 time parameter (the zero time, with
// its field error, when it is missing or bad).
func (q *queryParams) requiredTime(name string) time.Time {
	t := q.time(name)
	if t == nil {
		if q.c.Query(name) == "" {
			q.fields = append(q.fields, problem.FieldError{Field: name, Message: "is required (RFC 3339)"})
		}
		return time.Time{}
	}
	return *t
}

// zone reads an optional IANA time zone parameter (UTC when absent).
func (q *queryParams) zone(name string) *time.Location {
	loc, fe := zoneField(name, q.c.Query(name))
	if fe != nil {
		q.fields = append(q.fields, *fe)
	}
	return loc
}

// zoneField reads a zone named in field (UTC when value is empty).
func zoneField(field, value string) (*time.Location, *problem.FieldError) {
	if value == "" {
		return time.UTC, nil
	}
	loc, err := scheduling.LoadZone(value)
	if err != nil {
		return time.UTC, &problem.FieldError{Field: field, Message: "must be an IANA time zone like Europe/London"}
	}
	return loc, nil
}

func (h *schedulingHandler) getAvailability(c *gin.Context) {
	operator, ok := pathUUID(c, "user_id", "user")
	if !ok {
		return
	}
	a, err := h.bookings.Availability(c, orgID(c), operator)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

// putAvailability replaces an operator's working hours: their own, or anyone's for an ADMIN.
func (h *schedulingHandler) putAvailability(c *gin.Context) {
	operator, ok := pathUUID(c, "user_id", "user")
	if !ok {
		return
	}
	var in scheduling.Availability
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	a, err := h.bookings.SaveAvailability(c, orgID(c), actorOf(c), operator, in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (h *schedulingHandler) createEvent(c *gin.Context) {
	var in bookings.LocalEventInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	ev, err := h.bookings.CreateLocalEvent(c, orgID(c), actorOf(c), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, ev)
}

// listEvents answers the events overlapping ?from&to (RFC 3339; default the next 30 days), of ?operator or all.
func (h *schedulingHandler) listEvents(c *gin.Context) {
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
	evs, err := h.bookings.LocalEvents(c, orgID(c), operator, start, end)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, page[bookings.LocalEvent]{Items: evs})
}

func (h *schedulingHandler) getEvent(c *gin.Context) {
	id, ok := pathUUID(c, "id", "event")
	if !ok {
		return
	}
	ev, err := h.bookings.LocalEvent(c, orgID(c), id)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, ev)
}

func (h *schedulingHandler) replaceEvent(c *gin.Context) {
	id, ok := pathUUID(c, "id", "event")
	if !ok {
		return
	}
	var in bookings.LocalEventInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	ev, err := h.bookings.ReplaceLocalEvent(c, orgID(c), actorOf(c), id, in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, ev)
}

func (h *schedulingHandler) deleteEvent(c *gin.Context) {
	id, ok := pathUUID(c, "id", "event")
	if !ok {
		return
	}
	if err := h.bookings.DeleteLocalEvent(c, orgID(c), actorOf(c), id); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// suggest answers the free slots that best fit {"preferences"} (free text),
// between "from" and "to" (default the next 14 days), shown in "tz", each with a reason.
func (h *schedulingHandler) suggest(c *gin.Context) {
	var in struct {
		Preferences string     `json:"preferences"`
		From        *time.Time `json:"from"`
		To          *time.Time `json:"to"`
		TZ          string     `json:"tz"`
		Operator    *uuid.UUID `json:"operator"`
		Count       int        `json:"count"`
	}
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	zone, fe := zoneField("tz", in.TZ)
	if fe != nil {
		respondError(c, problem.Invalid("invalid request", *fe))
		return
	}
	now := h.now()
	q := bookings.SuggestQuery{Preferences: in.Preferences, Count: in.Count, SlotQuery: bookings.SlotQuery{From: now, To: now.Add(14 * 24 * time.Hour), Zone: zone, Operator: in.Operator}}
	if in.From != nil {
		q.From = *in.From
	}
	if in.To != nil {
		q.To = *in.To
	}
	suggestions, err := h.bookings.Suggest(c, orgID(c), c.Param("key"), q, now)
	if err != nil {
		respondError(c, err)
		return
	}
	out := make([]suggestionView, len(suggestions.Items))
	for i, s := range suggestions.Items {
		inZone := scheduling.Slot{Start: s.Slot.Start.In(zone), End: s.Slot.End.In(zone), OperatorID: s.Slot.OperatorID}
		out[i] = suggestionView{slotView: slotViewOf(inZone), Reason: s.Reason}
	}
	c.JSON(http.StatusOK, gin.H{"suggestions": out, "ranked_by": suggestions.RankedBy})
}

// suggestionView is a suggested slot with why it fits.
type suggestionView struct {
	slotView
	Reason string `json:"reason"`
}

// calendar answers bookings and local events overlapping ?from&to (RFC 3339,
// required, at most 93 days), of ?operator or all: for week and month views.
func (h *schedulingHandler) calendar(c *gin.Context) {
	q := queryParams{c: c}
	from, to := q.requiredTime("from"), q.requiredTime("to")
	operator := q.id("operator", "user")
	if err := q.err(); err != nil {
		respondError(c, err)
		return
	}
	entries, err := h.bookings.Calendar(c, orgID(c), operator, from, to)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, page[bookings.CalendarEntry]{Items: entries})
}

// newCalendarFeed gives an operator a secret feed URL (replacing the old one).
func (h *schedulingHandler) newCalendarFeed(c *gin.Context) {
	operator, ok := pathUUID(c, "user_id", "user")
	if !ok {
		return
	}
	token, err := h.bookings.NewCalendarFeed(c, orgID(c), actorOf(c), operator)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"url": h.publicURL + "/api/v1/calendar-feeds/" + token + ".ics"})
}

func (h *schedulingHandler) revokeCalendarFeed(c *gin.Context) {
	operator, ok := pathUUID(c, "user_id", "user")
	if !ok {
		return
	}
	if err := h.bookings.RevokeCalendarFeed(c, orgID(c), actorOf(c), operator); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// calendarFeed serves an operator's calendar to a subscribed calendar app:
// the secret token in the URL is the only credential.
func (h *schedulingHandler) calendarFeed(c *gin.Context) {
	token := strings.TrimSuffix(c.Param("token"), ".ics")
	ics, err := h.bookings.CalendarFeed(c, token, h.now())
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", ics)
}
