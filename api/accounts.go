package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/astralisops/astralis/internal/accounts"
)

// accountHandler serves sign-up, sign-in, verification, password reset and /me.
type accountHandler struct {
	accounts *accounts.Service
	auth     *authenticator
}

// accepted is the answer to requests whose outcome must not reveal whether an email is registered.
func accepted(c *gin.Context, message string) {
	c.JSON(http.StatusAccepted, gin.H{"status": "accepted", "message": message})
}

func (h *accountHandler) signUp(c *gin.Context) {
	var in accounts.SignUpInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	if err := h.accounts.SignUp(c, in, clientOf(c)); err != nil {
		respondError(c, err)
		return
	}
	accepted(c, "check your inbox: we sent a link to confirm the address")
}

func (h *accountHandler) signIn(c *gin.Context) {
	var in accounts.SignInInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	in.Device = knownDevice(c)
	user, err := h.accounts.SignIn(c, in, clientOf(c))
	if err != nil {
		respondError(c, err)
		return
	}
	if err := h.auth.signIn(c, user); err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, user)
}

func (h *accountHandler) signOut(c *gin.Context) {
	if p, ok := principalOf(c); ok && p.Token == nil {
		if err := h.accounts.RecordSignOut(c, p.User.ID, clientOf(c)); err != nil {
			respondError(c, err)
			return
		}
	}
	if err := h.auth.sessions.Destroy(c); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type tokenInput struct {
	Token string `json:"token"`
}

func (h *accountHandler) verifyEmail(c *gin.Context) {
	var in accounts.VerifyEmailInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	user, err := h.accounts.VerifyEmail(c, in, clientOf(c))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, user)
}

type emailInput struct {
	Email string `json:"email"`
}

func (h *accountHandler) forgotPassword(c *gin.Context) {
	var in emailInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	if err := h.accounts.ForgotPassword(c, in.Email, clientOf(c)); err != nil {
		respondError(c, err)
		return
	}
	accepted(c, "if an account uses this address, we sent it a link to reset the password")
}

func (h *accountHandler) resetPassword(c *gin.Context) {
	var in accounts.ResetPasswordInput
	if err := decodeJSON(c, &in); err != nil {
		respondError(c, err)
		return
	}
	in.Device = knownDevice(c)
	device, err := h.accounts.ResetPassword(c, in, clientOf(c))
	if err != nil {
		respondError(c, err)
		return
	}
	// The person resetting is not signed in by it: they sign in with the new
	// password, from this browser, now the account's known device.
	_ = h.auth.sessions.Destroy(c)
	h.auth.setDeviceCookie(c, device)
	c.Status(http.StatusNoContent)
}

type meResponse struct {
	accounts.User
	// Organization is set when the caller is an API token: the one it is bound to.
	Organization *accounts.Organization `json:"organization,omitempty"`
}

func (h *accountHandler) me(c *gin.Context) {
	p, _ := principalOf(c)
	out := meResponse{User: p.User}
	if p.Token != nil {
		org, err := h.accounts.Organization(c, p.Token.OrgID, p.Token.Role)
		if err != nil {
			respondError(c, err)
			return
		}
		out.Organization = &org
	}
	c.JSON(http.StatusOK, out)
}

func (h *accountHandler) myActivity(c *gin.Context) {
	var cursor seqCursor
	limit, err := pageParams(c, &cursor)
	if err != nil {
		respondError(c, err)
		return
	}
	events, err := h.accounts.UserActivity(c, userID(c), cursor.BeforeSeq, limit+1)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, activityPage(events, limit))
}

func activityPage(events []accounts.ActivityEvent, limit int) page[accounts.ActivityEvent] {
	return seqPage(events, limit, func(e accounts.ActivityEvent) int64 { return e.Seq })
}
