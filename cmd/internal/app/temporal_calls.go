package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/astralisops/astralis/internal/problem"
)

// temporalCallTimeout bounds each call the API makes to Temporal before it
// answers its client. A healthy frontend answers in milliseconds; the SDK
// retries an unreachable one for half a minute and more, which no person at
// a browser should wait for: past this the answer is a 503 with Retry-After.
const temporalCallTimeout = 5 * time.Second

// callTemporal runs call with ctx bounded by temporalCallTimeout. When that
// bound, not the caller, ended it, the error says Temporal is unavailable.
func callTemporal(ctx context.Context, call func(ctx context.Context) error) error {
	bounded, cancel := context.WithTimeout(ctx, temporalCallTimeout)
	defer cancel()
	err := call(bounded)
	if err != nil && ctx.Err() == nil && bounded.Err() != nil {
		return fmt.Errorf("%w: Temporal did not answer within %v: %w", problem.ErrUnavailable, temporalCallTimeout, err)
	}
	return err
}

// errorsAs is errors.As for a target type, for the adapters' checks.
func errorsAs[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// startOnce starts a workflow for the API: one that runs or completed is left
// as it is, one that failed (its retries ran out) starts again.
func startOnce(ctx context.Context, c client.Client, opts client.StartWorkflowOptions, workflow, input any) error {
	opts.WorkflowIDReusePolicy = enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY
	err := callTemporal(ctx, func(ctx context.Context) error {
		_, err := c.ExecuteWorkflow(ctx, opts, workflow, input)
		return err
	})
	if err != nil && !errorsAs[*serviceerror.WorkflowExecutionAlreadyStarted](err) {
		return err
	}
	return nil
}

// updateAndWait sends an Update and waits for its answer. Being accepted (or
// refused by the validator) is bounded like any call, the answer by
// answerTimeout; past either the client hears 503, and sending the same
// Update again with the same id (the request's Idempotency-Key) attaches to
// the first and answers its outcome, so nothing is done twice. The workflow
// answers with application errors of stable types, which problem.From maps;
// a workflow that has finished answers notRunning.
func updateAndWait[T any](ctx context.Context, c client.Client, workflowID, updateID, name string, arg any, answerTimeout time.Duration, notRunning error) (T, error) {
	var handle client.WorkflowUpdateHandle
	err := callTemporal(ctx, func(ctx context.Context) (err error) {
		handle, err = c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: workflowID, UpdateID: updateID, UpdateName: name, Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageAccepted,
		})
		return err
	})
	var answer T
	if err == nil {
		waitCtx, cancel := context.WithTimeout(ctx, answerTimeout)
		err = handle.Get(waitCtx, &answer)
		if err != nil && ctx.Err() == nil && waitCtx.Err() != nil {
			err = fmt.Errorf("%w: %s was accepted but not answered within %v: %w", problem.ErrUnavailable, name, answerTimeout, err)
		}
		cancel()
	}
	if errorsAs[*serviceerror.NotFound](err) {
		return answer, notRunning
	}
	return answer, err
}
