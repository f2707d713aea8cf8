package app

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/workflows"
)

func (s *Services) intakeWorkflows() *intakeWorkflows {
	return &intakeWorkflows{client: s.Temporal, taskQueue: s.TaskQueue(workflows.IntakeTaskQueue)}
}

// intakeWorkflows starts and steers IntakeWorkflows for the API.
type intakeWorkflows struct {
	client    client.Client
	taskQueue string
}

// Start starts the request's IntakeWorkflow; one that runs or completed is
// left as it is, one that failed (its retries ran out) starts again.
func (r *intakeWorkflows) Start(ctx context.Context, org, intakeID uuid.UUID) error {
	err := callTemporal(ctx, func(ctx context.Context) error {
		_, err := r.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                    workflows.IntakeWorkflowID(intakeID),
			TaskQueue:             r.taskQueue,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			TypedSearchAttributes: temporal.NewSearchAttributes(workflows.OrgAttribute.ValueSet(org.String()), workflows.IntakeStatusAttribute.ValueSet(intake.StatusReceived)),
		}, workflows.Intake, workflows.NewIntakeInput(org, intakeID))
		return err
	})
	if err != nil && !errorsAs[*serviceerror.WorkflowExecutionAlreadyStarted](err) {
		return fmt.Errorf("intake: start routing of %s: %w", intakeID, err)
	}
	return nil
}

// decisionTimeout bounds how long the API waits for a decision's answer once
// the workflow accepted it: recording takes a few short attempts, but a
// decision may first wait for the request's lock (its proposal being recorded).
const decisionTimeout = 45 * time.Second

// Decide sends an operator's decision as the workflow's decide Update and
// waits for its answer. Being accepted (or refused by the validator) is
// bounded like any call, the answer by decisionTimeout; past either the
// client hears 503, and sending the same decision again with the same
// Idempotency-Key (its Update id) attaches to the first and answers its
// outcome, so nothing is decided twice. The workflow answers with application
// errors of stable types, which problem.From maps; a workflow that has
// finished is no longer waiting (the API checked the request exists).
func (r *intakeWorkflows) Decide(ctx context.Context, intakeID uuid.UUID, updateID string, d workflows.Decision) (workflows.IntakeState, error) {
	var handle client.WorkflowUpdateHandle
	err := callTemporal(ctx, func(ctx context.Context) (err error) {
		handle, err = r.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   workflows.IntakeWorkflowID(intakeID),
			UpdateID:     updateID,
			UpdateName:   workflows.DecideUpdate,
			Args:         []any{d},
			WaitForStage: client.WorkflowUpdateStageAccepted,
		})
		return err
	})
	var state workflows.IntakeState
	if err == nil {
		waitCtx, cancel := context.WithTimeout(ctx, decisionTimeout)
		err = handle.Get(waitCtx, &state)
		if err != nil && ctx.Err() == nil && waitCtx.Err() != nil {
			err = fmt.Errorf("%w: the decision was accepted but not answered within %v: %w", problem.ErrUnavailable, decisionTimeout, err)
		}
		cancel()
	}
	if errorsAs[*serviceerror.NotFound](err) {
		return state, workflows.ErrNotAwaiting
	}
	if err != nil {
		return state, fmt.Errorf("intake: decide %s: %w", intakeID, err)
	}
	return state, nil
}
