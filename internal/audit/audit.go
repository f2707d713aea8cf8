// Package audit records security-relevant actions: who did what to whom, from where.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/store"
)

// Actions recorded in the audit log.
const (
	SignInSucceeded   = "auth.signin.succeeded"
	SignInFailed      = "auth.signin.failed"
	SignInRateLimited = "auth.signin.rate_limited"
	SignedOut         = "auth.signout"
	SignedUp          = "auth.signup"
	EmailVerified     = "auth.email.verified"
	PasswordResetSent = "auth.password.reset_requested"
	PasswordReset     = "auth.password.reset"
	GoogleLinked      = "auth.google.linked"
	OrgCreated        = "org.created"
	MemberAdded       = "org.member.added"
	MemberInvited     = "org.member.invited"
	MemberRoleChanged = "org.member.role_changed"
	MemberRemoved     = "org.member.removed"
	InvitationRevoked = "org.invitation.revoked"
	TokenCreated      = "org.token.created"
	TokenRevoked      = "org.token.revoked"
	ItemMoved         = "pipeline.item.moved"
	ItemUpdated       = "pipeline.item.updated"
	DocumentRejected  = "document.rejected"
	DocumentDeleted   = "document.deleted"
	// DocumentLegalHold records a legal hold set or lifted; DocumentOriginalExpired
	// an original deleted by retention (no actor: the schedule did it).
	DocumentLegalHold       = "document.legal_hold"
	DocumentOriginalExpired = "document.original_expired"
)

// Event is one audit log entry. Zero IDs are stored as NULL.
type Event struct {
	OrgID      uuid.UUID
	Actor      uuid.UUID // who acted
	Subject    uuid.UUID // whose account it concerns (sign-ins name the account, even on failure)
	Action     string
	TargetType string
	TargetID   string
	IP         string
	UserAgent  string
	Metadata   map[string]any
}

type actorTokenKey struct{}

// WithActorToken marks ctx as a request made with API token id: every event
// recorded with it names the token as well as the member who created it, so
// what a token did can be told from what its creator did in person.
func WithActorToken(ctx context.Context, id uuid.UUID) context.Context {
	return context.WithValue(ctx, actorTokenKey{}, id)
}

// actorToken is the API token ctx acts through, or uuid.Nil for a person.
func actorToken(ctx context.Context) uuid.UUID {
	id, _ := ctx.Value(actorTokenKey{}).(uuid.UUID)
	return id
}

// Record writes e with q, which may be a transaction so the event commits with
// the change; the token ctx acts through (WithActorToken), if any, is named.
func Record(ctx context.Context, q *store.Queries, e Event) error {
	meta := []byte("{}")
	if len(e.Metadata) > 0 {
		var err error
		if meta, err = json.Marshal(e.Metadata); err != nil {
			return fmt.Errorf("audit: metadata: %w", err)
		}
	}
	err := q.InsertAuditEvent(ctx, store.InsertAuditEventParams{
		OrgID:         nullable(e.OrgID),
		ActorUserID:   nullable(e.Actor),
		ActorTokenID:  nullable(actorToken(ctx)),
		SubjectUserID: nullable(e.Subject),
		Action:        e.Action,
		TargetType:    e.TargetType,
		TargetID:      e.TargetID,
		IP:            e.IP,
		UserAgent:     cleanText(e.UserAgent, 512),
		Metadata:      meta,
	})
	if err != nil {
		return fmt.Errorf("audit: unable to record %s: %w", e.Action, err)
	}
	return nil
}

func nullable(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// cleanText makes client-supplied text storable: valid UTF-8, no NUL, at most n bytes on a rune boundary.
func cleanText(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
