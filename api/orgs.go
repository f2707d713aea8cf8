package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/problem"
)

// orgHandler serves organisations, members, invitations, API tokens and the activity log.
type orgHandler struct {
	accounts *accounts.Service
}

type createOrgInput struct {
	Name string `json:"name"`
}

func (h *orgHandler) create(c *gin.Context) {
	var in createOrgInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	org, err := h.accounts.CreateOrganization(c, userID(c), in.Name, clientOf(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, org)
}

func (h *orgHandler) listMine(c *gin.Context) {
	p, _ := principalOf(c)
	var orgs []accounts.Organization
	if p.Token != nil {
		org, err := h.accounts.Organization(c, p.Token.OrgID, p.Token.Role)
		if err != nil {
			respondError(c, err)
			return
		}
		orgs = []accounts.Organization{org}
	} else {
		var err error
		if orgs, err = h.accounts.Organizations(c, p.User.ID); err != nil {
			respondError(c, err)
			return
		}
	}
	// A person belongs to few organisations: one page holds them all.
	c.JSON(http.StatusOK, page[accounts.Organization]{Items: orgs})
}

func (h *orgHandler) get(c *gin.Context) {
	org, err := h.accounts.Organization(c, orgID(c), orgRole(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, org)
}

func (h *orgHandler) listMembers(c *gin.Context) {
	members, err := h.accounts.Members(c, orgID(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, page[accounts.Member]{Items: members})
}

func (h *orgHandler) invite(c *gin.Context) {
	var in accounts.InviteInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	inv, err := h.accounts.Invite(c, orgID(c), userID(c), in, clientOf(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, inv)
}

func (h *orgHandler) listInvitations(c *gin.Context) {
	limit, after, err := pageAfter[accounts.InvitationCursor](c)
	if err != nil {
		respondError(c, err)
		return
	}
	invitations, err := h.accounts.Invitations(c, orgID(c), after, limit+1)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, cursorPage(invitations, limit, func(i accounts.Invitation) accounts.InvitationCursor {
		return accounts.InvitationCursor{At: i.CreatedAt, ID: i.ID}
	}))
}

func (h *orgHandler) revokeInvitation(c *gin.Context) {
	id, ok := pathUUID(c, "id", "pending invitation")
	if !ok {
		return
	}
	if err := h.accounts.RevokeInvitation(c, orgID(c), userID(c), id, clientOf(c)); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *orgHandler) acceptInvitation(c *gin.Context) {
	var in tokenInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	org, err := h.accounts.AcceptInvitation(c, userID(c), in.Token, clientOf(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, org)
}

func pathUUID(c *gin.Context, name, what string) (uuid.UUID, bool) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		respondError(c, problem.New(problem.ErrNotFound, "no such "+what))
		return uuid.Nil, false
	}
	return id, true
}

type roleInput struct {
	Role string `json:"role"`
}

func (h *orgHandler) changeRole(c *gin.Context) {
	user, ok := pathUUID(c, "user", "member")
	if !ok {
		return
	}
	var in roleInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	m, err := h.accounts.ChangeRole(c, orgID(c), userID(c), user, in.Role, clientOf(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

func (h *orgHandler) removeMember(c *gin.Context) {
	user, ok := pathUUID(c, "user", "member")
	if !ok {
		return
	}
	if err := h.accounts.RemoveMember(c, orgID(c), userID(c), user, clientOf(c)); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *orgHandler) createToken(c *gin.Context) {
	var in accounts.CreateTokenInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	t, err := h.accounts.CreateAPIToken(c, orgID(c), userID(c), orgRole(c), in, clientOf(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, t)
}

func (h *orgHandler) listTokens(c *gin.Context) {
	tokens, err := h.accounts.APITokens(c, orgID(c), userID(c), orgRole(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, page[accounts.APIToken]{Items: tokens})
}

func (h *orgHandler) revokeToken(c *gin.Context) {
	id, ok := pathUUID(c, "token", "token")
	if !ok {
		return
	}
	if err := h.accounts.RevokeAPIToken(c, orgID(c), userID(c), orgRole(c), id, clientOf(c)); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *orgHandler) activity(c *gin.Context) {
	var cursor seqCursor
	limit, err := pageParams(c, &cursor)
	if err != nil {
		respondError(c, err)
		return
	}
	q := queryParams{c: c}
	f := accounts.ActivityFilter{Action: c.Query("action"), Actor: q.id("actor", "user"), Token: q.id("token", "token"), Since: q.time("since"), Until: q.time("until")}
	if err := q.err(); err != nil {
		respondError(c, err)
		return
	}
	events, err := h.accounts.OrgActivity(c, orgID(c), f, cursor.BeforeSeq, limit+1)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, activityPage(events, limit))
}
