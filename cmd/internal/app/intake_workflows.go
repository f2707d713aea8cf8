package app

import (
	"context"
	"fmt"

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

// Start starts the request's IntakeWorkflow; one that runs or ran already is left as it is.
func (r *intakeWorkflows) Start(ctx context.Context, org, intakeID uuid.UUID) error {
	err := callTemporal(ctx, func(ctx context.Context) error {
		_, err := r.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                    workflows.IntakeWorkflowID(intakeID),
			TaskQueue:             r.taskQueue,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			TypedSearchAttributes: temporal.NewSearchAttributes(workflows.OrgAttribute.ValueSet(org.String()), workflows.IntakeStatusAttribute.ValueSet(intake.StatusReceived)),
		}, workflows.Intake, workflows.IntakeInput{OrgID: org, IntakeID: intakeID})
		return err
	})
	if err != nil && !errorsAs[*serviceerror.WorkflowExecutionAlreadyStarted](err) {
		return fmt.Errorf("intake: start routing of %s: %w", intakeID, err)
	}
	return nil
}

// Decide sends an operator's decision as the workflow's decide Update and
// waits for its answer. Being accepted (or refused by the validator) is
// bounded like any call; recording then takes at most the decision
// activity's few attempts. The workflow answers with application errors of
// stable types, which problem.From maps; a workflow that has finished is no
// longer waiting (the API checked the request exists).
func (r *intakeWorkflows) Decide(ctx context.Context, intakeID uuid.UUID, d workflows.Decision) (workflows.IntakeState, error) {
	var handle client.WorkflowUpdateHandle
	err := callTemporal(ctx, func(ctx context.Context) (err error) {
		handle, err = r.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   workflows.IntakeWorkflowID(intakeID),
			UpdateName:   workflows.DecideUpdate,
			Args:         []any{d},
			WaitForStage: client.WorkflowUpdateStageAccepted,
		})
		return err
	})
	var state workflows.IntakeState
	if err == nil {
		err = handle.Get(ctx, &state)
	}
	if errorsAs[*serviceerror.NotFound](err) {
		return state, problem.Typed(problem.ErrConflict, problem.TypeNotAwaiting, "this request is not waiting for a decision")
	}
	if err != nil {
		return state, fmt.Errorf("intake: decide %s: %w", intakeID, err)
	}
	return state, nil
}
