package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/internal/intake"
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

// Start starts the request's IntakeWorkflow (startOnce).
func (r *intakeWorkflows) Start(ctx context.Context, org, intakeID uuid.UUID) error {
	err := startOnce(ctx, r.client, client.StartWorkflowOptions{
		ID:                    workflows.IntakeWorkflowID(intakeID),
		TaskQueue:             r.taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.OrgAttribute.ValueSet(org.String()), workflows.IntakeStatusAttribute.ValueSet(intake.StatusReceived)),
	}, workflows.Intake, workflows.NewIntakeInput(org, intakeID))
	if err != nil {
		return fmt.Errorf("intake: start routing of %s: %w", intakeID, err)
	}
	return nil
}

// decisionTimeout bounds how long the API waits for a decision's answer once
// the workflow accepted it: recording takes a few short attempts, but a
// decision may first wait for the request's lock (its proposal being recorded).
const decisionTimeout = 45 * time.Second

// Decide sends an operator's decision as the workflow's decide Update and
// waits for its answer (updateAndWait); a workflow that has finished is no
// longer waiting (the API checked the request exists).
func (r *intakeWorkflows) Decide(ctx context.Context, intakeID uuid.UUID, updateID string, d workflows.Decision) (workflows.IntakeState, error) {
	state, err := updateAndWait[workflows.IntakeState](ctx, r.client, workflows.IntakeWorkflowID(intakeID), updateID, workflows.DecideUpdate, d, decisionTimeout, workflows.ErrNotAwaiting)
	if err != nil && !errors.Is(err, workflows.ErrNotAwaiting) {
		return state, fmt.Errorf("intake: decide %s: %w", intakeID, err)
	}
	return state, err
}
