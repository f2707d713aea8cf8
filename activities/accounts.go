package activities

import (
	"context"

	"github.com/astralisops/astralis/internal/accounts"
)

// Accounts runs the side effects of account workflows.
type Accounts struct {
	Accounts *accounts.Service
}

// SendPasswordReset looks the account up and queues its reset mail; it
// returns the outbox id ("" when there is no such account). Idempotent on the request id.
func (a *Accounts) SendPasswordReset(ctx context.Context, r accounts.PasswordReset) (string, error) {
	return a.Accounts.SendPasswordReset(ctx, r)
}
