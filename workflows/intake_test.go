package workflows

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/problem"
)

var (
	testOrg    = uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	testIntake = uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	operator   = uuid.MustParse("00000000-0000-0000-0000-00000000000c")
)

func proposal(confidence float64) activities.Proposal {
	return activities.Proposal{Pipeline: "cards", Confidence: confidence, Reason: "words like card", Model: intake.LocalModelName,
		Priority: "high", PriorityBy: intake.DecidedByRules, Threshold: 0.8, Pipelines: []string{"cards", "transfers", "security"}}
}

// intakeEnv is a workflow test environment whose activities record what they were asked to do.
type intakeEnv struct {
	*testsuite.TestWorkflowEnvironment
	// mu guards the fields below: the test environment runs activities on their own goroutines,
	// several at once when the workflow delivers mails in parallel.
	mu        sync.Mutex
	routed    []activities.Routing
	delivered []string
	rejected  int
	escalated int
	awaiting  []activities.Proposal
	// log is the order in which decisions were answered, mail delivered and the state published.
	log []string
	// routeErr, when set, is what Route answers for a pipeline instead of applying it.
	routeErr map[string]error
	// proposeErr, when set, is what every Propose attempt answers.
	proposeErr error
	// smtpDownFor is how many delivery attempts fail before mail goes out.
	smtpDownFor int
}

func newIntakeEnv(p activities.Proposal) *intakeEnv {
	var s testsuite.WorkflowTestSuite
	e := &intakeEnv{TestWorkflowEnvironment: s.NewTestWorkflowEnvironment(), routeErr: map[string]error{}}
	var a *activities.Intake
	var m *activities.Mail
	e.RegisterActivity(a)
	e.RegisterActivity(m)
	e.OnActivity(a.Propose, mock.Anything, mock.Anything).Return(func(context.Context, activities.IntakeRef) (activities.Proposal, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.proposeErr != nil {
			return activities.Proposal{}, e.proposeErr
		}
		return p, nil
	})
	e.OnActivity(a.Route, mock.Anything, mock.Anything).Return(func(_ context.Context, r activities.Routing) (string, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if err := e.routeErr[r.Pipeline]; err != nil {
			return "", err
		}
		e.routed = append(e.routed, r)
		return "mail-for-" + r.Pipeline, nil
	})
	e.OnActivity(m.Deliver, mock.Anything, mock.Anything).Return(func(_ context.Context, id string) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.smtpDownFor > 0 {
			e.smtpDownFor--
			return errors.New("451 mail server busy") // retryable, as the SMTP sender reports an outage
		}
		e.delivered = append(e.delivered, id)
		e.log = append(e.log, "delivered "+id)
		return nil
	})
	e.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		status, _ := args.Get(0).(temporal.SearchAttributes).GetKeyword(IntakeStatusAttribute)
		e.mu.Lock()
		defer e.mu.Unlock()
		e.log = append(e.log, "published "+status)
	}).Return(nil)
	e.OnActivity(a.AwaitApproval, mock.Anything, mock.Anything, mock.Anything).Return(func(_ context.Context, _ activities.IntakeRef, p activities.Proposal) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.awaiting = append(e.awaiting, p)
		return nil
	})
	e.OnActivity(a.Reject, mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(func(context.Context, activities.IntakeRef, *uuid.UUID, string) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.rejected++
		return nil
	})
	e.OnActivity(a.Escalate, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.Escalation) ([]string, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		if !in.DeliveredByWorkflow {
			return nil, errors.New("a run of today's version must deliver its escalation mail itself")
		}
		e.escalated++
		return []string{"escalation-1", "escalation-2"}, nil
	})
	return e
}

// decideAt sends a decision after d of workflow time and returns what the caller will have heard.
func (e *intakeEnv) decideAt(d time.Duration, dec Decision) *updateOutcome {
	out := &updateOutcome{}
	e.RegisterDelayedCallback(func() {
		e.UpdateWorkflow(DecideUpdate, uuid.NewString(), &testsuite.TestUpdateCallback{
			OnAccept: func() { out.accepted = true },
			OnReject: func(err error) { out.rejected = err },
			OnComplete: func(result any, err error) {
				e.mu.Lock()
				defer e.mu.Unlock()
				out.completed, out.err, out.answeredAt = true, err, e.Now()
				if s, ok := result.(IntakeState); ok {
					out.state = s
				}
				e.log = append(e.log, "answered "+dec.Action)
			},
		}, dec)
	}, d)
	return out
}

type updateOutcome struct {
	answeredAt time.Time
	accepted   bool
	completed  bool
	rejected   error
	err        error
	state      IntakeState
}

func (e *intakeEnv) result(t *testing.T) IntakeState {
	t.Helper()
	if !e.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := e.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var s IntakeState
	if err := e.GetWorkflowResult(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// input starts a run as the API does, in the current shape.
var input = func() IntakeInput {
	in := NewIntakeInput(testOrg, testIntake)
	in.EscalateAfter = 4 * time.Hour
	return in
}()

func (e *intakeEnv) wantLog(t *testing.T, want ...string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if !slices.Equal(e.log, want) {
		t.Fatalf("order %q, want %q", e.log, want)
	}
}

func TestIntakeConfidentProposalIsRouted(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.93))
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if s.Status != intake.StatusRouted || s.DecidedBy != intake.DecidedByModel || len(e.routed) != 1 || e.routed[0].Pipeline != "cards" || len(e.awaiting) != 0 {
		t.Fatalf("state %+v, routed %+v, awaiting %v", s, e.routed, e.awaiting)
	}
	if len(e.delivered) != 1 || e.delivered[0] != "mail-for-cards" {
		t.Fatalf("assignee mail delivered %v, want the mail Route returned", e.delivered)
	}
	// Published after the mail, in the task that completes the run: one visibility write, not two.
	e.wantLog(t, "delivered mail-for-cards", "published routed")
	if r := e.routed[0]; r.Priority != "high" || r.PriorityDecidedBy != intake.DecidedByRules || r.Assignee != nil || s.Priority != "high" {
		t.Fatalf("priority: routed %+v, state %+v; want the proposal's, set by the rules, and no picked assignee", r, s)
	}
}

// TestIntakeRoutedStateIsPublishedWhileMailIsRetried: when the assignee's
// mail fails its first attempt, the routed state is published at once, not
// after the mail server comes back; the mail still goes out once.
func TestIntakeRoutedStateIsPublishedWhileMailIsRetried(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.93))
	e.smtpDownFor = 3
	e.ExecuteWorkflow(Intake, input)
	if s := e.result(t); s.Status != intake.StatusRouted {
		t.Fatalf("state %+v", s)
	}
	e.wantLog(t, "published routed", "delivered mail-for-cards")
	if len(e.delivered) != 1 || e.smtpDownFor != 0 {
		t.Fatalf("delivered %v (%d failures left), want once after the server came back", e.delivered, e.smtpDownFor)
	}
}

// TestIntakeRunsStartedWithoutAShapeKeepTheirVersion: a run started before
// IntakeInput.Shape existed takes its shape from GetVersion (version 1 for a
// new run here) and publishes before delivering, as it did then.
func TestIntakeRunsStartedWithoutAShapeKeepTheirVersion(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.93))
	e.ExecuteWorkflow(Intake, IntakeInput{OrgID: testOrg, IntakeID: testIntake})
	if s := e.result(t); s.Status != intake.StatusRouted {
		t.Fatalf("state %+v", s)
	}
	e.wantLog(t, "published routed", "delivered mail-for-cards")
}

// TestIntakeRefusesAShapeItDoesNotKnow: a run asking for a newer shape than
// this worker knows fails its workflow task (left for a newer worker), never
// running an older shape's steps.
func TestIntakeRefusesAShapeItDoesNotKnow(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.93))
	in := input
	in.Shape = intakeDeliversFirst + 1
	e.ExecuteWorkflow(Intake, in)
	if err := e.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "newer than this worker knows") {
		t.Fatalf("workflow error %v, want the unknown shape refused", err)
	}
	if len(e.routed) != 0 || len(e.delivered) != 0 {
		t.Fatalf("routed %v, delivered %v: nothing should run", e.routed, e.delivered)
	}
}

func TestIntakeOperatorApproves(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.5))
	u := e.decideAt(time.Minute, Decision{Action: ActionApprove, Actor: &operator})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if !u.accepted || u.err != nil || u.state.Status != intake.StatusRouted {
		t.Fatalf("update: %+v", u)
	}
	if s.Status != intake.StatusRouted || s.DecidedBy != intake.DecidedByOperator || len(e.routed) != 1 ||
		e.routed[0].Pipeline != "cards" || e.routed[0].DecidedBy != intake.DecidedByOperator || *e.routed[0].Actor != operator || e.escalated != 0 {
		t.Fatalf("state %+v, routed %+v, escalated %d", s, e.routed, e.escalated)
	}
	if len(e.delivered) != 1 || e.delivered[0] != "mail-for-cards" {
		t.Fatalf("delivered %v, want the assignee's mail once", e.delivered)
	}
	e.wantLog(t, "published awaiting_approval", "answered approve", "delivered mail-for-cards", "published routed")
}

// TestIntakeDecisionIsAnsweredBeforeMailGoesOut: the Update answers as soon as
// the decision is recorded; the assignee's mail is delivered afterwards by the
// workflow, so a slow or absent mail server never holds up the operator.
func TestIntakeDecisionIsAnsweredBeforeMailGoesOut(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.5))
	e.smtpDownFor = 3
	u := e.decideAt(time.Minute, Decision{Action: ActionApprove})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if !u.completed || u.err != nil || s.Status != intake.StatusRouted {
		t.Fatalf("update %+v, state %+v", u, s)
	}
	// The first delivery attempt failed, so the state was published before the retries.
	e.wantLog(t, "published awaiting_approval", "answered approve", "published routed", "delivered mail-for-cards")
	if len(e.delivered) != 1 || e.smtpDownFor != 0 {
		t.Fatalf("delivered %v (%d failures left), want once after the server came back", e.delivered, e.smtpDownFor)
	}
}

// TestIntakeFailedDecisionLeavesTheRequestDecidable: a decision whose
// recording fails (its pipeline was deleted meanwhile) is answered with the
// reason, and a later decision is applied.
func TestIntakeFailedDecisionLeavesTheRequestDecidable(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.5))
	e.routeErr["cards"] = problem.ApplicationError(problem.Typed(problem.ErrConflict, problem.TypePipelineGone, `pipeline "cards" no longer exists`))
	first := e.decideAt(time.Minute, Decision{Action: ActionApprove})
	second := e.decideAt(2*time.Minute, Decision{Action: ActionReassign, Pipeline: "security"})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if !first.accepted || !problem.IsType(first.err, problem.TypePipelineGone) {
		t.Fatalf("first decision: %+v, want accepted and answered pipeline-gone", first)
	}
	if p := problem.From(first.err); p.Status != 409 {
		t.Fatalf("first decision maps to %+v, want 409", p)
	}
	if !second.accepted || second.err != nil || s.Status != intake.StatusRouted || s.Pipeline != "security" || len(e.routed) != 1 {
		t.Fatalf("second decision %+v, state %+v, routed %+v", second, s, e.routed)
	}
}

func TestIntakeOperatorReassigns(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.5))
	e.decideAt(time.Minute, Decision{Action: ActionReassign, Pipeline: "security", Note: "lost card"})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if s.Pipeline != "security" || len(e.routed) != 1 || e.routed[0].Pipeline != "security" || e.routed[0].Note != "lost card" {
		t.Fatalf("state %+v, routed %+v", s, e.routed)
	}
}

func TestIntakeOperatorReassignsToAnOperatorAndSetsPriority(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.5))
	u := e.decideAt(time.Minute, Decision{Action: ActionReassign, Assignee: &operator, Priority: "urgent"})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if !u.accepted || len(e.routed) != 1 {
		t.Fatalf("update %+v, routed %+v", u, e.routed)
	}
	r := e.routed[0]
	if r.Pipeline != "cards" || r.Assignee == nil || *r.Assignee != operator || r.Priority != "urgent" || r.PriorityDecidedBy != intake.DecidedByOperator {
		t.Fatalf("routed %+v: want the proposed pipeline, the picked operator and the operator's priority", r)
	}
	if s.Priority != "urgent" || s.Pipeline != "cards" {
		t.Fatalf("state %+v", s)
	}
}

func TestIntakeOperatorRejects(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.5))
	e.decideAt(time.Minute, Decision{Action: ActionReject, Note: "spam"})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if s.Status != intake.StatusRejected || e.rejected != 1 || len(e.routed) != 0 || len(e.delivered) != 0 {
		t.Fatalf("state %+v, rejected %d, routed %d, delivered %v", s, e.rejected, len(e.routed), e.delivered)
	}
}

func TestIntakeEscalatesOnceMailsTheAdminsAndKeepsWaiting(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.5))
	u := e.decideAt(30*time.Hour, Decision{Action: ActionApprove})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if !s.Escalated || e.escalated != 1 || s.Status != intake.StatusRouted || !u.accepted {
		t.Fatalf("state %+v, escalated %d, update %+v", s, e.escalated, u)
	}
	// The ADMINs' mails go out in parallel, in either order, before the assignee's.
	if len(e.delivered) != 3 || !slices.Contains(e.delivered[:2], "escalation-1") || !slices.Contains(e.delivered[:2], "escalation-2") || e.delivered[2] != "mail-for-cards" {
		t.Fatalf("delivered %v, want both ADMINs' mails, then the assignee's", e.delivered)
	}
}

// TestIntakeWithoutPipelinesWaitsForAnOperator: a proposal with no pipeline
// (the organisation has none yet) waits with its reason; approving it is
// refused, reassigning it to a pipeline created since routes it.
func TestIntakeWithoutPipelinesWaitsForAnOperator(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(activities.Proposal{Reason: intake.NoPipelinesReason, Threshold: 0.8})
	approve := e.decideAt(time.Minute, Decision{Action: ActionApprove})
	reassign := e.decideAt(2*time.Minute, Decision{Action: ActionReassign, Pipeline: "cards"})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if len(e.awaiting) != 1 || e.awaiting[0].Reason != intake.NoPipelinesReason {
		t.Fatalf("awaiting %+v, want the no-pipelines reason recorded", e.awaiting)
	}
	if approve.accepted || !problem.IsType(approve.rejected, "invalid-input") {
		t.Fatalf("approving nothing: %+v", approve)
	}
	if !reassign.accepted || s.Status != intake.StatusRouted || s.Pipeline != "cards" {
		t.Fatalf("reassign %+v, state %+v", reassign, s)
	}
}

// TestIntakeConfidentRouteToADeletedPipelineWaitsForAnOperator: the pipeline
// went between proposing and routing; the request waits, saying why.
func TestIntakeConfidentRouteToADeletedPipelineWaitsForAnOperator(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.95))
	e.routeErr["cards"] = problem.ApplicationError(problem.Typed(problem.ErrConflict, problem.TypePipelineGone, "gone"))
	e.decideAt(time.Minute, Decision{Action: ActionReassign, Pipeline: "security"})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if len(e.awaiting) != 1 || e.awaiting[0].Reason == proposal(0.95).Reason || s.Pipeline != "security" || s.DecidedBy != intake.DecidedByOperator {
		t.Fatalf("awaiting %+v, state %+v", e.awaiting, s)
	}
}

// TestIntakeRouterFailureWaitsForAnOperator: when proposing fails for good, an operator decides.
func TestIntakeRouterFailureWaitsForAnOperator(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.5))
	e.proposeErr = temporal.NewApplicationError("database is down", "connect")
	e.decideAt(time.Hour, Decision{Action: ActionReassign, Pipeline: "cards"})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if len(e.awaiting) != 1 || e.awaiting[0].Pipeline != "" || s.Status != intake.StatusRouted || s.Pipeline != "cards" {
		t.Fatalf("awaiting %+v, state %+v", e.awaiting, s)
	}
}

func TestIntakeValidatorRejectsBadDecisions(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.5))
	nonsense := e.decideAt(2*time.Minute, Decision{Action: "shrug"})
	badPriority := e.decideAt(150*time.Second, Decision{Action: ActionApprove, Priority: "asap"})
	emptyReassign := e.decideAt(160*time.Second, Decision{Action: ActionReassign})
	rejectWithPipeline := e.decideAt(170*time.Second, Decision{Action: ActionReject, Pipeline: "cards"})
	for name, u := range map[string]*updateOutcome{"unknown action": nonsense, "unknown priority": badPriority, "reassign to nothing": emptyReassign, "reject with a pipeline": rejectWithPipeline} {
		defer func() {
			if u.accepted || !problem.IsType(u.rejected, "invalid-input") || problem.From(u.rejected).Status != 422 {
				t.Errorf("%s: %+v, want rejected before history as invalid input", name, u)
			}
		}()
	}
	good := e.decideAt(3*time.Minute, Decision{Action: ActionApprove})
	e.ExecuteWorkflow(Intake, input)
	e.result(t)
	if !good.accepted || len(e.routed) != 1 {
		t.Errorf("valid decision: %+v, routed %v", good, e.routed)
	}
}

// TestIntakeSecondDecisionIsRefused: two operators decide at the same moment;
// the second reaches the workflow while the first is being recorded and is
// answered already-decided, and only the first is applied.
func TestIntakeSecondDecisionIsRefused(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.5))
	first := e.decideAt(time.Minute, Decision{Action: ActionApprove})
	second := e.decideAt(time.Minute, Decision{Action: ActionReject})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if first.err != nil || s.Status != intake.StatusRouted || len(e.routed) != 1 || e.rejected != 0 {
		t.Fatalf("first %+v, state %+v, routed %d, rejected %d", first, s, len(e.routed), e.rejected)
	}
	refusal := second.err
	if second.rejected != nil {
		refusal = second.rejected
	}
	if !problem.IsType(refusal, problem.TypeAlreadyDecided) || problem.From(refusal).Status != 409 {
		t.Fatalf("second decision %+v, want it refused as already decided (409)", second)
	}
}

// TestIntakeDecisionDoesNotWaitForEscalationMail: the ADMINs' escalation mail
// cannot be delivered (SMTP down); a decision made meanwhile is answered at
// once, not after the mail's retries.
func TestIntakeDecisionDoesNotWaitForEscalationMail(t *testing.T) {
	t.Parallel()
	e := newIntakeEnv(proposal(0.5))
	e.smtpDownFor = 20 // both ADMINs' mails fail every attempt (the test environment makes 10), over 17 minutes
	var sentAt time.Time
	e.RegisterDelayedCallback(func() { sentAt = e.Now() }, 4*time.Hour+time.Minute)
	u := e.decideAt(4*time.Hour+time.Minute, Decision{Action: ActionApprove})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if !s.Escalated || !u.completed || u.err != nil {
		t.Fatalf("state %+v, update %+v", s, u)
	}
	if waited := u.answeredAt.Sub(sentAt); waited > time.Second {
		t.Fatalf("the decision was answered %v after it was sent, behind the escalation mail's retries", waited)
	}
}
