package app

import (
	"context"
	"fmt"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/astralisops/astralis/workflows"
	"github.com/google/uuid"
)

func (s *Services) mailer() *workflowMailer {
	return &workflowMailer{client: s.Temporal, taskQueue: s.TaskQueue(workflows.EmailTaskQueue)}
}

// workflowMailer hands mail to the SendEmail workflow, which retries delivery durably.
type workflowMailer struct {
	client    client.Client
	taskQueue string
}

// Dispatch starts delivery of one outbox message. Starting it again while it
// runs or after it succeeded does nothing; after it failed for good, it retries.
func (m *workflowMailer) Dispatch(ctx context.Context, outboxID string) error {
	err := callTemporal(ctx, func(ctx context.Context) error {
		_, err := m.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                    workflows.EmailWorkflowID(outboxID),
			TaskQueue:             m.taskQueue,
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		}, workflows.SendEmail, outboxID)
		return err
	})
	if err != nil && !errorsAs[*serviceerror.WorkflowExecutionAlreadyStarted](err) {
		return fmt.Errorf("mail: start delivery of %s: %w", outboxID, err)
	}
	return nil
}

// StartPasswordReset starts the workflow that carries out a forgot-password request.
func (m *workflowMailer) StartPasswordReset(ctx context.Context, requestID uuid.UUID) error {
	err := callTemporal(ctx, func(ctx context.Context) error {
		_, err := m.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:        workflows.PasswordResetWorkflowID(requestID),
			TaskQueue: m.taskQueue,
		}, workflows.PasswordReset, workflows.PasswordResetInput{RequestID: requestID})
		return err
	})
	if err != nil {
		return fmt.Errorf("accounts: start password reset: %w", err)
	}
	return nil
}
