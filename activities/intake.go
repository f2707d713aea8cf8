package activities

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/problem"
)

// What the IntakeWorkflow's activities take and answer: ids and routing
// verdicts, never the request's text or its sender. These are the payloads
// in workflow history, so their JSON names stay as they are.

// IntakeRef names one intake request.
type IntakeRef struct {
	OrgID    uuid.UUID `json:"org_id"`
	IntakeID uuid.UUID `json:"intake_id"`
}

// Proposal is the router's answer for one request, with what an operator may pick instead.
type Proposal struct {
	Pipeline   string  `json:"pipeline"` // "" when there was none to propose
	Confidence float64 `json:"confidence"`
	Reason     string  `json:"reason"`
	Priority   string  `json:"priority"`
	PriorityBy string  `json:"priority_by"`
	Model      string  `json:"model"`
	LatencyMS  float64 `json:"latency_ms"`
	Threshold  float64 `json:"threshold"`
	// Pipelines lists the organisation's pipelines when the proposal was made.
	Pipelines []string `json:"pipelines"`
	// EscalateAfter is the organisation's limit on waiting for an operator.
	EscalateAfter time.Duration `json:"escalate_after"`
}

// Routing applies a routing decision to one request.
type Routing struct {
	OrgID      uuid.UUID `json:"org_id"`
	IntakeID   uuid.UUID `json:"intake_id"`
	Pipeline   string    `json:"pipeline"`
	Confidence float64   `json:"confidence"`
	Reason     string    `json:"reason"`
	DecidedBy  string    `json:"decided_by"`
	// Priority and who set it; empty leaves the request's priority as it is.
	Priority          string `json:"priority,omitempty"`
	PriorityDecidedBy string `json:"priority_decided_by,omitempty"`
	// Assignee is an operator's pick; nil assigns the least-loaded OPERATOR (else ADMIN).
	Assignee *uuid.UUID `json:"assignee,omitempty"`
	Actor    *uuid.UUID `json:"actor,omitempty"`
	Note     string     `json:"note,omitempty"`
}

// Intake runs the side effects of the IntakeWorkflow. Every method is
// idempotent: a retried activity changes nothing twice and answers what the
// first attempt did. Verdicts no retry can change (no such request, a
// pipeline deleted meanwhile) leave as non-retryable application errors of
// a stable type (internal/problem).
type Intake struct {
	Intake *intake.Service
	Mail   *Mail
}

// Propose classifies the request and records the proposal, once.
func (a *Intake) Propose(ctx context.Context, ref IntakeRef) (Proposal, error) {
	p, err := a.Intake.Propose(ctx, ref.OrgID, ref.IntakeID)
	return Proposal(p), problem.ApplicationError(err)
}

// Route applies a routing decision in one transaction: the item in the
// pipeline's first stage, the assignee, the status, the assignee's mail in the
// outbox. It returns that mail's id ("" when none) for the workflow to deliver.
func (a *Intake) Route(ctx context.Context, r Routing) (string, error) {
	mailID, err := a.Intake.Route(ctx, intake.RouteInput(r))
	return mailID, problem.ApplicationError(err)
}

// AwaitApproval records that an operator must decide.
func (a *Intake) AwaitApproval(ctx context.Context, ref IntakeRef, p Proposal) error {
	return problem.ApplicationError(a.Intake.AwaitApproval(ctx, ref.OrgID, ref.IntakeID, intake.Proposal(p)))
}

// Reject closes the request unrouted.
func (a *Intake) Reject(ctx context.Context, ref IntakeRef, actor *uuid.UUID, note string) error {
	return problem.ApplicationError(a.Intake.Reject(ctx, ref.OrgID, ref.IntakeID, actor, note))
}

// Escalation names a request whose approval waited too long. Its JSON
// extends IntakeRef's: tasks scheduled by older runs decode with
// DeliveredByWorkflow false.
type Escalation struct {
	OrgID    uuid.UUID `json:"org_id"`
	IntakeID uuid.UUID `json:"intake_id"`
	// DeliveredByWorkflow says the calling workflow delivers the mail; else the outbox sweep does.
	DeliveredByWorkflow bool `json:"delivered_by_workflow"`
}

// Escalate records the approval SLA as breached and returns the outbox ids of
// the mails that tell the ADMINs, for the workflow to deliver.
func (a *Intake) Escalate(ctx context.Context, e Escalation) ([]string, error) {
	by := mail.AfterCommit
	if e.DeliveredByWorkflow {
		by = mail.ByWorkflow
	}
	ids, err := a.Intake.Escalate(ctx, e.OrgID, e.IntakeID, by)
	return ids, problem.ApplicationError(err)
}

// Notify delivers one outbox mail.
//
// Deprecated: IntakeWorkflows started before decisions answered fast deliver
// through it; newer ones call Mail.Deliver. Remove it once none of those runs
// (they end when their request is decided).
func (a *Intake) Notify(ctx context.Context, outboxID string) error {
	return a.Mail.Deliver(ctx, outboxID)
}
