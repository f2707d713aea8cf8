package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/intake"
)

var (
	testOrg    = uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	testIntake = uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	operator   = uuid.MustParse("00000000-0000-0000-0000-00000000000c")
)

func proposal(confidence float64) intake.Proposal {
	return intake.Proposal{Pipeline: "cards", Confidence: confidence, Reason: "words like card", Model: intake.LocalModelName,
		Priority: "high", PriorityBy: intake.DecidedByRules, Threshold: 0.8, Pipelines: []string{"cards", "transfers", "security"}}
}

// intakeEnv is a workflow test environment whose activities record what they were asked to do.
type intakeEnv struct {
	*testsuite.TestWorkflowEnvironment
	routed    []intake.RouteInput
	notified  []string
	rejected  int
	escalated int
	awaiting  int
}

func newIntakeEnv(p intake.Proposal) *intakeEnv {
	var s testsuite.WorkflowTestSuite
	e := &intakeEnv{TestWorkflowEnvironment: s.NewTestWorkflowEnvironment()}
	var a *activities.Intake
	e.RegisterActivity(a)
	e.OnActivity(a.Propose, mock.Anything, mock.Anything).Return(p, nil)
	e.OnActivity(a.Route, mock.Anything, mock.Anything).Return(func(_ context.Context, in intake.RouteInput) (string, error) {
		e.routed = append(e.routed, in)
		return "mail-for-" + in.Pipeline, nil
	})
	e.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(func(_ context.Context, id string) error {
		e.notified = append(e.notified, id)
		return nil
	})
	e.OnActivity(a.AwaitApproval, mock.Anything, mock.Anything, mock.Anything).Return(func(context.Context, activities.IntakeRef, intake.Proposal) error {
		e.awaiting++
		return nil
	})
	e.OnActivity(a.Reject, mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(func(context.Context, activities.IntakeRef, *uuid.UUID, string) error {
		e.rejected++
		return nil
	})
	e.OnActivity(a.Escalate, mock.Anything, mock.Anything).Return(func(context.Context, activities.IntakeRef) error {
		e.escalated++
		return nil
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
				out.err = err
				if s, ok := result.(IntakeState); ok {
					out.state = s
				}
			},
		}, dec)
	}, d)
	return out
}

type updateOutcome struct {
	accepted bool
	rejected error
	err      error
	state    IntakeState
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

var input = IntakeInput{OrgID: testOrg, IntakeID: testIntake, EscalateAfter: 4 * time.Hour}

func TestIntakeConfidentProposalIsRouted(t *testing.T) {
	e := newIntakeEnv(proposal(0.93))
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if s.Status != intake.StatusRouted || s.DecidedBy != intake.DecidedByModel || len(e.routed) != 1 || e.routed[0].Pipeline != "cards" || e.awaiting != 0 {
		t.Fatalf("state %+v, routed %+v, awaiting %d", s, e.routed, e.awaiting)
	}
	if len(e.notified) != 1 || e.notified[0] != "mail-for-cards" {
		t.Fatalf("assignee notified %v, want the mail Route returned", e.notified)
	}
	if r := e.routed[0]; r.Priority != "high" || r.PriorityDecidedBy != intake.DecidedByRules || r.Assignee != nil || s.Priority != "high" {
		t.Fatalf("priority: routed %+v, state %+v; want the proposal's, set by the rules, and no picked assignee", r, s)
	}
}

func TestIntakeOperatorApproves(t *testing.T) {
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
}

func TestIntakeOperatorReassigns(t *testing.T) {
	e := newIntakeEnv(proposal(0.5))
	e.decideAt(time.Minute, Decision{Action: ActionReassign, Pipeline: "security", Note: "lost card"})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if s.Pipeline != "security" || len(e.routed) != 1 || e.routed[0].Pipeline != "security" || e.routed[0].Note != "lost card" {
		t.Fatalf("state %+v, routed %+v", s, e.routed)
	}
}

func TestIntakeOperatorReassignsToAnOperatorAndSetsPriority(t *testing.T) {
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
	e := newIntakeEnv(proposal(0.5))
	e.decideAt(time.Minute, Decision{Action: ActionReject, Note: "spam"})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if s.Status != intake.StatusRejected || e.rejected != 1 || len(e.routed) != 0 || len(e.notified) != 0 {
		t.Fatalf("state %+v, rejected %d, routed %d", s, e.rejected, len(e.routed))
	}
}

func TestIntakeEscalatesOnceAndKeepsWaiting(t *testing.T) {
	e := newIntakeEnv(proposal(0.5))
	u := e.decideAt(30*time.Hour, Decision{Action: ActionApprove})
	e.ExecuteWorkflow(Intake, input)
	s := e.result(t)
	if !s.Escalated || e.escalated != 1 || s.Status != intake.StatusRouted || !u.accepted {
		t.Fatalf("state %+v, escalated %d, update %+v", s, e.escalated, u)
	}
}

func TestIntakeValidatorRejectsBadDecisions(t *testing.T) {
	e := newIntakeEnv(proposal(0.5))
	unknown := e.decideAt(time.Minute, Decision{Action: ActionReassign, Pipeline: "marketing"})
	nonsense := e.decideAt(2*time.Minute, Decision{Action: "shrug"})
	badPriority := e.decideAt(150*time.Second, Decision{Action: ActionApprove, Priority: "asap"})
	emptyReassign := e.decideAt(160*time.Second, Decision{Action: ActionReassign})
	rejectWithPipeline := e.decideAt(170*time.Second, Decision{Action: ActionReject, Pipeline: "cards"})
	good := e.decideAt(3*time.Minute, Decision{Action: ActionApprove})
	late := e.decideAt(4*time.Minute, Decision{Action: ActionReject})
	e.ExecuteWorkflow(Intake, input)
	e.result(t)
	if unknown.rejected == nil || unknown.accepted || !errorContains(unknown.rejected, `unknown pipeline "marketing"`) {
		t.Errorf("unknown pipeline: %+v", unknown)
	}
	if nonsense.rejected == nil || nonsense.accepted {
		t.Errorf("unknown action: %+v", nonsense)
	}
	if badPriority.accepted || !errorContains(badPriority.rejected, "priority must be low, normal, high, urgent") {
		t.Errorf("unknown priority: %+v", badPriority)
	}
	if emptyReassign.accepted || !errorContains(emptyReassign.rejected, "reassign needs another pipeline or an assignee") {
		t.Errorf("reassign to nothing: %+v", emptyReassign)
	}
	if rejectWithPipeline.accepted || !errorContains(rejectWithPipeline.rejected, "reject takes only a note") {
		t.Errorf("reject with a pipeline: %+v", rejectWithPipeline)
	}
	if !good.accepted {
		t.Errorf("valid decision: %+v", good)
	}
	// The workflow may have finished before the late update: either way it must not apply.
	if late.accepted || e.rejected != 0 || len(e.routed) != 1 {
		t.Errorf("second decision applied: %+v, rejected %d, routed %d", late, e.rejected, len(e.routed))
	}
}

func errorContains(err error, s string) bool {
	return err != nil && strings.Contains(err.Error(), s)
}
