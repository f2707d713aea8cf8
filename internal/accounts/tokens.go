package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/audit"
	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// APIToken is a token as lists show it: never the secret.
type APIToken struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	Role       auth.Role  `json:"role"`
	Prefix     string     `json:"prefix"`
	CreatedBy  uuid.UUID  `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// NewAPIToken is the answer to creating a token: the only time the secret is shown.
type NewAPIToken struct {
	APIToken
	Token string `json:"token"`
}

// CreateTokenInput names a token and its role (default: the creator's).
type CreateTokenInput struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// CreateAPIToken mints a token for org with a role no higher than the creator's.
func (s *Service) CreateAPIToken(ctx context.Context, org, creator uuid.UUID, creatorRole auth.Role, in CreateTokenInput, c Client) (NewAPIToken, error) {
	in.Name = strings.TrimSpace(in.Name)
	var fields []problem.FieldError
	if in.Name == "" || auth.TextProblem(in.Name, 100) != "" {
		fields = append(fields, problem.FieldError{Field: "name", Message: "is required: one line of at most 100 bytes"})
	}
	role := creatorRole
	if in.Role != "" {
		r, err := auth.ParseRole(in.Role)
		switch {
		case err != nil:
			fields = append(fields, problem.FieldError{Field: "role", Message: err.Error()})
		case !creatorRole.AtLeast(r):
			fields = append(fields, problem.FieldError{Field: "role", Message: "cannot be higher than your own role (" + string(creatorRole) + ")"})
		default:
			role = r
		}
	}
	if len(fields) > 0 {
		return NewAPIToken{}, problem.Invalid("the token has invalid fields", fields...)
	}
	secret, hash := auth.NewToken(auth.APITokenPrefix)
	prefix := secret[:len(auth.APITokenPrefix)+6]
	var out NewAPIToken
	err := s.inTx(ctx, func(q *store.Queries) error {
		t, err := q.CreateAPIToken(ctx, store.CreateAPITokenParams{OrgID: org, UserID: creator, Name: in.Name, Role: string(role), TokenHash: hash, Prefix: prefix})
		if err != nil {
			return fmt.Errorf("accounts: create token: %w", err)
		}
		out = NewAPIToken{APIToken: APIToken{ID: t.ID, Name: t.Name, Role: auth.Role(t.Role), Prefix: t.Prefix, CreatedBy: t.UserID, CreatedAt: t.CreatedAt}, Token: secret}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: creator, Action: audit.TokenCreated, TargetType: "api_token", TargetID: t.ID.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"name": t.Name, "role": t.Role}})
	})
	return out, err
}

// visibleTo limits token lists and revocation to one's own tokens, except for ADMINs.
func visibleTo(user uuid.UUID, role auth.Role) *uuid.UUID {
	if role == auth.RoleAdmin {
		return nil
	}
	return &user
}

// APITokens lists active tokens: all of them for ADMINs, one's own otherwise.
func (s *Service) APITokens(ctx context.Context, org, user uuid.UUID, role auth.Role) ([]APIToken, error) {
	rows, err := s.q.ListAPITokens(ctx, store.ListAPITokensParams{OrgID: org, UserID: visibleTo(user, role)})
	if err != nil {
		return nil, fmt.Errorf("accounts: list tokens: %w", err)
	}
	out := make([]APIToken, 0, len(rows))
	for _, t := range rows {
		out = append(out, APIToken{ID: t.ID, Name: t.Name, Role: auth.Role(t.Role), Prefix: t.Prefix, CreatedBy: t.UserID, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt})
	}
	return out, nil
}

// RevokeAPIToken ends a token at once.
func (s *Service) RevokeAPIToken(ctx context.Context, org, user uuid.UUID, role auth.Role, id uuid.UUID, c Client) error {
	return s.inTx(ctx, func(q *store.Queries) error {
		t, err := q.RevokeAPIToken(ctx, store.RevokeAPITokenParams{ID: id, OrgID: org, UserID: visibleTo(user, role)})
		if isNoRows(err) {
			return problem.New(problem.ErrNotFound, "no such token")
		}
		if err != nil {
			return fmt.Errorf("accounts: revoke token: %w", err)
		}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: user, Action: audit.TokenRevoked, TargetType: "api_token", TargetID: t.ID.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"name": t.Name}})
	})
}

// TokenPrincipal is who a valid API token acts as.
type TokenPrincipal struct {
	TokenID uuid.UUID
	OrgID   uuid.UUID
	UserID  uuid.UUID
	Role    auth.Role
}

// AuthenticateToken resolves a presented secret. Its effective role is the
// lower of the token's and its creator's current role, and it stops working
// when the creator leaves the organisation.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (TokenPrincipal, error) {
	if !strings.HasPrefix(secret, auth.APITokenPrefix) || len(secret) > 200 {
		return TokenPrincipal{}, problem.New(problem.ErrUnauthenticated, "invalid API token")
	}
	t, err := s.q.GetAPITokenByHash(ctx, auth.HashToken(secret))
	if isNoRows(err) {
		return TokenPrincipal{}, problem.New(problem.ErrUnauthenticated, "invalid API token")
	}
	if err != nil {
		return TokenPrincipal{}, fmt.Errorf("accounts: look up token: %w", err)
	}
	creatorRole, err := s.Role(ctx, t.OrgID, t.UserID)
	if errors.Is(err, problem.ErrNotFound) {
		return TokenPrincipal{}, problem.New(problem.ErrUnauthenticated, "invalid API token") // its creator left
	}
	if err != nil {
		return TokenPrincipal{}, err
	}
	if err := s.q.TouchAPIToken(ctx, t.ID); err != nil {
		return TokenPrincipal{}, fmt.Errorf("accounts: record token use: %w", err)
	}
	return TokenPrincipal{TokenID: t.ID, OrgID: t.OrgID, UserID: t.UserID, Role: auth.Lower(auth.Role(t.Role), creatorRole)}, nil
}
