package activities

import (
	"context"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/intake"
)

// IntakeRef names one intake request.
type IntakeRef struct {
	OrgID    uuid.UUID `json:"org_id"`
	IntakeID uuid.UUID `json:"intake_id"`
}

// Intake runs the side effects of the IntakeWorkflow. Every method is
// idempotent: a retried or replayed activity changes nothing twice.
type Intake struct {
	Intake *intake.Service
	Mail   *Mail
}

// Propose classifies the request and records the proposal.
func (a *Intake) Propose(ctx context.Context, ref IntakeRef) (intake.Proposal, error) {
	return a.Intake.Propose(ctx, ref.OrgID, ref.IntakeID)
}

// Route applies a routing decision: the item in the pipeline's first stage,
// the assignee, the status. It returns the outbox id of the assignee's mail ("" when none).
func (a *Intake) Route(ctx context.Context, in intake.RouteInput) (string, error) {
	return a.Intake.Route(ctx, in)
}

// Notify delivers one outbox mail (the assignee's), retried like any activity;
// delivering a mail already delivered does nothing.
func (a *Intake) Notify(ctx context.Context, outboxID string) error {
	return a.Mail.Deliver(ctx, outboxID)
}

// AwaitApproval records that an operator must decide.
func (a *Intake) AwaitApproval(ctx context.Context, ref IntakeRef, p intake.Proposal) error {
	return a.Intake.AwaitApproval(ctx, ref.OrgID, ref.IntakeID, p)
}

// Reject closes the request unrouted.
func (a *Intake) Reject(ctx context.Context, ref IntakeRef, actor *uuid.UUID, note string) error {
	return a.Intake.Reject(ctx, ref.OrgID, ref.IntakeID, actor, note)
}

// Escalate records the approval SLA as breached.
func (a *Intake) Escalate(ctx context.Context, ref IntakeRef) error {
	return a.Intake.Escalate(ctx, ref.OrgID, ref.IntakeID)
}
