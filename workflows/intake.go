package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/classifier"
	"github.com/astralisops/astralis/internal/intake"
)

// What the API, the worker and this workflow share about intake routing.
const (
	IntakeTaskQueue = "intake"
	// DecideUpdate is how an operator approves, reassigns or rejects a proposal.
	DecideUpdate = "decide"
	// StatusQuery answers the request's routing state while it runs.
	StatusQuery = "status"
	// DefaultEscalateAfter is how long a proposal may wait for an operator before ADMINs are told,
	// unless the organisation's routing settings say otherwise.
	DefaultEscalateAfter = 4 * time.Hour
)

// IntakeWorkflowID is derived from the request id: one workflow per request.
func IntakeWorkflowID(intakeID uuid.UUID) string { return "intake-" + intakeID.String() }

// IntakeInput starts routing one request.
type IntakeInput struct {
	OrgID         uuid.UUID     `json:"org_id"`
	IntakeID      uuid.UUID     `json:"intake_id"`
	EscalateAfter time.Duration `json:"escalate_after"`
}

// Operator decisions.
const (
	ActionApprove  = "approve"
	ActionReassign = "reassign"
	ActionReject   = "reject"
)

// Decision is an operator's answer to a proposal.
type Decision struct {
	Action string `json:"action"`
	// Reassign names another pipeline, another assignee, or both.
	Pipeline string     `json:"pipeline,omitempty"`
	Assignee *uuid.UUID `json:"assignee,omitempty"`
	// Priority, when set, replaces the proposed one (approve and reassign).
	Priority string     `json:"priority,omitempty"`
	Note     string     `json:"note,omitempty"`
	Actor    *uuid.UUID `json:"actor,omitempty"`
}

// IntakeState is what the status query and the decide update answer.
type IntakeState struct {
	Status    string          `json:"status"`
	Proposal  intake.Proposal `json:"proposal"`
	Pipeline  string          `json:"pipeline,omitempty"`
	Priority  string          `json:"priority,omitempty"`
	DecidedBy string          `json:"decided_by,omitempty"`
	Escalated bool            `json:"escalated"`
}

type intakeWorkflow struct {
	in       IntakeInput
	ref      activities.IntakeRef
	state    IntakeState
	decision *Decision
	applied  bool
}

var intakeActivity = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
}

// Intake routes one request: the router proposes; a confident proposal is
// applied, anything else waits for an operator's decision (escalating once
// when it waits too long).
func Intake(ctx workflow.Context, in IntakeInput) (IntakeState, error) {
	w := &intakeWorkflow{in: in, ref: activities.IntakeRef{OrgID: in.OrgID, IntakeID: in.IntakeID}, state: IntakeState{Status: intake.StatusReceived}}
	if err := w.setup(ctx); err != nil {
		return IntakeState{}, err
	}
	return w.run(workflow.WithActivityOptions(ctx, intakeActivity))
}

func (w *intakeWorkflow) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (IntakeState, error) { return w.state, nil }); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, DecideUpdate, w.decide, workflow.UpdateHandlerOptions{Validator: w.validate})
}

// publish mirrors the state into search attributes (the Web UI's filters).
func (w *intakeWorkflow) publish(ctx workflow.Context) error {
	return workflow.UpsertTypedSearchAttributes(ctx,
		OrgAttribute.ValueSet(w.in.OrgID.String()),
		IntakeStatusAttribute.ValueSet(w.state.Status),
		PipelineAttribute.ValueSet(w.state.Pipeline),
	)
}

// run routes the request. The API starts it with the organisation and status
// already set as search attributes; publish records each change after that.
func (w *intakeWorkflow) run(ctx workflow.Context) (IntakeState, error) {
	var a *activities.Intake
	if err := workflow.ExecuteActivity(ctx, a.Propose, w.ref).Get(ctx, &w.state.Proposal); err != nil {
		return w.state, err
	}
	p := w.state.Proposal
	if p.Confidence >= p.Threshold {
		err := w.route(ctx, intake.RouteInput{
			OrgID: w.in.OrgID, IntakeID: w.in.IntakeID, Pipeline: p.Pipeline, Confidence: p.Confidence, Reason: p.Reason, DecidedBy: intake.DecidedByModel,
			Priority: p.Priority, PriorityDecidedBy: p.PriorityBy,
		})
		if err != nil {
			return w.state, err
		}
		w.state.Status, w.state.Pipeline, w.state.Priority, w.state.DecidedBy = intake.StatusRouted, p.Pipeline, p.Priority, intake.DecidedByModel
		return w.state, w.publish(ctx)
	}
	if err := workflow.ExecuteActivity(ctx, a.AwaitApproval, w.ref, p).Get(ctx, nil); err != nil {
		return w.state, err
	}
	w.state.Status, w.state.Pipeline, w.state.Priority = intake.StatusAwaitingApproval, p.Pipeline, p.Priority
	if err := w.publish(ctx); err != nil {
		return w.state, err
	}

	wait := w.in.EscalateAfter // set by the caller, else the organisation's setting, else the default
	if wait <= 0 {
		wait = p.EscalateAfter
	}
	if wait <= 0 {
		wait = DefaultEscalateAfter
	}
	decided, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return w.decision != nil })
	if err != nil {
		return w.state, err
	}
	if !decided {
		if err := workflow.ExecuteActivity(ctx, a.Escalate, w.ref).Get(ctx, nil); err != nil {
			return w.state, err
		}
		w.state.Escalated = true
	}
	// The decide handler applies the decision; finish only once it has, and no handler is still running.
	if err := workflow.Await(ctx, func() bool { return w.applied && workflow.AllHandlersFinished(ctx) }); err != nil {
		return w.state, err
	}
	return w.state, nil
}

// Validator answers; the API maps the first two to 409 and the others to 422.
// route applies a routing and tells the assignee (a retried activity, not a second workflow).
func (w *intakeWorkflow) route(ctx workflow.Context, in intake.RouteInput) error {
	var a *activities.Intake
	var mailID string
	if err := workflow.ExecuteActivity(ctx, a.Route, in).Get(ctx, &mailID); err != nil {
		return err
	}
	if mailID == "" {
		return nil
	}
	return workflow.ExecuteActivity(ctx, a.Notify, mailID).Get(ctx, nil)
}

var (
	ErrAlreadyDecided  = errors.New("this request has been decided already")
	ErrNotAwaiting     = errors.New("this request is not waiting for a decision")
	errUnknownDecision = fmt.Errorf("action must be %s, %s or %s", ActionApprove, ActionReassign, ActionReject)
	errUnknownPriority = fmt.Errorf("priority must be %s", strings.Join(classifier.Priorities, ", "))
	errReassignNothing = errors.New("reassign needs another pipeline or an assignee")
	errRejectExtras    = errors.New("reject takes only a note")
)

// validate rejects a decision before it enters history, so the caller gets a meaningful 4xx at once.
func (w *intakeWorkflow) validate(d Decision) error {
	switch {
	case w.decision != nil:
		return ErrAlreadyDecided
	case w.state.Status != intake.StatusAwaitingApproval:
		return ErrNotAwaiting
	}
	if d.Priority != "" && !classifier.ValidPriority(d.Priority) {
		return errUnknownPriority
	}
	switch d.Action {
	case ActionApprove:
		if d.Pipeline != "" || d.Assignee != nil {
			return errors.New("approve takes the proposed pipeline: reassign to pick another pipeline or assignee")
		}
		return nil
	case ActionReject:
		if d.Pipeline != "" || d.Assignee != nil || d.Priority != "" {
			return errRejectExtras
		}
		return nil
	case ActionReassign:
		if d.Pipeline == "" && d.Assignee == nil {
			return errReassignNothing
		}
		if d.Pipeline != "" && !slices.Contains(w.state.Proposal.Pipelines, d.Pipeline) {
			return fmt.Errorf("unknown pipeline %q", d.Pipeline)
		}
		return nil
	default:
		return errUnknownDecision
	}
}

// decide applies an operator's decision and answers the new state.
func (w *intakeWorkflow) decide(ctx workflow.Context, d Decision) (IntakeState, error) {
	w.decision = &d
	ctx = workflow.WithActivityOptions(ctx, intakeActivity)
	var a *activities.Intake
	p := w.state.Proposal
	switch d.Action {
	case ActionReject:
		if err := workflow.ExecuteActivity(ctx, a.Reject, w.ref, d.Actor, d.Note).Get(ctx, nil); err != nil {
			return w.state, err
		}
		w.state.Status, w.state.Pipeline = intake.StatusRejected, ""
	default:
		pipeline := p.Pipeline
		if d.Pipeline != "" {
			pipeline = d.Pipeline
		}
		priority, priorityBy := p.Priority, p.PriorityBy
		if d.Priority != "" {
			priority, priorityBy = d.Priority, intake.DecidedByOperator
		}
		err := w.route(ctx, intake.RouteInput{
			OrgID: w.in.OrgID, IntakeID: w.in.IntakeID, Pipeline: pipeline, Confidence: p.Confidence, Reason: p.Reason,
			DecidedBy: intake.DecidedByOperator, Priority: priority, PriorityDecidedBy: priorityBy, Assignee: d.Assignee, Actor: d.Actor, Note: d.Note,
		})
		if err != nil {
			return w.state, err
		}
		w.state.Status, w.state.Pipeline, w.state.Priority = intake.StatusRouted, pipeline, priority
	}
	w.state.DecidedBy = intake.DecidedByOperator
	w.applied = true
	return w.state, w.publish(ctx)
}
