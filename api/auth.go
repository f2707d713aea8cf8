package api

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/audit"
	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/problem"
)

// Session keys.
const (
	sessionUserID  = "user_id"
	sessionVersion = "session_version"
)

// principal is who a request acts as: a signed-in user, or an API token bound to one organisation.
type principal struct {
	User  accounts.User
	Token *accounts.TokenPrincipal
}

const principalKey = "principal"

func principalOf(c *gin.Context) (principal, bool) {
	p, ok := c.Get(principalKey)
	if !ok {
		return principal{}, false
	}
	return p.(principal), true
}

func clientOf(c *gin.Context) accounts.Client {
	return accounts.Client{IP: c.ClientIP(), UserAgent: c.Request.UserAgent()}
}

// authenticator resolves the caller from a Bearer token or the session cookie
// and refuses cross-site state-changing requests that ride on the cookie.
type authenticator struct {
	accounts *accounts.Service
	sessions *scs.SessionManager
	origins  []string
}

func (a *authenticator) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		if header := c.GetHeader("Authorization"); header != "" {
			secret, ok := strings.CutPrefix(header, "Bearer ")
			if !ok {
				respondError(c, problem.New(problem.ErrUnauthenticated, "Authorization must be \"Bearer <token>\""))
				return
			}
			tp, err := a.accounts.AuthenticateToken(c, strings.TrimSpace(secret))
			if err != nil {
				respondError(c, err)
				return
			}
			user, err := a.accounts.UserByID(c, tp.UserID)
			if err != nil {
				respondError(c, err)
				return
			}
			c.Set(principalKey, principal{User: user, Token: &tp})
			// What the token does is audited as the token's, not only its creator's.
			c.Request = c.Request.WithContext(audit.WithActorToken(c.Request.Context(), tp.TokenID))
			c.Next()
			return
		}

		if isStateChanging(c.Request.Method) && !a.sameSite(c.Request) {
			respondError(c, problem.New(problem.ErrForbidden, "cross-site request refused: the Origin is not allowed"))
			return
		}
		if id := a.sessions.GetString(c, sessionUserID); id != "" {
			userID, err := uuid.Parse(id)
			if err == nil {
				user, err := a.accounts.UserByID(c, userID)
				switch {
				case err == nil && user.SessionVersion == int32(a.sessions.GetInt(c, sessionVersion)):
					c.Set(principalKey, principal{User: user})
				case err == nil || errors.Is(err, problem.ErrNotFound):
					// Signed out elsewhere (password reset) or deleted: drop the stale session.
					_ = a.sessions.Destroy(c)
				default:
					respondError(c, err) // a database hiccup must not sign people out
					return
				}
			}
		}
		c.Next()
	}
}

func isStateChanging(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// sameSite checks Origin, or Referer when a browser sent no Origin. A request
// with neither comes from a non-browser client, which cannot be forged by a page.
func (a *authenticator) sameSite(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		if ref, err := url.Parse(r.Header.Get("Referer")); err == nil && ref.Host != "" {
			origin = ref.Scheme + "://" + ref.Host
		}
	}
	if origin == "" {
		_, err := r.Cookie(a.sessions.Cookie.Name)
		return err != nil // a cookie with no origin at all is not trusted
	}
	return slices.Contains(a.origins, origin)
}

// signIn starts a fresh session (a new token defeats session fixation) and
// remembers the browser as a known device of the account.
func (a *authenticator) signIn(c *gin.Context, u accounts.User) error {
	if err := a.sessions.RenewToken(c); err != nil {
		return err
	}
	a.sessions.Put(c, sessionUserID, u.ID.String())
	a.sessions.Put(c, sessionVersion, int(u.SessionVersion))
	noStore(c.Writer.Header()) // the answer carries the new session
	device, err := a.accounts.RememberDevice(c, u.ID, knownDevice(c))
	if err != nil {
		return err
	}
	a.setDeviceCookie(c, device)
	return nil
}

// setDeviceCookie gives the browser its known-device cookie.
func (a *authenticator) setDeviceCookie(c *gin.Context, device accounts.KnownDevice) {
	noStore(c.Writer.Header())
	http.SetCookie(c.Writer, &http.Cookie{
		Name: deviceCookie, Value: device.Secret, Path: deviceCookiePath, Expires: device.Expires,
		HttpOnly: true, Secure: a.sessions.Cookie.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// The known-device cookie: a browser that signed in to an account before
// keeps signing in to it whatever others try (see accounts.SignIn). Only
// sign-in routes need it.
const (
	deviceCookie     = "astralis_device"
	deviceCookiePath = "/api/v1/auth/"
)

// knownDevice is the browser's known-device secret, or "".
func knownDevice(c *gin.Context) string {
	secret, err := c.Cookie(deviceCookie)
	if err != nil {
		return ""
	}
	return secret
}

// requireUser answers 401 unless the request is authenticated.
func requireUser(c *gin.Context) {
	if _, ok := principalOf(c); !ok {
		respondError(c, problem.New(problem.ErrUnauthenticated, "sign in or send an API token"))
		return
	}
	c.Next()
}

// TypeSessionRequired is the problem type of an API token on a route only a signed-in person may use.
const TypeSessionRequired = "session-required"

// requireSession refuses API tokens where only a person may act: who belongs
// to an organisation and with what role (members, invitations, API tokens),
// creating organisations, and account history. A leaked token can then do its
// work but cannot let anyone in or mint its own successors.
func requireSession(c *gin.Context) {
	if p, _ := principalOf(c); p.Token != nil {
		respondError(c, &problem.Error{Kind: problem.ErrForbidden, Type: TypeSessionRequired,
			Detail: "API tokens cannot do this: sign in as a person (members, roles, invitations and API tokens are managed in person)"})
		return
	}
	c.Next()
}

// Organisation scope: the one middleware every /orgs/:org route passes.
const (
	orgIDKey   = "org_id"
	orgRoleKey = "org_role"
)

// orgScope resolves :org, checks membership (or the token's organisation) and
// stores the organisation and role for the handler. Outsiders get 404.
func (a *authenticator) orgScope(c *gin.Context) {
	p, _ := principalOf(c)
	notFound := problem.New(problem.ErrNotFound, "no such organisation")
	orgID, err := uuid.Parse(c.Param("org"))
	if err != nil {
		respondError(c, notFound)
		return
	}
	var role auth.Role
	if p.Token != nil {
		if p.Token.OrgID != orgID {
			respondError(c, notFound)
			return
		}
		role = p.Token.Role
	} else if role, err = a.accounts.Role(c, orgID, p.User.ID); err != nil {
		respondError(c, err)
		return
	}
	c.Set(orgIDKey, orgID)
	c.Set(orgRoleKey, role)
	c.Next()
}

// requireRole answers 403 to members below min.
func requireRole(min auth.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !orgRole(c).AtLeast(min) {
			respondError(c, problem.New(problem.ErrForbidden, "this needs the "+string(min)+" role"))
			return
		}
		c.Next()
	}
}

func orgID(c *gin.Context) uuid.UUID   { return c.MustGet(orgIDKey).(uuid.UUID) }
func orgRole(c *gin.Context) auth.Role { return c.MustGet(orgRoleKey).(auth.Role) }
func userID(c *gin.Context) uuid.UUID {
	p, _ := principalOf(c)
	return p.User.ID
}
