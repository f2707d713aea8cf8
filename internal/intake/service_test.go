package intake_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/classifier"
	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/database"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/llm"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
	"github.com/astralisops/astralis/internal/testenv"
)

// noDispatch leaves committed mail in the outbox, where the tests count it.
type noDispatch struct{}

func (noDispatch) Dispatch(context.Context, string) error { return nil }

// countingLLM answers every routing with its pipeline and counts the calls.
type countingLLM struct {
	calls    atomic.Int32
	pipeline string
}

func (m *countingLLM) Route(context.Context, []classifier.Pipeline, string, string) (llm.Result, error) {
	m.calls.Add(1)
	return llm.Result{Classification: classifier.Classification{Pipeline: m.pipeline, Confidence: 0.6, Reason: "the model says so"}, Model: "fake-model"}, nil
}

type fixture struct {
	svc   *intake.Service
	pool  *pgxpool.Pool
	org   uuid.UUID
	admin uuid.UUID
	llm   *countingLLM
}

// newFixture is an organisation with an ADMIN (the only possible assignee), the
// given pipelines and routing through a counting model.
func newFixture(t *testing.T, pipelines ...string) fixture {
	t.Helper()
	ctx := t.Context()
	pool, err := database.Open(ctx, testenv.DatabaseURL(t), 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	f := fixture{pool: pool, llm: &countingLLM{pipeline: "repairs"}}
	l := config.Defaults().Limits
	f.svc = intake.New(pool, noDispatch{}, slog.New(slog.DiscardHandler), "http://astralis.test", f.llm,
		intake.Limits{ModelBytes: l.RoutingModelBytes, CacheBytes: l.RoutingCacheBytes, ImportExamples: l.RoutingImportExamples})
	if err := f.svc.SetSubmissionLimits(intake.SubmissionLimits{PerSubmitter: l.IntakePerSubmitter, PerSubmitterWindow: l.IntakePerSubmitterWindow, PerOrg: l.IntakePerOrg, PerOrgWindow: l.IntakePerOrgWindow}); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, "INSERT INTO organizations (name) VALUES ('Fixit') RETURNING id").Scan(&f.org); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, "INSERT INTO users (email, name, email_verified_at) VALUES ('owner@fixit.test', 'Owner', now()) RETURNING id").Scan(&f.admin); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'ADMIN')", f.org, f.admin); err != nil {
		t.Fatal(err)
	}
	for _, key := range pipelines {
		if _, err := f.svc.CreatePipeline(ctx, f.org, intake.PipelineInput{Key: key, Name: key}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.SaveRoutingSettings(ctx, f.org, intake.Settings{Threshold: 0.8, LLMEnabled: true}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) submit(t *testing.T, subject string) uuid.UUID {
	t.Helper()
	sub, err := f.svc.Submit(t.Context(), f.org, f.admin, auth.RoleAdmin, "", intake.RequestInput{Subject: subject, Body: subject})
	if err != nil {
		t.Fatal(err)
	}
	return sub.ID
}

func (f fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestProposeRecordsOneProposalHoweverOftenRetried: a retried Propose answers
// the recorded proposal without asking the model again.
func TestProposeRecordsOneProposalHoweverOftenRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "repairs", "billing")
	id := f.submit(t, "my screen is cracked")
	first, err := f.svc.Propose(t.Context(), f.org, id)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, err := f.svc.Propose(t.Context(), f.org, id)
		if err != nil || again.Pipeline != first.Pipeline || again.Confidence != first.Confidence || again.Reason != first.Reason || again.Priority != first.Priority {
			t.Fatalf("retry answered %+v (%v), want the first proposal %+v", again, err, first)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM intake_events WHERE intake_id = $1 AND kind = 'proposed'", id); n != 1 {
		t.Fatalf("%d proposals recorded, want 1", n)
	}
	if calls := f.llm.calls.Load(); calls != 1 {
		t.Fatalf("the model was asked %d times, want once", calls)
	}
}

// TestProposeWithoutPipelines proposes nothing, with the reason, instead of failing.
func TestProposeWithoutPipelines(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p, err := f.svc.Propose(t.Context(), f.org, f.submit(t, "hello"))
	if err != nil || p.Pipeline != "" || p.Reason != intake.NoPipelinesReason || p.Confidence >= p.Threshold {
		t.Fatalf("Propose = %+v, %v; want no pipeline with the reason", p, err)
	}
	if calls := f.llm.calls.Load(); calls != 0 {
		t.Fatalf("the model was asked %d times with no pipeline to pick", calls)
	}
}

// TestRouteIsIdempotentAndRefusesADeletedPipeline: routing twice makes one item
// and one mail and answers the same mail id; a deleted pipeline is a typed conflict.
func TestRouteIsIdempotentAndRefusesADeletedPipeline(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "repairs", "billing")
	ctx := t.Context()
	id := f.submit(t, "my screen is cracked")
	in := intake.RouteInput{OrgID: f.org, IntakeID: id, Pipeline: "repairs", Confidence: 0.9, DecidedBy: intake.DecidedByModel}
	mail, err := f.svc.Route(ctx, in)
	if err != nil || mail == "" {
		t.Fatalf("Route = %q, %v", mail, err)
	}
	again, err := f.svc.Route(ctx, in)
	if err != nil || again != mail {
		t.Fatalf("retried Route = %q, %v; want the first mail id %q", again, err, mail)
	}
	if items, outbox := f.count(t, "SELECT count(*) FROM pipeline_items"), f.count(t, "SELECT count(*) FROM mail_outbox"); items != 1 || outbox != 1 {
		t.Fatalf("%d items and %d mails after a retried Route, want 1 and 1", items, outbox)
	}

	other := f.submit(t, "refund please")
	if err := f.svc.DeletePipeline(ctx, f.org, "billing"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Route(ctx, intake.RouteInput{OrgID: f.org, IntakeID: other, Pipeline: "billing", DecidedBy: intake.DecidedByOperator})
	var public *problem.Error
	if !problem.IsType(err, problem.TypePipelineGone) || !errors.As(err, &public) || problem.From(problem.ApplicationError(err)).Status != 409 {
		t.Fatalf("Route to a deleted pipeline = %v, want a pipeline-gone conflict", err)
	}
	r, err := store.New(f.pool).GetIntake(ctx, store.GetIntakeParams{OrgID: f.org, ID: other})
	if err != nil || r.Status != intake.StatusReceived {
		t.Fatalf("request after the refused routing: %+v, %v; want it unchanged", r.Status, err)
	}
}

// TestEscalateMailsOnceAndAnswersTheSameMail: a retried Escalate queues no
// second mail and answers the first attempt's ids, for the workflow to deliver.
func TestEscalateMailsOnceAndAnswersTheSameMail(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "repairs", "billing")
	ctx := t.Context()
	id := f.submit(t, "my screen is cracked")
	first, err := f.svc.Escalate(ctx, f.org, id, mail.ByWorkflow)
	if err != nil || len(first) != 1 {
		t.Fatalf("Escalate = %v, %v; want one mail (one ADMIN)", first, err)
	}
	again, err := f.svc.Escalate(ctx, f.org, id, mail.ByWorkflow)
	if err != nil || len(again) != 1 || again[0] != first[0] {
		t.Fatalf("retried Escalate = %v, %v; want %v", again, err, first)
	}
	if n := f.count(t, "SELECT count(*) FROM mail_outbox"); n != 1 {
		t.Fatalf("%d mails queued, want 1", n)
	}
}
