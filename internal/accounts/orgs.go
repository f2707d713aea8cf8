package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/audit"
	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Organization is a tenant as one of its members sees it.
type Organization struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Role      auth.Role `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

const maxOrgNameLength = 200

// CreateOrganization creates a tenant with its creator as ADMIN.
func (s *Service) CreateOrganization(ctx context.Context, creator uuid.UUID, name string, c Client) (Organization, error) {
	name = strings.TrimSpace(name)
	if msg := auth.TextProblem(name, maxOrgNameLength); name == "" || msg != "" {
		return Organization{}, problem.Invalid("invalid organisation", problem.FieldError{Field: "name", Message: "is required: one line of at most 200 bytes"})
	}
	var org store.Organization
	err := s.inTx(ctx, func(q *store.Queries) error {
		var err error
		if org, err = q.CreateOrganization(ctx, name); err != nil {
			return fmt.Errorf("accounts: create organisation: %w", err)
		}
		if _, err := q.AddMember(ctx, store.AddMemberParams{OrgID: org.ID, UserID: creator, Role: string(auth.RoleAdmin)}); err != nil {
			return fmt.Errorf("accounts: add creator: %w", err)
		}
		return audit.Record(ctx, q, audit.Event{OrgID: org.ID, Actor: creator, Action: audit.OrgCreated, TargetType: "organization", TargetID: org.ID.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"name": name}})
	})
	return Organization{ID: org.ID, Name: org.Name, Role: auth.RoleAdmin, CreatedAt: org.CreatedAt}, err
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
	return Organization{ID: o.ID, Name: o.Name, Role: role, CreatedAt: o.CreatedAt}, nil
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

// AddMemberInput adds a person by email with a role.
type AddMemberInput struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// AddMemberResult says whether the person joined at once or was invited.
type AddMemberResult struct {
	Status string  `json:"status"` // "added" or "invited"
	Member *Member `json:"member,omitempty"`
	// InvitationID identifies a pending invitation.
	InvitationID *uuid.UUID `json:"invitation_id,omitempty"`
}

// AddMember makes an existing account a member at once (and tells them), or
// invites an email that has no account yet: they join when they confirm it.
func (s *Service) AddMember(ctx context.Context, org, actor uuid.UUID, in AddMemberInput, c Client) (AddMemberResult, error) {
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
		return AddMemberResult{}, problem.Invalid("the member has invalid fields", fields...)
	}
	o, err := s.q.GetOrganization(ctx, org)
	if err != nil {
		return AddMemberResult{}, fmt.Errorf("accounts: get organisation: %w", err)
	}
	inviter, err := s.q.GetUser(ctx, actor)
	if err != nil {
		return AddMemberResult{}, fmt.Errorf("accounts: get inviter: %w", err)
	}
	mailData := map[string]string{"OrgName": o.Name, "Role": string(role), "InvitedBy": inviter.Email, "ValidFor": formatTTL(InvitationTTL)}

	var result AddMemberResult
	err = s.inTx(ctx, func(q *store.Queries) error {
		u, err := q.GetUserByEmail(ctx, in.Email)
		if err == nil && u.EmailVerifiedAt != nil {
			m, err := q.AddMember(ctx, store.AddMemberParams{OrgID: org, UserID: u.ID, Role: string(role)})
			if err != nil {
				return fmt.Errorf("accounts: add member: %w", err)
			}
			result = AddMemberResult{Status: "added", Member: &Member{UserID: u.ID, Email: u.Email, Name: u.Name, Role: auth.Role(m.Role), JoinedAt: m.CreatedAt}}
			return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Subject: u.ID, Action: audit.MemberAdded, TargetType: "user", TargetID: u.ID.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"role": m.Role, "email": u.Email}})
		}
		if err != nil && !isNoRows(err) {
			return fmt.Errorf("accounts: look up user: %w", err)
		}
		// No account, or one whose owner has not proven the address yet: invite.
		inv, err := q.CreateInvitation(ctx, store.CreateInvitationParams{OrgID: org, Email: in.Email, Role: string(role), InvitedBy: &actor, ExpiresAt: time.Now().Add(InvitationTTL)})
		if err != nil {
			return fmt.Errorf("accounts: invite: %w", err)
		}
		result = AddMemberResult{Status: "invited", InvitationID: &inv.ID}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Action: audit.MemberInvited, TargetType: "invitation", TargetID: inv.ID.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"role": inv.Role, "email": in.Email}})
	})
	if err != nil {
		return AddMemberResult{}, err
	}
	if result.Status == "added" {
		mailData["Link"] = s.link("/", "org", org.String())
		s.send(ctx, "member_added", in.Email, mailData)
	} else {
		mailData["Link"] = s.link("/signup", "email", in.Email)
		s.send(ctx, "invitation", in.Email, mailData)
	}
	return result, nil
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
		u, err := q.GetUser(ctx, user)
		if err != nil {
			return fmt.Errorf("accounts: get user: %w", err)
		}
		member = Member{UserID: u.ID, Email: u.Email, Name: u.Name, Role: auth.Role(m.Role), JoinedAt: m.CreatedAt}
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Subject: user, Action: audit.MemberRoleChanged, TargetType: "user", TargetID: user.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"from": current.Role, "to": m.Role}})
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
		return audit.Record(ctx, q, audit.Event{OrgID: org, Actor: actor, Subject: user, Action: audit.MemberRemoved, TargetType: "user", TargetID: user.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"role": current.Role}})
	})
}
