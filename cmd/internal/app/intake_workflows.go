package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

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

func (r *intakeWorkflows) Start(ctx context.Context, org, intakeID uuid.UUID) error {
	_, err := r.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    workflows.IntakeWorkflowID(intakeID),
		TaskQueue:             r.taskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.OrgAttribute.ValueSet(org.String()), workflows.IntakeStatusAttribute.ValueSet(intake.StatusReceived)),
	}, workflows.Intake, workflows.IntakeInput{OrgID: org, IntakeID: intakeID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("intake: start routing of %s: %w", intakeID, err)
	}
	return nil
}

func (r *intakeWorkflows) Decide(ctx context.Context, intakeID uuid.UUID, d workflows.Decision) (workflows.IntakeState, error) {
	handle, err := r.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.IntakeWorkflowID(intakeID),
		UpdateName:   workflows.DecideUpdate,
		Args:         []any{d},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var state workflows.IntakeState
	if err == nil {
		err = handle.Get(ctx, &state)
	}
	return state, decisionProblem(err)
}

// decisionProblem turns the workflow's answers into API problems.
func decisionProblem(err error) error {
	var notFound *serviceerror.NotFound
	var appErr *temporal.ApplicationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &notFound):
		// The API checked the request exists: its workflow has finished, so it was decided.
		return problem.New(problem.ErrConflict, workflows.ErrNotAwaiting.Error())
	case errors.As(err, &appErr):
		msg := appErr.Message()
		if strings.Contains(msg, workflows.ErrAlreadyDecided.Error()) || strings.Contains(msg, workflows.ErrNotAwaiting.Error()) {
			return problem.New(problem.ErrConflict, msg)
		}
		return problem.Invalid(msg, problem.FieldError{Field: "decision", Message: msg})
	default:
		return err
	}
}
