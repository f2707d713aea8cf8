package app

import (
	"context"
	"errors"
	"fmt"
	"time"

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
