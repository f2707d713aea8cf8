package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/internal/documents"
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

// Start starts the document's workflow (startOnce).
func (r *documentWorkflows) Start(ctx context.Context, org, documentID uuid.UUID) error {
	err := startOnce(ctx, r.client, client.StartWorkflowOptions{
		ID:                    workflows.DocumentWorkflowID(documentID),
		TaskQueue:             r.taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.OrgAttribute.ValueSet(org.String()), workflows.DocumentStatusAttribute.ValueSet(documents.StatusReceived)),
	}, workflows.Document, workflows.NewDocumentInput(org, documentID))
	if err != nil {
		return fmt.Errorf("documents: start reading %s: %w", documentID, err)
	}
	return nil
}

// reviewTimeout bounds how long the API waits for a review's answer once the workflow accepted it.
const reviewTimeout = 30 * time.Second

// Review sends a reviewer's fields as the workflow's review Update and waits
// for its answer (updateAndWait).
func (r *documentWorkflows) Review(ctx context.Context, documentID uuid.UUID, updateID string, rv documents.Review) (workflows.DocumentState, error) {
	state, err := updateAndWait[workflows.DocumentState](ctx, r.client, workflows.DocumentWorkflowID(documentID), updateID, workflows.ReviewUpdate, rv, reviewTimeout, documents.ErrNotAwaitingReview)
	if err != nil && !errors.Is(err, documents.ErrNotAwaitingReview) {
		return state, fmt.Errorf("documents: review %s: %w", documentID, err)
	}
	return state, err
}

// Stop cancels the document's workflow; one that has ended, or never
// started, is left as it is.
func (r *documentWorkflows) Stop(ctx context.Context, documentID uuid.UUID) error {
	err := r.client.CancelWorkflow(ctx, workflows.DocumentWorkflowID(documentID), "")
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("documents: stop reading %s: %w", documentID, err)
	}
	return nil
}
