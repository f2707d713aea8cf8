package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/calsync"
)

// CalendarWorkflows wakes and stops CalendarSyncWorkflows for the API.
type CalendarWorkflows interface {
	// Sync wakes the connection's workflow, starting it when it is not running.
	Sync(ctx context.Context, org, connectionID uuid.UUID) error
	// Stop ends a disconnected calendar's workflow.
	Stop(ctx context.Context, connectionID uuid.UUID) error
}

// calendarHandler serves Google Calendar connections, their settings and the push webhook.
type calendarHandler struct {
	sync      *calsync.Service
	workflows CalendarWorkflows
	// consoleURL is the console's address (http.public_url): the browser
	// lands on the operator's availability page after connecting.
	consoleURL string
}

// connectedURL is the page a browser lands on after Google's consent page:
// the operator's availability, where their connection is, with the outcome.
func (h *calendarHandler) connectedURL(org, operator uuid.UUID, outcome string) string {
	return h.consoleURL + "/orgs/" + org.String() + "/operators/" + operator.String() + "/availability?calendar=" + outcome
}

func (h *calendarHandler) status(c *gin.Context) {
	operator, ok := pathUUID(c, "user_id", "user")
	if !ok {
		return
	}
	st, err := h.sync.Status(c, orgID(c), actorOf(c), operator)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// connect answers the Google consent page an operator opens to connect their own calendar.
func (h *calendarHandler) connect(c *gin.Context) {
	operator, ok := pathUUID(c, "user_id", "user")
	if !ok {
		return
	}
	url, err := h.sync.StartConnect(c, orgID(c), actorOf(c), operator)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"authorization_url": url})
}

// callback finishes a connect Google redirected the signed-in operator back
// with, starts the calendar's sync and sends the browser on.
func (h *calendarHandler) callback(c *gin.Context) {
	if e := c.Query("error"); e != "" {
		// access_denied: the operator said no on Google's page; anything else went wrong there.
		outcome := "failed"
		if e == "access_denied" {
			outcome = "refused"
		}
		org, ok, err := h.sync.AbandonConnect(c, userID(c), c.Query("state"))
		if err != nil {
			respondError(c, err)
			return
		}
		if !ok {
			// No page of theirs to go back to (an old or foreign link): the console's home.
			c.Redirect(http.StatusSeeOther, h.consoleURL+"/")
			return
		}
		c.Redirect(http.StatusSeeOther, h.connectedURL(org, userID(c), outcome))
		return
	}
	conn, err := h.sync.FinishConnect(c, userID(c), c.Query("state"), c.Query("code"))
	if err != nil {
		respondError(c, err)
		return
	}
	if err := h.workflows.Sync(c, conn.OrgID, conn.ID); err != nil {
		respondError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, h.connectedURL(conn.OrgID, conn.UserID, "connected"))
}

func (h *calendarHandler) disconnect(c *gin.Context) {
	operator, ok := pathUUID(c, "user_id", "user")
	if !ok {
		return
	}
	connID, err := h.sync.Disconnect(c, orgID(c), actorOf(c), operator)
	if err != nil {
		respondError(c, err)
		return
	}
	if err := h.workflows.Stop(c, connID); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *calendarHandler) getSettings(c *gin.Context) {
	st, err := h.sync.Settings(c, orgID(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *calendarHandler) putSettings(c *gin.Context) {
	var in calsync.Settings
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	st, err := h.sync.PutSettings(c, orgID(c), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// webhook takes Google's push notifications: the channel id and token must
// be one we opened; it answers at once and the calendar's workflow syncs.
func (h *calendarHandler) webhook(c *gin.Context) {
	org, connID, err := h.sync.Pushed(c, c.GetHeader("X-Goog-Channel-ID"), c.GetHeader("X-Goog-Channel-Token"))
	if err != nil {
		respondError(c, err)
		return
	}
	if c.GetHeader("X-Goog-Resource-State") != "sync" { // "sync" only says the channel is open
		if err := h.workflows.Sync(c, org, connID); err != nil {
			respondError(c, err)
			return
		}
	}
	c.Status(http.StatusNoContent)
}
