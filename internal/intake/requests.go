package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/classifier"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Intake request statuses.
const (
	StatusReceived         = "received"
	StatusRouted           = "routed"
	StatusAwaitingApproval = "awaiting_approval"
	StatusRejected         = "rejected"
)

// Who decided a routing or a priority.
const (
	DecidedByModel    = "model"
	DecidedByRules    = "rules"
	DecidedByOperator = "operator"
)

// Proposal is the router's answer for one request, with what an operator may pick instead.
type Proposal struct {
	Pipeline   string  `json:"pipeline"`
	Confidence float64 `json:"confidence"`
	Reason     string  `json:"reason"`
	// Priority is set by the model when it answered one, else by the rules.
	Priority   string   `json:"priority"`
	PriorityBy string   `json:"priority_by"`
	Model      string   `json:"model"`
	LatencyMS  float64  `json:"latency_ms"`
	Threshold  float64  `json:"threshold"`
	Pipelines  []string `json:"pipelines"`
	// EscalateAfter is the organisation's limit on waiting for an operator.
	EscalateAfter time.Duration `json:"escalate_after"`
}

// LocalModelName names the local classifier in decision records.
const LocalModelName = "local-nb-v1"

func (s *Service) lockIntake(ctx context.Context, q *store.Queries, org, id uuid.UUID) (store.IntakeRequest, error) {
	r, err := q.LockIntake(ctx, store.LockIntakeParams{OrgID: org, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return store.IntakeRequest{}, problem.New(problem.ErrNotFound, "no such intake request")
	}
	return r, err
}

func event(ctx context.Context, q *store.Queries, org, id uuid.UUID, kind string, actor *uuid.UUID, pipeline string, confidence *float64, model string, latency *float64, detail map[string]any) error {
	data := []byte("{}")
	if len(detail) > 0 {
		var err error
		if data, err = json.Marshal(detail); err != nil {
			return err
		}
	}
	return q.InsertIntakeEvent(ctx, store.InsertIntakeEventParams{OrgID: org, IntakeID: id, Kind: kind, ActorUserID: actor, PipelineKey: pipeline, Confidence: confidence, Model: model, LatencyMS: latency, Detail: data})
}

// localReserve is the part of Propose's deadline kept back from the model for
// the local classifier and the database: a model that uses all it is given
// still leaves time to answer.
const localReserve = 10 * time.Second

// NoPipelinesReason is the proposal of a request in an organisation without pipelines.
const NoPipelinesReason = "the organisation has no pipelines yet: create one, then reassign this request to it"

// Propose classifies a request and records the proposal, once: a retried
// call answers the proposal an earlier attempt recorded, without asking the
// model again. The model (when enabled) gets the caller's deadline less
// localReserve, so its worst case fits the activity's budget; on any model
// failure the local classifier answers. An organisation without pipelines gets
// a proposal with no pipeline, which waits for an operator.
func (s *Service) Propose(ctx context.Context, org, id uuid.UUID) (Proposal, error) {
	r, err := s.q.GetIntake(ctx, store.GetIntakeParams{OrgID: org, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Proposal{}, problem.New(problem.ErrNotFound, "no such intake request")
	}
	if err != nil {
		return Proposal{}, fmt.Errorf("intake: get request: %w", err)
	}
	settings, err := s.RoutingSettings(ctx, org)
	if err != nil {
		return Proposal{}, err
	}
	pipelines, err := s.q.ListPipelines(ctx, org)
	if err != nil {
		return Proposal{}, fmt.Errorf("intake: list pipelines: %w", err)
	}
	p := Proposal{Threshold: settings.Threshold, EscalateAfter: time.Duration(settings.EscalateAfterSeconds) * time.Second}
	specs := make([]classifier.Pipeline, 0, len(pipelines))
	for _, pl := range pipelines {
		p.Pipelines = append(p.Pipelines, pl.Key)
		specs = append(specs, classifier.Pipeline{Key: pl.Key, Name: pl.Name, Description: pl.Description})
	}
	if earlier, found, err := s.recordedProposal(ctx, s.q, org, id, p); err != nil || found {
		return earlier, err
	}

	text := r.Subject + "\n" + r.Body
	var events []pendingEvent
	detail := map[string]any{}
	if len(specs) == 0 {
		p.Reason = NoPipelinesReason
		detail["reason"] = p.Reason
	}
	if settings.LLMEnabled && s.llm != nil && len(specs) > 0 {
		llmCtx := ctx
		if deadline, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			llmCtx, cancel = context.WithDeadline(ctx, deadline.Add(-localReserve))
			defer cancel()
		}
		start := time.Now()
		d, err := s.llm.Route(llmCtx, specs, text, settings.LLMModel)
		latency := float64(time.Since(start).Microseconds()) / 1000
		if err == nil {
			p.Pipeline, p.Confidence, p.Reason, p.Model, p.LatencyMS = d.Pipeline, d.Confidence, d.Reason, d.Model, latency
			if d.Priority != "" {
				p.Priority, p.PriorityBy = d.Priority, DecidedByModel
			}
			detail = map[string]any{"reason": d.Reason, "prompt_tokens": d.PromptTokens, "completion_tokens": d.CompletionTokens, "cost_usd": d.CostUSD}
		} else {
			// Recorded with the proposal, then the local classifier answers: a request is routed whatever the model does.
			events = append(events, pendingEvent{kind: "llm_failed", latency: &latency, detail: map[string]any{"error": err.Error()}})
		}
	}
	if p.Model == "" && len(specs) > 0 {
		start := time.Now()
		model, err := s.currentModel(ctx, org, pipelines)
		if err != nil {
			return Proposal{}, err
		}
		d := model.Classify(text)
		p.Pipeline, p.Confidence, p.Reason, p.Model = d.Pipeline, d.Confidence, d.Reason, LocalModelName
		p.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
		detail = map[string]any{"reason": d.Reason}
	}
	if p.Priority == "" {
		var cue string
		p.Priority, cue = classifier.RulePriority(text)
		p.PriorityBy = DecidedByRules
		detail["priority_cue"] = cue
	}
	detail["priority"], detail["priority_decided_by"] = p.Priority, p.PriorityBy
	events = append(events, pendingEvent{kind: "proposed", pipeline: p.Pipeline, confidence: &p.Confidence, model: p.Model, latency: &p.LatencyMS, detail: detail})

	// Recorded under the request's lock, unless an attempt running alongside (one
	// whose deadline passed but which had not stopped) recorded its own first.
	err = s.inTx(ctx, func(q *store.Queries) error {
		if _, err := s.lockIntake(ctx, q, org, id); err != nil {
			return err
		}
		earlier, found, err := s.recordedProposal(ctx, q, org, id, p)
		if err != nil || found {
			p = earlier
			return err
		}
		for _, e := range events {
			if err := event(ctx, q, org, id, e.kind, nil, e.pipeline, e.confidence, e.model, e.latency, e.detail); err != nil {
				return fmt.Errorf("intake: record %s: %w", e.kind, err)
			}
		}
		return nil
	})
	if err != nil {
		return Proposal{}, err
	}
	return p, nil
}

type pendingEvent struct {
	kind, pipeline, model string
	confidence, latency   *float64
	detail                map[string]any
}

// recordedProposal returns the proposal already recorded for the request, if
// any, completed with the organisation's current settings in base.
func (s *Service) recordedProposal(ctx context.Context, q *store.Queries, org, id uuid.UUID, base Proposal) (Proposal, bool, error) {
	e, err := q.LatestIntakeEvent(ctx, store.LatestIntakeEventParams{OrgID: org, IntakeID: id, Kind: "proposed"})
	if errors.Is(err, pgx.ErrNoRows) {
		return Proposal{}, false, nil
	}
	if err != nil {
		return Proposal{}, false, fmt.Errorf("intake: recorded proposal: %w", err)
	}
	var detail struct {
		Reason            string `json:"reason"`
		Priority          string `json:"priority"`
		PriorityDecidedBy string `json:"priority_decided_by"`
	}
	if err := json.Unmarshal(e.Detail, &detail); err != nil {
		return Proposal{}, false, fmt.Errorf("intake: recorded proposal: %w", err)
	}
	p := base
	p.Pipeline, p.Model, p.Reason, p.Priority, p.PriorityBy = e.PipelineKey, e.Model, detail.Reason, detail.Priority, detail.PriorityDecidedBy
	if e.Confidence != nil {
		p.Confidence = *e.Confidence
	}
	if e.LatencyMS != nil {
		p.LatencyMS = *e.LatencyMS
	}
	return p, true, nil
}

// RouteInput applies a routing decision.
type RouteInput struct {
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

// Route makes the request an item in the first stage of its pipeline,
// assigned to the operator's pick or else the least-loaded OPERATOR (else
// ADMIN), and puts the mail that tells them in the outbox, all in one
// transaction; it returns that mail's id for the workflow to deliver. It is
// idempotent: a retried call finds the request routed, changes nothing and
// answers the same mail id. A pipeline deleted meanwhile is a TypePipelineGone
// conflict, which no retry can mend. An operator's decision teaches the router.
func (s *Service) Route(ctx context.Context, in RouteInput) (string, error) {
	var mailID string
	err := s.inTx(ctx, func(q *store.Queries) error {
		r, err := s.lockIntake(ctx, q, in.OrgID, in.IntakeID)
		if err != nil {
			return err
		}
		if r.Status == StatusRouted || r.Status == StatusRejected {
			mailID, err = routedMail(ctx, q, in.OrgID, in.IntakeID)
			return err
		}
		target, err := q.RoutingTarget(ctx, store.RoutingTargetParams{OrgID: in.OrgID, Key: in.Pipeline})
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.Typed(problem.ErrConflict, problem.TypePipelineGone, fmt.Sprintf("pipeline %q no longer exists: reassign the request to another pipeline", in.Pipeline))
		}
		if err != nil {
			return fmt.Errorf("intake: first stage of %s: %w", in.Pipeline, err)
		}
		// Appending takes the stage's turn like a move does, so two items never get the same rank.
		if err := q.LockStage(ctx, target.StageID); err != nil {
			return fmt.Errorf("intake: lock stage: %w", err)
		}
		last, err := q.LastRankInStage(ctx, store.LastRankInStageParams{OrgID: in.OrgID, StageID: target.StageID})
		if err != nil {
			return fmt.Errorf("intake: rank: %w", err)
		}
		who, err := s.assignee(ctx, q, in.OrgID, in.Assignee)
		if err != nil {
			return err
		}
		var assignee *uuid.UUID
		if who.Email != "" {
			assignee = &who.UserID
		}
		if err := q.CreateItemForIntake(ctx, store.CreateItemForIntakeParams{
			OrgID: in.OrgID, PipelineID: target.PipelineID, StageID: target.StageID, IntakeID: &in.IntakeID, Title: r.Subject, AssigneeID: assignee,
			Rank: Between(last, ""),
		}); err != nil {
			return fmt.Errorf("intake: create item: %w", err)
		}
		priority, priorityBy := r.Priority, r.PriorityDecidedBy
		if in.Priority != "" {
			priority, priorityBy = in.Priority, in.PriorityDecidedBy
		}
		if err := q.SetIntakeProposal(ctx, store.SetIntakeProposalParams{
			OrgID: in.OrgID, ID: in.IntakeID, Status: StatusRouted, PipelineID: &target.PipelineID, Confidence: &in.Confidence, Reason: in.Reason,
			DecidedBy: in.DecidedBy, Priority: priority, PriorityDecidedBy: priorityBy, AssigneeID: assignee,
		}); err != nil {
			return fmt.Errorf("intake: mark routed: %w", err)
		}
		if assignee != nil {
			msg, err := mail.Render("assigned", who.Email, map[string]string{
				"Subject": r.Subject, "Pipeline": target.PipelineName, "Link": fmt.Sprintf("%s/orgs/%s/intake/%s", s.publicURL, in.OrgID, in.IntakeID),
			})
			if err != nil {
				return err
			}
			if mailID, err = mail.Enqueue(ctx, q, msg, mail.ByWorkflow); err != nil {
				return err
			}
		}
		if in.DecidedBy == DecidedByOperator {
			if err := q.InsertOperatorExample(ctx, store.InsertOperatorExampleParams{OrgID: in.OrgID, PipelineID: target.PipelineID, Text: r.Subject + "\n" + r.Body}); err != nil {
				return fmt.Errorf("intake: store example: %w", err)
			}
			if err := s.learn(ctx, q, in.OrgID, r.Subject+"\n"+r.Body, in.Pipeline); err != nil {
				return err
			}
		}
		return event(ctx, q, in.OrgID, in.IntakeID, "routed", in.Actor, in.Pipeline, &in.Confidence, "", nil, map[string]any{
			"decided_by": in.DecidedBy, "note": in.Note, "assignee": assignee, "priority": priority, "priority_decided_by": priorityBy, "mail_id": mailID,
		})
	})
	return mailID, err
}

// routedMail is the assignee's mail recorded when the request was routed ("" when none).
func routedMail(ctx context.Context, q *store.Queries, org, id uuid.UUID) (string, error) {
	var detail struct {
		MailID string `json:"mail_id"`
	}
	err := recordedDetail(ctx, q, org, id, "routed", &detail)
	return detail.MailID, err
}

// escalationMail is the ADMINs' mail recorded when the request was escalated.
func escalationMail(ctx context.Context, q *store.Queries, org, id uuid.UUID) ([]string, error) {
	var detail struct {
		MailIDs []string `json:"mail_ids"`
	}
	err := recordedDetail(ctx, q, org, id, "escalated", &detail)
	return detail.MailIDs, err
}

// recordedDetail reads the detail of the request's newest event of kind into
// dst; it leaves dst as it is when there is no such event.
func recordedDetail(ctx context.Context, q *store.Queries, org, id uuid.UUID, kind string, dst any) error {
	e, err := q.LatestIntakeEvent(ctx, store.LatestIntakeEventParams{OrgID: org, IntakeID: id, Kind: kind})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("intake: %s event: %w", kind, err)
	}
	if err := json.Unmarshal(e.Detail, dst); err != nil {
		return fmt.Errorf("intake: %s event: %w", kind, err)
	}
	return nil
}

// assignee is who gets a routed request: picked, when they may still be
// assigned work, else the least-loaded OPERATOR (else ADMIN); zero when the
// organisation has neither.
func (s *Service) assignee(ctx context.Context, q *store.Queries, org uuid.UUID, picked *uuid.UUID) (store.LeastLoadedAssigneeRow, error) {
	if picked != nil {
		who, err := q.AssigneeByID(ctx, store.AssigneeByIDParams{OrgID: org, UserID: *picked})
		if err == nil {
			return store.LeastLoadedAssigneeRow(who), nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return store.LeastLoadedAssigneeRow{}, fmt.Errorf("intake: assignee: %w", err)
		}
		// They left the organisation or lost the role since the decision was checked.
	}
	who, err := q.LeastLoadedAssignee(ctx, org)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return who, fmt.Errorf("intake: assignee: %w", err)
	}
	return who, nil
}

// CheckDecision answers whether a decision's picks exist in the organisation:
// the pipeline (when named) and the assignee (when picked, an OPERATOR or
// ADMIN). The workflow's validator cannot read the database, so the API asks
// this before sending the Update; Route checks again when it applies it.
func (s *Service) CheckDecision(ctx context.Context, org uuid.UUID, pipeline string, assignee *uuid.UUID) error {
	if pipeline != "" {
		_, err := s.q.GetPipelineByKey(ctx, store.GetPipelineByKeyParams{OrgID: org, Key: pipeline})
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.Invalid("invalid decision", problem.FieldError{Field: "pipeline", Message: fmt.Sprintf("no pipeline with key %q in this organisation", pipeline)})
		}
		if err != nil {
			return fmt.Errorf("intake: pipeline: %w", err)
		}
	}
	if assignee != nil {
		_, err := assignable(ctx, s.q, org, *assignee, "decision", "assignee")
		return err
	}
	return nil
}

// assignable returns the member when they may be assigned work (OPERATOR or
// ADMIN), else a 422 naming field of the input that picked them.
func assignable(ctx context.Context, q *store.Queries, org, user uuid.UUID, input, field string) (store.AssigneeByIDRow, error) {
	who, err := q.AssigneeByID(ctx, store.AssigneeByIDParams{OrgID: org, UserID: user})
	if errors.Is(err, pgx.ErrNoRows) {
		return who, problem.Invalid("invalid "+input, problem.FieldError{Field: field, Message: "must be an OPERATOR or ADMIN of this organisation"})
	}
	if err != nil {
		return who, fmt.Errorf("intake: assignee: %w", err)
	}
	return who, nil
}

// learn teaches the organisation's model one decision, in the caller's transaction.
func (s *Service) learn(ctx context.Context, q *store.Queries, org uuid.UUID, text, pipeline string) error {
	if err := q.LockRoutingModel(ctx, org); err != nil {
		return fmt.Errorf("intake: lock routing model: %w", err)
	}
	loaded, err := s.model(ctx, q, org)
	if err != nil {
		return err
	}
	if err := loaded.model.Learn(text, pipeline); err != nil {
		return err
	}
	return s.saveModel(ctx, q, org, loaded.model)
}

// AwaitApproval records that an operator must decide: the proposal was below
// the threshold, named no pipeline, or named one deleted since (reason says).
func (s *Service) AwaitApproval(ctx context.Context, org, id uuid.UUID, p Proposal) error {
	return s.inTx(ctx, func(q *store.Queries) error {
		r, err := s.lockIntake(ctx, q, org, id)
		if err != nil || r.Status != StatusReceived {
			return err
		}
		var pipelineID *uuid.UUID
		if p.Pipeline != "" {
			pl, err := q.GetPipelineByKey(ctx, store.GetPipelineByKeyParams{OrgID: org, Key: p.Pipeline})
			switch {
			case err == nil:
				pipelineID = &pl.ID
			case !errors.Is(err, pgx.ErrNoRows): // a pipeline deleted meanwhile is shown as none
				return fmt.Errorf("intake: pipeline %s: %w", p.Pipeline, err)
			}
		}
		priority, priorityBy := r.Priority, r.PriorityDecidedBy
		if p.Priority != "" {
			priority, priorityBy = p.Priority, p.PriorityBy
		}
		return q.SetIntakeProposal(ctx, store.SetIntakeProposalParams{
			OrgID: org, ID: id, Status: StatusAwaitingApproval, PipelineID: pipelineID, Confidence: &p.Confidence, Reason: p.Reason, DecidedBy: "",
			Priority: priority, PriorityDecidedBy: priorityBy, AssigneeID: r.AssigneeID,
		})
	})
}

// Reject closes a request without routing it.
func (s *Service) Reject(ctx context.Context, org, id uuid.UUID, actor *uuid.UUID, note string) error {
	return s.inTx(ctx, func(q *store.Queries) error {
		r, err := s.lockIntake(ctx, q, org, id)
		if err != nil || r.Status == StatusRejected || r.Status == StatusRouted {
			return err
		}
		if err := q.SetIntakeProposal(ctx, store.SetIntakeProposalParams{
			OrgID: org, ID: id, Status: StatusRejected, PipelineID: r.PipelineID, Confidence: r.Confidence, Reason: r.Reason, DecidedBy: DecidedByOperator,
			Priority: r.Priority, PriorityDecidedBy: r.PriorityDecidedBy, AssigneeID: r.AssigneeID,
		}); err != nil {
			return fmt.Errorf("intake: reject: %w", err)
		}
		return event(ctx, q, org, id, "rejected", actor, "", nil, "", nil, map[string]any{"note": note})
	})
}

// Escalate marks the request's approval SLA breached and puts a mail to each
// of the organisation's ADMINs in the outbox, once however often it is
// retried; it returns those mails' ids for the workflow to deliver (a retry
// answers the ids the first attempt recorded).
func (s *Service) Escalate(ctx context.Context, org, id uuid.UUID, by mail.Deliverer) ([]string, error) {
	var mailIDs []string
	err := s.inTx(ctx, func(q *store.Queries) error {
		n, err := q.MarkIntakeSLABreached(ctx, store.MarkIntakeSLABreachedParams{OrgID: org, ID: id})
		if err != nil {
			return err
		}
		if n == 0 {
			mailIDs, err = escalationMail(ctx, q, org, id)
			return err
		}
		r, err := q.GetIntakeView(ctx, store.GetIntakeViewParams{OrgID: org, ID: id})
		if err != nil {
			return fmt.Errorf("intake: get request: %w", err)
		}
		admins, err := q.ListAdminEmails(ctx, org)
		if err != nil {
			return fmt.Errorf("intake: admins: %w", err)
		}
		confidence := ""
		if r.Confidence != nil {
			confidence = fmt.Sprintf("%.0f%%", 100**r.Confidence)
		}
		for _, to := range admins {
			msg, err := mail.Render("escalation", to, map[string]string{
				"Subject": r.Subject, "Waited": time.Since(r.CreatedAt).Round(time.Minute).String(), "Pipeline": r.PipelineKey,
				"Confidence": confidence, "Link": fmt.Sprintf("%s/orgs/%s/intake/%s", s.publicURL, org, id),
			})
			if err != nil {
				return err
			}
			mailID, err := mail.Enqueue(ctx, q, msg, by)
			if err != nil {
				return err
			}
			mailIDs = append(mailIDs, mailID)
		}
		return event(ctx, q, org, id, "escalated", nil, "", nil, "", nil, map[string]any{"notified": len(admins), "mail_ids": mailIDs})
	})
	if err != nil {
		return nil, err
	}
	return mailIDs, nil
}
