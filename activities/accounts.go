package activities

import (
	"context"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/problem"
)

// PasswordResetRef names one stored forgot-password request; the address and
// client it came from stay in the database.
type PasswordResetRef struct {
	ID uuid.UUID `json:"id"`
}

// Accounts runs the side effects of account workflows.
type Accounts struct {
	Accounts *accounts.Service
}

// SendPasswordReset looks the account up and queues its reset mail; it
// returns the outbox id ("" when there is no such account). Idempotent on the request id.
func (a *Accounts) SendPasswordReset(ctx context.Context, r PasswordResetRef) (string, error) {
	mailID, err := a.Accounts.SendPasswordReset(ctx, r.ID)
	return mailID, problem.ApplicationError(err)
}
