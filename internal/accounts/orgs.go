package accounts

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/audit"
	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/store"
)

// Organization is a tenant as one of its members sees it.
type Organization struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Role      auth.Role `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxOrgNameLength is the most characters an organisation's name may have.
const MaxOrgNameLength = 80

// OrgsCreatedPerUser limits how many organisations one user creates a day;
// limits.orgs_per_user (Service.SetOrgsPerUser) caps how many in all.
var OrgsCreatedPerUser = ratelimit.Rule{Name: "org-create-user", Max: 10, Window: 24 * time.Hour}

// DefaultOrgsPerUser is limits.orgs_per_user's default.
const DefaultOrgsPerUser = 20

// TypeOrganizationLimit is the problem type of a creation over limits.orgs_per_user.
const TypeOrganizationLimit = "organization-limit"

// orgNameProblem says what is wrong with a (trimmed) organisation name, or "".
// Names reach other people's inboxes (invitations), so a name is a name: a
// short line with a letter, without control characters, bidirectional
// overrides or invisible characters, and without what mail clients turn into
// links ("://", "www.").
func orgNameProblem(name string) string {
	lower := strings.ToLower(name)
	switch {
	case name == "":
		return "is required"
	case !utf8.ValidString(name):
		return "must be valid UTF-8 text"
	case utf8.RuneCountInString(name) > MaxOrgNameLength:
		return fmt.Sprintf("must be at most %d characters", MaxOrgNameLength)
	case strings.IndexFunc(name, hiddenRune) >= 0:
		return "must not contain control, bidirectional or invisible characters"
	case strings.Contains(lower, "://") || strings.Contains(lower, "www."):
		return `must be a name, not a link: no "://" or "www."`
	case strings.IndexFunc(name, unicode.IsLetter) < 0:
		return "must contain at least one letter"
	}
	return ""
}

// hiddenRune is a character a name must not hold: a control character, a
// bidirectional override or an invisible character.
func hiddenRune(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Bidi_Control, unicode.Zl, unicode.Zp) ||
		r == '\u200b' || r == '\u2060' || r == '\ufeff' // zero-width space, word joiner, BOM
}

// mailName is an organisation's name as mail quotes it (“…”): names stored
// before the rules above lose hidden characters and quotation marks (they
// could close the quote) and are cut to MaxOrgNameLength characters.
func mailName(name string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.TrimSpace(name) {
		if hiddenRune(r) {
			continue
		}
		if n == MaxOrgNameLength {
			b.WriteString("…")
			break
		}
		if strings.ContainsRune("“”„‟«»‹›\"", r) {
			r = '\''
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// SetOrgsPerUser sets how many organisations one user may create in all
// (limits.orgs_per_user); n < 1 keeps DefaultOrgsPerUser.
func (s *Service) SetOrgsPerUser(n int) {
	if n >= 1 {
		s.orgsPerUser = n
	}
}

// CreateOrganization creates a tenant with its creator as ADMIN. A user may
// create OrgsCreatedPerUser a day (429) and limits.orgs_per_user in all (403).
func (s *Service) CreateOrganization(ctx context.Context, creator uuid.UUID, name string, c Client) (Organization, error) {
	name = strings.TrimSpace(name)
	if msg := orgNameProblem(name); msg != "" {
		return Organization{}, problem.Invalid("invalid organisation", problem.FieldError{Field: "name", Message: msg})
	}
	if err := s.allow(ctx, OrgsCreatedPerUser, creator.String(), "organisations created in a day"); err != nil {
		return Organization{}, err
	}
	limit := s.orgsPerUser
	var org store.Organization
	err := s.inTx(ctx, func(q *store.Queries) error {
		created, err := q.CountOrganizationsCreatedBy(ctx, creator)
		if err != nil {
			return fmt.Errorf("accounts: count organisations: %w", err)
		}
		if created >= int64(limit) {
			return &problem.Error{Kind: problem.ErrForbidden, Type: TypeOrganizationLimit,
				Detail: fmt.Sprintf("one account may create at most %d organisations, and this one has created %d", limit, created)}
		}
		if org, err = q.CreateOrganization(ctx, store.CreateOrganizationParams{Name: name, CreatedBy: &creator}); err != nil {
			return fmt.Errorf("accounts: create organisation: %w", err)
		}
		if _, err := q.AddMember(ctx, store.AddMemberParams{OrgID: org.ID, UserID: creator, Role: string(auth.RoleAdmin)}); err != nil {
			return fmt.Errorf("accounts: add creator: %w", err)
		}
		return audit.Record(ctx, q, audit.Event{OrgID: org.ID, Actor: creator, Action: audit.OrgCreated, TargetType: "organization", TargetID: org.ID.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"name": name}})
	})
	return orgFrom(org, auth.RoleAdmin), err
}

func orgFrom(o store.Organization, role auth.Role) Organization {
	return Organization{ID: o.ID, Name: o.Name, Role: role, CreatedAt: o.CreatedAt}
}

// Organizations lists the tenants user belongs to, with their role in each.
func (s *Service) Organizations(ctx context.Context, user uuid.UUID) ([]Organization, error) {
	rows, err := s.q.ListMyOrganizations(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("accounts: list organisations: %w", err)
	}
	out := make([]Organization, 0, len(rows))
	for _, r := range rows {
		out = append(out, Organization{ID: r.ID, Name: r.Name, Role: auth.Role(r.Role), CreatedAt: r.CreatedAt})
	}
	return out, nil
}

// Organization returns one tenant; callers have checked membership.
func (s *Service) Organization(ctx context.Context, org uuid.UUID, role auth.Role) (Organization, error) {
	o, err := s.q.GetOrganization(ctx, org)
	if isNoRows(err) {
		return Organization{}, problem.New(problem.ErrNotFound, "no such organisation")
	}
	if err != nil {
		return Organization{}, fmt.Errorf("accounts: get organisation: %w", err)
	}
	return orgFrom(o, role), nil
}

// Role is user's role in org; not being a member is ErrNotFound, so outsiders
// cannot tell an organisation that exists from one that does not.
func (s *Service) Role(ctx context.Context, org, user uuid.UUID) (auth.Role, error) {
	m, err := s.q.GetMembership(ctx, store.GetMembershipParams{OrgID: org, UserID: user})
	if isNoRows(err) {
		return "", problem.New(problem.ErrNotFound, "no such organisation")
	}
	if err != nil {
		return "", fmt.Errorf("accounts: membership: %w", err)
	}
	return auth.Role(m.Role), nil
}

// Member is one person in an organisation.
type Member struct {
	UserID   uuid.UUID `json:"user_id"`
	Email    string    `json:"email"`
	Name     string    `json:"name"`
	Role     auth.Role `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

// Members lists an organisation's members.
func (s *Service) Members(ctx context.Context, org uuid.UUID) ([]Member, error) {
	rows, err := s.q.ListMembers(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("accounts: list members: %w", err)
	}
	out := make([]Member, 0, len(rows))
	for _, r := range rows {
		out = append(out, Member{UserID: r.UserID, Email: r.Email, Name: r.Name, Role: auth.Role(r.Role), JoinedAt: r.CreatedAt})
	}
	return out, nil
}

// InviteInput invites a person by email with a role.
type InviteInput struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// Invitation is a pending invitation as the inviting organisation sees it.
type Invitation struct {
	ID           uuid.UUID `json:"id"`
	Email        string    `json:"email"`
	Role         auth.Role `json:"role"`
	InvitedBy    uuid.UUID `json:"invited_by"`
	InviterEmail string    `json:"invited_by_email"`
	CreatedAt    time.Time `json:"created_at"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// TypeInvitationVoid is the problem type of accepting an invitation whose
// inviter may no longer grant its role (demoted, removed, account deleted).
const TypeInvitationVoid = "invitation-void"

var errInvitationVoid = &problem.Error{Kind: problem.ErrConflict, Type: TypeInvitationVoid,
	Detail: "this invitation is void: whoever sent it may no longer add members with that role; ask an ADMIN of the organisation for a new one"}

var errNoInvitation = problem.Invalid("the invitation is invalid, expired, revoked or already used", problem.FieldError{Field: "token", Message: "is invalid, expired, revoked or already used"})

// Invitation abuse limits: an organisation's ADMINs, and mail to one address.
var (
	InvitesPerOrg      = ratelimit.Rule{Name: "invite-org", Max: 100, Window: time.Hour}
	InviteMailPerEmail = ratelimit.Rule{Name: "invite-email", Max: 5, Window: 24 * time.Hour}
)

var errNoLongerAdmin = problem.New(problem.ErrForbidden, "this needs the ADMIN role: yours changed while inviting")

// Invite mails a person an invitation to join with a role. It answers alike
// whether or not the address has an account, and nobody joins without
// accepting: the invitation is a link only the address's owner receives.
func (s *Service) Invite(ctx context.Context, org, actor uuid.UUID, in InviteInput, c Client) (Invitation, error) {
	in.Email = auth.NormalizeEmail(in.Email)
	var fields []problem.FieldError
	if msg := auth.EmailProblem(in.Email); msg != "" {
		fields = append(fields, problem.FieldError{Field: "email", Message: msg})
	}
	role, err := auth.ParseRole(in.Role)
	if err != nil {
		fields = append(fields, problem.FieldError{Field: "role", Message: err.Error()})
	}
	if len(fields) > 0 {
		return Invitation{}, problem.Invalid("the invitation has invalid fields", fields...)
	}
	o, err := s.q.GetOrganization(ctx, org)
	if err != nil {
		return Invitation{}, fmt.Errorf("accounts: get organisation: %w", err)
	}
	inviter, err := s.q.GetUser(ctx, actor)
	if err != nil {
		return Invitation{}, fmt.Errorf("accounts: get inviter: %w", err)
	}
	secret, tokenHash := auth.NewToken(auth.EmailTokenPrefix)
	var inv store.Invitation
	var mailID string
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q, limiter := store.New(tx), s.limiter.InTx(tx)
		// The role was checked when the request arrived; holding the ADMIN rows,
		// as demotions and removals do, the inviter is still an ADMIN when the
		// invitation is stored, or a demotion under way revokes it (it waits for
		// this transaction) or is seen here (this one waits for it).
		admins, err := q.LockAdmins(ctx, org)
		if err != nil {
			return fmt.Errorf("accounts: lock admins: %w", err)
		}
		if !slices.Contains(admins, actor) {
			return errNoLongerAdmin
		}
		// Counted with the invitation, so one refused (403 above, 429 here) uses no quota.
		if err := limiter.Check(ctx, InvitesPerOrg, org.String(), tooMany("invitations from this organisation")); err != nil {
			return err
		}
		// Over the per-address limit the invitation stands but no more mail goes out.
		mailHit, err := limiter.Allow(ctx, InviteMailPerEmail, strings.ToLower(in.Email))
		if err != nil {
			return err
		}
		inv, err = q.CreateInvitation(ctx, store.CreateInvitationParams{OrgID: org, Email: in.Email, Role: string(role), InvitedBy: &actor, ExpiresAt: time.Now().Add(InvitationTTL), TokenHash: tokenHash})
		if err != nil {
			return fmt.Errorf("accounts: invite: %w", err)
		}
		if mailHit.Allowed {
			mailID, err = s.enqueue(ctx, q, mail.AfterCommit, "invitation", in.Email, map[string]string{
				"OrgName": mailName(o.Name), "Role": string(role), "InvitedBy": inviter.Email, "ValidFor": formatTTL(InvitationTTL),
				"Link": s.link("/accept-invitation", url.Values{"token": {secret}}),
			})
			if err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Action: audit.MemberInvited, TargetType: "invitation", TargetID: inv.ID.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"role": inv.Role, "email": in.Email}})
	})
	if err != nil {
		return Invitation{}, err
	}
	s.dispatch(ctx, mailID)
	return Invitation{ID: inv.ID, Email: inv.Email, Role: auth.Role(inv.Role), InvitedBy: actor, InviterEmail: inviter.Email, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt}, nil
}

// InvitationCursor continues a listing after the last invitation of a page.
type InvitationCursor struct {
	At time.Time `json:"t"`
	ID uuid.UUID `json:"i"`
}

// Invitations pages through an organisation's invitations that can still be
// accepted, newest first: up to limit after cursor (nil: from the start).
func (s *Service) Invitations(ctx context.Context, org uuid.UUID, after *InvitationCursor, limit int) ([]Invitation, error) {
	params := store.ListPendingInvitationsParams{OrgID: org, MaxRows: int32(limit)}
	if after != nil {
		params.BeforeAt, params.BeforeID = &after.At, after.ID
	}
	rows, err := s.q.ListPendingInvitations(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("accounts: list invitations: %w", err)
	}
	out := make([]Invitation, 0, len(rows))
	for _, r := range rows {
		out = append(out, Invitation{ID: r.ID, Email: r.Email, Role: auth.Role(r.Role), InvitedBy: *r.InvitedBy, InviterEmail: r.InviterEmail, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt})
	}
	return out, nil
}

// RevokeInvitation withdraws a pending invitation: its mailed link stops working.
func (s *Service) RevokeInvitation(ctx context.Context, org, actor, id uuid.UUID, c Client) error {
	return s.inTx(ctx, func(q *store.Queries) error {
		inv, err := q.DeletePendingInvitation(ctx, store.DeletePendingInvitationParams{ID: id, OrgID: org})
		if isNoRows(err) {
			return problem.New(problem.ErrNotFound, "no such pending invitation")
		}
		if err != nil {
			return fmt.Errorf("accounts: revoke invitation: %w", err)
		}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Action: audit.InvitationRevoked, TargetType: "invitation", TargetID: inv.ID.String(), IP: c.IP, UserAgent: c.UserAgent,
			Metadata: map[string]any{"email": inv.Email, "role": inv.Role, "invited_by": inv.InvitedBy}})
	})
}

// AcceptInvitation makes the signed-in user a member with the invited role.
// Only an account that proved the invited address may accept, and only while
// the inviter could still send it: only ADMINs add members, so demoting or
// removing an ADMIN revokes their invitations (revokeInvitationsBy), and one
// whose inviter's account was deleted is void.
func (s *Service) AcceptInvitation(ctx context.Context, userID uuid.UUID, token string, c Client) (Organization, error) {
	if token == "" {
		return Organization{}, problem.Invalid("token is required", problem.FieldError{Field: "token", Message: "is required"})
	}
	if err := s.allow(ctx, VerifyAttemptPerIP, c.source(), "attempts"); err != nil {
		return Organization{}, err
	}
	u, err := s.q.GetUser(ctx, userID)
	if err != nil {
		return Organization{}, fmt.Errorf("accounts: get user: %w", err)
	}
	if u.EmailVerifiedAt == nil {
		return Organization{}, problem.New(problem.ErrForbidden, "confirm your email address before accepting invitations")
	}
	var org Organization
	err = s.inTx(ctx, func(q *store.Queries) error {
		pending, err := q.GetPendingInvitation(ctx, auth.HashToken(token))
		if isNoRows(err) {
			return errNoInvitation
		}
		if err != nil {
			return fmt.Errorf("accounts: invitation: %w", err)
		}
		if !strings.EqualFold(pending.Email, u.Email) {
			return problem.New(problem.ErrForbidden, "this invitation is for another email address: sign in with that address to accept it")
		}
		// Holding the ADMIN rows serialises this check with demotions and removals.
		admins, err := q.LockAdmins(ctx, pending.OrgID)
		if err != nil {
			return fmt.Errorf("accounts: lock admins: %w", err)
		}
		if pending.InvitedBy == nil || !slices.Contains(admins, *pending.InvitedBy) {
			return errInvitationVoid
		}
		inv, err := q.TakeInvitation(ctx, store.TakeInvitationParams{TokenHash: auth.HashToken(token), Email: u.Email})
		if isNoRows(err) {
			return errNoInvitation // taken, revoked or replaced since it was read
		}
		if err != nil {
			return fmt.Errorf("accounts: take invitation: %w", err)
		}
		m, err := q.AddMember(ctx, store.AddMemberParams{OrgID: inv.OrgID, UserID: u.ID, Role: inv.Role})
		if err != nil {
			return fmt.Errorf("accounts: add member: %w", err)
		}
		o, err := q.GetOrganization(ctx, inv.OrgID)
		if err != nil {
			return fmt.Errorf("accounts: get organisation: %w", err)
		}
		org = orgFrom(o, auth.Role(m.Role))
		return audit.Record(ctx, q, audit.Event{
			OrgID: inv.OrgID, Actor: u.ID, Subject: u.ID, Action: audit.MemberAdded, TargetType: "user", TargetID: u.ID.String(),
			IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"role": m.Role, "invitation_id": inv.ID, "invited_by": inv.InvitedBy},
		})
	})
	return org, err
}

// lockMembership reads user's membership while holding the organisation's ADMIN rows,
// so the "at least one ADMIN" rule holds under concurrent changes.
func lockMembership(ctx context.Context, q *store.Queries, org, user uuid.UUID) (store.Membership, int, error) {
	admins, err := q.LockAdmins(ctx, org)
	if err != nil {
		return store.Membership{}, 0, fmt.Errorf("accounts: lock admins: %w", err)
	}
	current, err := q.GetMembership(ctx, store.GetMembershipParams{OrgID: org, UserID: user})
	if isNoRows(err) {
		return store.Membership{}, 0, problem.New(problem.ErrNotFound, "no such member")
	}
	if err != nil {
		return store.Membership{}, 0, fmt.Errorf("accounts: membership: %w", err)
	}
	return current, len(admins), nil
}

var errLastAdmin = problem.New(problem.ErrConflict, "an organisation needs at least one ADMIN: make someone else ADMIN first")

// ChangeRole sets a member's role; the last ADMIN cannot be demoted.
func (s *Service) ChangeRole(ctx context.Context, org, actor, user uuid.UUID, roleName string, c Client) (Member, error) {
	role, err := auth.ParseRole(roleName)
	if err != nil {
		return Member{}, problem.Invalid("invalid role", problem.FieldError{Field: "role", Message: err.Error()})
	}
	var member Member
	err = s.inTx(ctx, func(q *store.Queries) error {
		current, admins, err := lockMembership(ctx, q, org, user)
		if err != nil {
			return err
		}
		if current.Role == string(auth.RoleAdmin) && role != auth.RoleAdmin && admins == 1 {
			return errLastAdmin
		}
		m, err := q.SetMemberRole(ctx, store.SetMemberRoleParams{OrgID: org, UserID: user, Role: string(role)})
		if err != nil {
			return fmt.Errorf("accounts: set role: %w", err)
		}
		if current.Role == string(auth.RoleAdmin) && role != auth.RoleAdmin {
			if err := revokeInvitationsBy(ctx, q, org, actor, user, "inviter demoted", c); err != nil {
				return err
			}
		}
		u, err := q.GetUser(ctx, user)
		if err != nil {
			return fmt.Errorf("accounts: get user: %w", err)
		}
		member = Member{UserID: u.ID, Email: u.Email, Name: u.Name, Role: auth.Role(m.Role), JoinedAt: m.CreatedAt}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Subject: user, Action: audit.MemberRoleChanged, TargetType: "user", TargetID: user.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"from": current.Role, "to": m.Role, "email": u.Email}})
	})
	return member, err
}

// RemoveMember takes someone out of an organisation; the last ADMIN stays.
func (s *Service) RemoveMember(ctx context.Context, org, actor, user uuid.UUID, c Client) error {
	return s.inTx(ctx, func(q *store.Queries) error {
		current, admins, err := lockMembership(ctx, q, org, user)
		if err != nil {
			return err
		}
		if current.Role == string(auth.RoleAdmin) && admins == 1 {
			return errLastAdmin
		}
		if _, err := q.RemoveMember(ctx, store.RemoveMemberParams{OrgID: org, UserID: user}); err != nil {
			return fmt.Errorf("accounts: remove member: %w", err)
		}
		if current.Role == string(auth.RoleAdmin) {
			if err := revokeInvitationsBy(ctx, q, org, actor, user, "inviter removed", c); err != nil {
				return err
			}
		}
		u, err := q.GetUser(ctx, user)
		if err != nil {
			return fmt.Errorf("accounts: get user: %w", err)
		}
		// The email names the member in the log once they are no longer listed among the members.
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Subject: user, Action: audit.MemberRemoved, TargetType: "user", TargetID: user.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"role": current.Role, "email": u.Email}})
	})
}

// revokeInvitationsBy revokes the pending invitations inviter sent in org, as
// actor, with q: the transaction that ends inviter's ADMIN role, holding the
// ADMIN rows, so no acceptance slips in between and making them ADMIN again
// does not bring the invitations back. Each is in the audit log with reason.
func revokeInvitationsBy(ctx context.Context, q *store.Queries, org, actor, inviter uuid.UUID, reason string, c Client) error {
	revoked, err := q.DeleteInvitationsBy(ctx, store.DeleteInvitationsByParams{OrgID: org, Inviter: &inviter})
	if err != nil {
		return fmt.Errorf("accounts: revoke invitations: %w", err)
	}
	for _, inv := range revoked {
		if err := audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Action: audit.InvitationRevoked, TargetType: "invitation", TargetID: inv.ID.String(), IP: c.IP, UserAgent: c.UserAgent,
			Metadata: map[string]any{"email": inv.Email, "role": inv.Role, "invited_by": inv.InvitedBy, "reason": reason}}); err != nil {
			return err
		}
	}
	return nil
}
