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

	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/workflows"
)

func (s *Services) documentWorkflows() *documentWorkflows {
	return &documentWorkflows{client: s.Temporal, taskQueue: s.TaskQueue(workflows.DocumentTaskQueue)}
}

// documentWorkflows starts and steers DocumentWorkflows for the API.
type documentWorkflows struct {
	client    client.Client
	taskQueue string
}

// Start starts the document's workflow; one that runs or completed is left
// as it is, one that failed (its retries ran out) starts again.
func (r *documentWorkflows) Start(ctx context.Context, org, documentID uuid.UUID) error {
	err := callTemporal(ctx, func(ctx context.Context) error {
		_, err := r.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                    workflows.DocumentWorkflowID(documentID),
			TaskQueue:             r.taskQueue,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			TypedSearchAttributes: temporal.NewSearchAttributes(workflows.OrgAttribute.ValueSet(org.String()), workflows.DocumentStatusAttribute.ValueSet(documents.StatusReceived)),
		}, workflows.Document, workflows.NewDocumentInput(org, documentID))
		return err
	})
	if err != nil && !errorsAs[*serviceerror.WorkflowExecutionAlreadyStarted](err) {
		return fmt.Errorf("documents: start reading %s: %w", documentID, err)
	}
	return nil
}

// reviewTimeout bounds how long the API waits for a review's answer once the workflow accepted it.
const reviewTimeout = 30 * time.Second

// Review sends a reviewer's fields as the workflow's review Update and waits
// for its answer, as Decide does for intake decisions.
func (r *documentWorkflows) Review(ctx context.Context, documentID uuid.UUID, updateID string, rv documents.Review) (workflows.DocumentState, error) {
	var handle client.WorkflowUpdateHandle
	err := callTemporal(ctx, func(ctx context.Context) (err error) {
		handle, err = r.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   workflows.DocumentWorkflowID(documentID),
			UpdateID:     updateID,
			UpdateName:   workflows.ReviewUpdate,
			Args:         []any{rv},
			WaitForStage: client.WorkflowUpdateStageAccepted,
		})
		return err
	})
	var state workflows.DocumentState
	if err == nil {
		waitCtx, cancel := context.WithTimeout(ctx, reviewTimeout)
		err = handle.Get(waitCtx, &state)
		if err != nil && ctx.Err() == nil && waitCtx.Err() != nil {
			err = fmt.Errorf("%w: the review was accepted but not answered within %v: %w", problem.ErrUnavailable, reviewTimeout, err)
		}
		cancel()
	}
	if errorsAs[*serviceerror.NotFound](err) {
		return state, documents.ErrNotAwaitingReview
	}
	if err != nil {
		return state, fmt.Errorf("documents: review %s: %w", documentID, err)
	}
	return state, nil
}
