package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/workflows"
)

// IntakeWorkflows starts and steers IntakeWorkflows (implemented over the Temporal client).
type IntakeWorkflows interface {
	Start(ctx context.Context, org, intakeID uuid.UUID) error
	// Decide sends a decision; updateID makes a retried decision attach to the first ("" for a new one).
	Decide(ctx context.Context, intakeID uuid.UUID, updateID string, d workflows.Decision) (workflows.IntakeState, error)
}

type intakeHandler struct {
	intake    *intake.Service
	workflows IntakeWorkflows
}

// submit stores a request and starts its routing. The same Idempotency-Key
// answers the earlier request, and starting its workflow again is a no-op.
func (h *intakeHandler) submit(c *gin.Context) {
	var in intake.RequestInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	sub, err := h.intake.Submit(c, orgID(c), userID(c), orgRole(c), c.GetHeader("Idempotency-Key"), in)
	if err != nil {
		respondError(c, err)
		return
	}
	// Started even for a repeated key: the first attempt may have stopped between storing and starting.
	if err := h.workflows.Start(c, orgID(c), sub.ID); err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, sub)
}

// onlyOwn limits CLIENTs to the requests they submitted.
func onlyOwn(c *gin.Context) *uuid.UUID {
	if orgRole(c) == auth.RoleClient {
		id := userID(c)
		return &id
	}
	return nil
}

func (h *intakeHandler) get(c *gin.Context) {
	id, ok := pathUUID(c, "id", "intake request")
	if !ok {
		return
	}
	r, err := h.intake.Request(c, orgID(c), id, onlyOwn(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

type decisionInput struct {
	Action   string     `json:"action"`
	Pipeline string     `json:"pipeline"`
	Assignee *uuid.UUID `json:"assignee"`
	Priority string     `json:"priority"`
	Note     string     `json:"note"`
}

// decide sends an operator's decision as a validated Update: the caller hears
// at once whether it was applied, or why not.
func (h *intakeHandler) decide(c *gin.Context) {
	id, ok := pathUUID(c, "id", "intake request")
	if !ok {
		return
	}
	var in decisionInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	if len(in.Note) > 2000 {
		respondError(c, problem.Invalid("invalid decision", problem.FieldError{Field: "note", Message: "must be at most 2000 bytes"}))
		return
	}
	// The request must belong to this organisation before its workflow is touched.
	if _, err := h.intake.Request(c, orgID(c), id, nil); err != nil {
		respondError(c, err)
		return
	}
	// The picks are checked here: the workflow's validator cannot read the database.
	if err := h.intake.CheckDecision(c, orgID(c), in.Pipeline, in.Assignee); err != nil {
		respondError(c, err)
		return
	}
	actor := userID(c)
	state, err := h.workflows.Decide(c, id, decisionUpdateID(actor, c.GetHeader("Idempotency-Key")), workflows.Decision{
		Action: in.Action, Pipeline: in.Pipeline, Assignee: in.Assignee, Priority: in.Priority, Note: in.Note, Actor: &actor,
	})
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, state)
}

// decisionUpdateID names a decision's Update after the caller's Idempotency-Key,
// so a retry after a timeout attaches to the first instead of deciding again;
// keys are the caller's own (hashed with their id). Without a key every
// decision is new ("": Temporal picks an id).
func decisionUpdateID(actor uuid.UUID, key string) string {
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(actor.String() + "\x00" + key))
	return "decision-" + hex.EncodeToString(sum[:16])
}

var (
	statuses   = map[string]bool{"": true, intake.StatusReceived: true, intake.StatusRouted: true, intake.StatusAwaitingApproval: true, intake.StatusRejected: true}
	priorities = map[string]bool{"": true, "low": true, "normal": true, "high": true, "urgent": true}
)

// list is the intake queue: filters by status, pipeline, priority, assignee, dates and text; cursor pages.
func (h *intakeHandler) list(c *gin.Context) {
	limit, after, err := pageAfter[intake.ListCursor](c)
	if err != nil {
		respondError(c, err)
		return
	}
	q := queryParams{c: c}
	f := intake.ListFilter{
		Status: c.Query("status"), Pipeline: c.Query("pipeline"), Priority: c.Query("priority"), Search: c.Query("q"), OnlyFrom: onlyOwn(c),
		Assignee: q.id("assignee", "user"), Since: q.time("since"), Until: q.time("until"),
	}
	if !statuses[f.Status] {
		q.fields = append(q.fields, problem.FieldError{Field: "status", Message: "must be received, routed, awaiting_approval or rejected"})
	}
	if !priorities[f.Priority] {
		q.fields = append(q.fields, problem.FieldError{Field: "priority", Message: "must be low, normal, high or urgent"})
	}
	if err := q.err(); err != nil {
		respondError(c, err)
		return
	}
	items, err := h.intake.List(c, orgID(c), f, after, limit+1)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, cursorPage(items, limit, func(s intake.Summary) intake.ListCursor {
		return intake.ListCursor{At: s.CreatedAt, ID: s.ID}
	}))
}
