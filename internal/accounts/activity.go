package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/store"
)

// ActivityEvent is one audit log entry as the API shows it.
type ActivityEvent struct {
	Seq          int64           `json:"-"`
	Action       string          `json:"action"`
	ActorID      *uuid.UUID      `json:"actor_id"`
	ActorTokenID *uuid.UUID      `json:"actor_token_id"` // the API token the actor acted through; null in person
	SubjectID    *uuid.UUID      `json:"subject_id"`
	TargetType   string          `json:"target_type"`
	TargetID     string          `json:"target_id"`
	IP           string          `json:"ip"`
	UserAgent    string          `json:"user_agent"`
	Metadata     json.RawMessage `json:"metadata"`
	At           time.Time       `json:"at"`
}

func activityFrom(rows []store.AuditLog) []ActivityEvent {
	out := make([]ActivityEvent, 0, len(rows))
	for _, r := range rows {
		out = append(out, ActivityEvent{Seq: r.ID, Action: r.Action, ActorID: r.ActorUserID, ActorTokenID: r.ActorTokenID, SubjectID: r.SubjectUserID, TargetType: r.TargetType, TargetID: r.TargetID, IP: r.IP, UserAgent: r.UserAgent, Metadata: r.Metadata, At: r.CreatedAt})
	}
	return out
}

// ActivityFilter narrows an organisation's audit log.
type ActivityFilter struct {
	Action string
	Actor  *uuid.UUID
	Token  *uuid.UUID // only what this API token did
	Since  *time.Time
	Until  *time.Time
}

// OrgActivity pages through an organisation's audit log, newest first.
func (s *Service) OrgActivity(ctx context.Context, org uuid.UUID, f ActivityFilter, beforeSeq int64, limit int) ([]ActivityEvent, error) {
	rows, err := s.q.ListOrgAuditEvents(ctx, store.ListOrgAuditEventsParams{
		OrgID: &org, BeforeID: beforeSeq, Action: f.Action, ActorUserID: f.Actor, ActorTokenID: f.Token, Since: f.Since, Until: f.Until, MaxRows: int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("accounts: list activity: %w", err)
	}
	return activityFrom(rows), nil
}

// UserActivity pages through the security events of one account (sign-ins, resets), newest first.
func (s *Service) UserActivity(ctx context.Context, user uuid.UUID, beforeSeq int64, limit int) ([]ActivityEvent, error) {
	rows, err := s.q.ListUserAuditEvents(ctx, store.ListUserAuditEventsParams{UserID: &user, BeforeID: beforeSeq, MaxRows: int32(limit)})
	if err != nil {
		return nil, fmt.Errorf("accounts: list activity: %w", err)
	}
	return activityFrom(rows), nil
}
