package workflows

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/classifier"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/problem"
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

// IntakeInput starts routing one request. It carries ids only: the request's
// text and sender stay in the database.
type IntakeInput struct {
	OrgID         uuid.UUID     `json:"org_id"`
	IntakeID      uuid.UUID     `json:"intake_id"`
	EscalateAfter time.Duration `json:"escalate_after"`
	// Shape is the workflow shape the starter asks for (see the versions
	// below); runs started without one take GetVersion's answer.
	Shape workflow.Version `json:"shape,omitempty"`
}

// NewIntakeInput is how the API and the sweep start a request's routing: in the current shape.
func NewIntakeInput(org, intakeID uuid.UUID) IntakeInput {
	return IntakeInput{OrgID: org, IntakeID: intakeID, Shape: intakeDeliversFirst}
}

// Operator decisions.
const (
	ActionApprove  = "approve"
	ActionReassign = "reassign"
	ActionReject   = "reject"
)

// Decision is an operator's answer to a proposal, the DecideUpdate's argument.
type Decision struct {
	Action string `json:"action"`
	// Reassign names another pipeline, another assignee, or both. The API checks
	// both exist in the organisation before sending the Update.
	Pipeline string     `json:"pipeline,omitempty"`
	Assignee *uuid.UUID `json:"assignee,omitempty"`
	// Priority, when set, replaces the proposed one (approve and reassign).
	Priority string     `json:"priority,omitempty"`
	Note     string     `json:"note,omitempty"`
	Actor    *uuid.UUID `json:"actor,omitempty"`
}

// IntakeState is what the status query and the decide update answer.
type IntakeState struct {
	Status    string              `json:"status"`
	Proposal  activities.Proposal `json:"proposal"`
	Pipeline  string              `json:"pipeline,omitempty"`
	Priority  string              `json:"priority,omitempty"`
	DecidedBy string              `json:"decided_by,omitempty"`
	Escalated bool                `json:"escalated"`
}

// Activity options, each chosen for its work. Verdicts (no such request, a
// pipeline deleted meanwhile) are non-retryable application errors, so these
// retries only ever repeat what may succeed next time.
var (
	// proposing may ask an LLM: the service gives the model this deadline less
	// 10 s, so the local classifier still answers in time; a few attempts ride
	// out a database restart, and then an operator decides instead.
	proposeActivity = workflow.ActivityOptions{
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 5},
	}
	// recording is one short transaction; it keeps trying for an hour, long
	// enough for a database failover, short enough to surface in the Web UI.
	recordActivity = workflow.ActivityOptions{
		StartToCloseTimeout:    15 * time.Second,
		ScheduleToCloseTimeout: time.Hour,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	}
	// deciding runs inside the decide Update while the operator waits: a few
	// quick attempts, then the operator hears why and may decide again.
	decisionActivity = workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 500 * time.Millisecond, BackoffCoefficient: 2, MaximumAttempts: 3},
	}
)

// Versions of the IntakeWorkflow's shape, oldest first. Runs started before
// intakeDeliversFirst carry no IntakeInput.Shape and learn theirs from
// workflow.GetVersion; newer runs take it from their input, because a
// GetVersion marker costs every run a write of its search attributes (see
// intakeDeliversFirst).
const (
	// intakeShapeChange names the change below; its marker is the first command of every newer run.
	intakeShapeChange = "decide-records-then-delivers"
	// intakeDecisionsAnswerFast: the decide Update records and answers; the
	// workflow then delivers the assignee's mail with Mail.Deliver, and the
	// ADMINs' escalation mail too. Before it (workflow.DefaultVersion) the
	// Update delivered the mail through the Intake.Notify activity and
	// published before answering, and escalation mail was left to the outbox
	// sweep. Histories of such runs are in testdata/histories (before-v1-…).
	intakeDecisionsAnswerFast = 1
	// intakeDeliversFirst: once a request is routed, one quick attempt delivers
	// the assignee's mail before the new state is published, so that publishing
	// lands in the workflow task that completes the run: the server writes the
	// visibility record once, with the close, instead of once more while the
	// run is open (on `make bench` that write and GetVersion's were a tenth of
	// an auto-routed request's cost). When the attempt fails, the state is
	// published at once and delivery keeps retrying. Set by NewIntakeInput, so
	// these runs record no GetVersion marker.
	intakeDeliversFirst = 2
)

type intakeWorkflow struct {
	in      IntakeInput
	ref     activities.IntakeRef
	version workflow.Version
	state   IntakeState
	// lock serialises the decide handler and the main loop's escalation, which both change state.
	lock workflow.Mutex
	// awaiting is set once the workflow knows an operator must decide, before
	// recording that: a decision may arrive as soon as the database says so.
	awaiting bool
	// decided is set once a decision is recorded; mail is its assignee's mail, delivered by the main loop.
	decided bool
	mail    string
}

// Intake routes one request: the router proposes; a confident proposal is
// applied, anything else waits for an operator's decision (escalating once
// when it waits too long).
func Intake(ctx workflow.Context, in IntakeInput) (IntakeState, error) {
	w := &intakeWorkflow{
		in: in, ref: activities.IntakeRef{OrgID: in.OrgID, IntakeID: in.IntakeID},
		state: IntakeState{Status: intake.StatusReceived}, lock: workflow.NewMutex(ctx),
	}
	if err := w.setup(ctx); err != nil {
		return IntakeState{}, err
	}
	return w.run(ctx)
}

func (w *intakeWorkflow) setup(ctx workflow.Context) error {
	switch {
	case w.in.Shape > intakeDeliversFirst:
		// As GetVersion does: the task fails and is retried until a newer worker takes it.
		panic(fmt.Sprintf("intake workflow shape %d is newer than this worker knows", w.in.Shape))
	case w.in.Shape == intakeDeliversFirst:
		w.version = w.in.Shape
	default:
		w.version = workflow.GetVersion(ctx, intakeShapeChange, workflow.DefaultVersion, intakeDecisionsAnswerFast)
	}
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (IntakeState, error) { return w.state, nil }); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, DecideUpdate, w.decide, workflow.UpdateHandlerOptions{Validator: w.validate})
}

// publish mirrors the state into search attributes (the Web UI's filters) and the log.
func (w *intakeWorkflow) publish(ctx workflow.Context) error {
	workflow.GetLogger(ctx).Info("intake state", "status", w.state.Status, "pipeline", w.state.Pipeline, "decided_by", w.state.DecidedBy)
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
	logger := workflow.GetLogger(ctx)
	propose := workflow.WithActivityOptions(ctx, proposeActivity)
	record := workflow.WithActivityOptions(ctx, recordActivity)

	if err := workflow.ExecuteActivity(propose, a.Propose, w.ref).Get(ctx, &w.state.Proposal); err != nil {
		if problem.IsType(err, problem.TypeNotFound) {
			return w.state, err // the request is gone: nothing to route
		}
		// The router failed for good: an operator decides instead.
		logger.Warn("proposing failed; an operator decides", "error", err)
		w.state.Proposal = activities.Proposal{Reason: "the router could not classify this request: decide by hand"}
	}
	p := w.state.Proposal
	if p.Pipeline != "" && p.Confidence >= p.Threshold {
		mail, err := w.route(record, activities.Routing{
			OrgID: w.in.OrgID, IntakeID: w.in.IntakeID, Pipeline: p.Pipeline, Confidence: p.Confidence, Reason: p.Reason, DecidedBy: intake.DecidedByModel,
			Priority: p.Priority, PriorityDecidedBy: p.PriorityBy,
		})
		switch {
		case err == nil:
			w.state.Status, w.state.Pipeline, w.state.Priority, w.state.DecidedBy = intake.StatusRouted, p.Pipeline, p.Priority, intake.DecidedByModel
			if w.version == workflow.DefaultVersion { // its old order: mail, then search attributes
				w.deliver(ctx, mail)
				return w.state, w.publish(ctx)
			}
			return w.state, w.announce(ctx, mail)
		case problem.IsType(err, problem.TypePipelineGone):
			// Deleted between proposing and routing: an operator picks another.
			w.state.Proposal.Reason = fmt.Sprintf("pipeline %q was deleted before the request could be routed to it: reassign it", p.Pipeline)
			w.state.Proposal.Pipeline = ""
			p = w.state.Proposal
		default:
			return w.state, err
		}
	}
	if err := w.awaitOperator(record, p); err != nil {
		return w.state, err
	}

	wait := w.in.EscalateAfter // set by the caller, else the organisation's setting, else the default
	if wait <= 0 {
		wait = p.EscalateAfter
	}
	if wait <= 0 {
		wait = DefaultEscalateAfter
	}
	decided, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return w.decided })
	if err != nil {
		return w.state, err
	}
	if !decided {
		w.escalate(ctx)
	}
	if err := workflow.Await(ctx, func() bool { return w.decided }); err != nil {
		return w.state, err
	}
	// The decision is recorded and answered; telling the assignee happens here,
	// outside the Update, so a mail outage never holds up the operator.
	if w.version >= intakeDecisionsAnswerFast {
		if err := w.announce(ctx, w.mail); err != nil {
			return w.state, err
		}
	}
	// Finish only once no handler is still running (a late decision being refused).
	return w.state, workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

// awaitOperator records that an operator must decide. It holds the lock
// meanwhile: a decision accepted before the record is written waits for it.
func (w *intakeWorkflow) awaitOperator(ctx workflow.Context, p activities.Proposal) error {
	if err := w.lock.Lock(ctx); err != nil {
		return err
	}
	defer w.lock.Unlock()
	w.awaiting = true
	var a *activities.Intake
	if err := workflow.ExecuteActivity(ctx, a.AwaitApproval, w.ref, p).Get(ctx, nil); err != nil {
		return err
	}
	w.state.Status, w.state.Pipeline, w.state.Priority = intake.StatusAwaitingApproval, p.Pipeline, p.Priority
	return w.publish(ctx)
}

// route applies a routing and returns the assignee's outbox mail ("" when none).
func (w *intakeWorkflow) route(ctx workflow.Context, r activities.Routing) (string, error) {
	var a *activities.Intake
	var mail string
	err := workflow.ExecuteActivity(ctx, a.Route, r).Get(ctx, &mail)
	return mail, err
}

// announce publishes the routed (or rejected) state and delivers the
// assignee's mail: from intakeDeliversFirst on, one delivery attempt first
// and publishing after it; before, publishing first.
func (w *intakeWorkflow) announce(ctx workflow.Context, mail string) error {
	if w.version >= intakeDeliversFirst && (mail == "" || w.deliverOnce(ctx, mail)) {
		return w.publish(ctx)
	}
	if err := w.publish(ctx); err != nil {
		return err
	}
	w.deliver(ctx, mail)
	return nil
}

// firstDelivery is one attempt at the assignee's mail, bounded so that a
// hanging mail server delays publishing the routed state by half a minute at most.
var firstDelivery = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
}

// deliverOnce tries to deliver the outbox mail once, and says whether it is
// done with: delivered, or dropped as undeliverable (no retry could help).
func (w *intakeWorkflow) deliverOnce(ctx workflow.Context, outboxID string) bool {
	var m *activities.Mail
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, firstDelivery), m.Deliver, outboxID).Get(ctx, nil)
	if err != nil && !problem.IsType(err, activities.ErrTypeInvalidMessage) {
		workflow.GetLogger(ctx).Warn("mail not delivered at the first attempt; it is retried", "error", err)
		return false
	}
	return true
}

// escalate tells the ADMINs that the request waited too long, unless a
// decision is being recorded. It is best effort: a request whose escalation
// could not be recorded keeps waiting for its decision. The record is made
// under the lock, the mail delivered after it, so a decision never waits for
// a mail server.
func (w *intakeWorkflow) escalate(ctx workflow.Context) {
	mail, err := w.recordEscalation(ctx)
	if err != nil {
		workflow.GetLogger(ctx).Error("escalation not recorded; the request keeps waiting", "error", err)
		return
	}
	if w.version >= intakeDecisionsAnswerFast {
		w.deliver(ctx, mail...)
	}
}

func (w *intakeWorkflow) recordEscalation(ctx workflow.Context) ([]string, error) {
	if err := w.lock.Lock(ctx); err != nil {
		return nil, err
	}
	defer w.lock.Unlock()
	if w.decided {
		return nil, nil
	}
	var a *activities.Intake
	var mail []string
	// Runs from before intakeDecisionsAnswerFast leave their mail to the outbox sweep.
	in := activities.Escalation{OrgID: w.in.OrgID, IntakeID: w.in.IntakeID, DeliveredByWorkflow: w.version >= intakeDecisionsAnswerFast}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordActivity), a.Escalate, in).Get(ctx, &mail); err != nil {
		return nil, err
	}
	w.state.Escalated = true
	workflow.GetLogger(ctx).Info("intake escalated", "admins_mailed", len(mail))
	return mail, nil
}

// deliver sends outbox mail with the one delivery activity, all at once. A
// mail that cannot be delivered is logged, not fatal: the routing stands, and
// undelivered mail stays in the outbox for the sweep.
func (w *intakeWorkflow) deliver(ctx workflow.Context, outboxIDs ...string) {
	ctx = workflow.WithActivityOptions(ctx, mailDelivery)
	var pending []workflow.Future
	for _, id := range outboxIDs {
		if id == "" {
			continue
		}
		if w.version == workflow.DefaultVersion {
			var a *activities.Intake
			//lint:ignore SA1019 runs started before intakeDecisionsAnswerFast still deliver through Notify
			pending = append(pending, workflow.ExecuteActivity(ctx, a.Notify, id))
		} else {
			var m *activities.Mail
			pending = append(pending, workflow.ExecuteActivity(ctx, m.Deliver, id))
		}
	}
	for _, f := range pending {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("mail not delivered; it stays in the outbox", "error", err)
		}
	}
}

// Answers of the validator and the handler: application errors of stable types (internal/problem).
var (
	errAlreadyDecided = problem.Typed(problem.ErrConflict, problem.TypeAlreadyDecided, "this request has been decided already")
	// ErrNotAwaiting also answers a decision for a request whose workflow has finished.
	ErrNotAwaiting = problem.Typed(problem.ErrConflict, problem.TypeNotAwaiting, "this request is not waiting for a decision")
)

func invalidDecision(field, message string) error {
	return problem.ApplicationError(problem.Invalid("invalid decision", problem.FieldError{Field: field, Message: message}))
}

// validate rejects a decision before it enters history, so the caller gets a meaningful 4xx at once.
func (w *intakeWorkflow) validate(d Decision) error {
	switch {
	case w.decided:
		return problem.ApplicationError(errAlreadyDecided)
	case !w.awaiting:
		return problem.ApplicationError(ErrNotAwaiting)
	}
	if d.Priority != "" && !classifier.ValidPriority(d.Priority) {
		return invalidDecision("priority", "must be "+strings.Join(classifier.Priorities, ", "))
	}
	switch d.Action {
	case ActionApprove:
		if d.Pipeline != "" || d.Assignee != nil {
			return invalidDecision("action", "approve takes the proposed pipeline: reassign to pick another pipeline or assignee")
		}
		if w.state.Proposal.Pipeline == "" {
			return invalidDecision("action", "nothing was proposed to approve: reassign the request to a pipeline")
		}
		return nil
	case ActionReject:
		if d.Pipeline != "" || d.Assignee != nil || d.Priority != "" {
			return invalidDecision("action", "reject takes only a note")
		}
		return nil
	case ActionReassign:
		if d.Pipeline == "" && d.Assignee == nil {
			return invalidDecision("action", "reassign needs another pipeline or an assignee")
		}
		if d.Pipeline == "" && w.state.Proposal.Pipeline == "" {
			return invalidDecision("pipeline", "nothing was proposed: name the pipeline to route the request to")
		}
		return nil
	default:
		return invalidDecision("action", fmt.Sprintf("must be %s, %s or %s", ActionApprove, ActionReassign, ActionReject))
	}
}

// decide records an operator's decision in one short activity and answers the
// new state; the main loop then delivers the assignee's mail. When recording
// fails the request stays waiting and decidable, and the operator hears why.
func (w *intakeWorkflow) decide(ctx workflow.Context, d Decision) (IntakeState, error) {
	if err := w.lock.Lock(ctx); err != nil {
		return w.state, err
	}
	defer w.lock.Unlock()
	if w.decided { // another decision was recorded while this one waited for the lock
		return w.state, problem.ApplicationError(errAlreadyDecided)
	}
	ctx = workflow.WithActivityOptions(ctx, decisionActivity)
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
		mail, err := w.route(ctx, activities.Routing{
			OrgID: w.in.OrgID, IntakeID: w.in.IntakeID, Pipeline: pipeline, Confidence: p.Confidence, Reason: p.Reason,
			DecidedBy: intake.DecidedByOperator, Priority: priority, PriorityDecidedBy: priorityBy, Assignee: d.Assignee, Actor: d.Actor, Note: d.Note,
		})
		if err != nil {
			workflow.GetLogger(ctx).Warn("decision not applied; the request stays decidable", "action", d.Action, "error", err)
			return w.state, err
		}
		w.mail = mail
		w.state.Status, w.state.Pipeline, w.state.Priority = intake.StatusRouted, pipeline, priority
	}
	w.state.DecidedBy = intake.DecidedByOperator
	w.decided = true
	workflow.GetLogger(ctx).Info("decision recorded", "action", d.Action, "status", w.state.Status)
	if w.version == workflow.DefaultVersion {
		// Runs started before intakeDecisionsAnswerFast told the assignee and
		// published inside the Update, before answering; their replay must too.
		w.deliver(ctx, w.mail)
		w.mail = ""
		return w.state, w.publish(ctx)
	}
	return w.state, nil
}
