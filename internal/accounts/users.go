package accounts

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/audit"
	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/store"
)

// User is the account as the API shows it.
type User struct {
	ID             uuid.UUID `json:"id"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	EmailVerified  bool      `json:"email_verified"`
	CreatedAt      time.Time `json:"created_at"`
	SessionVersion int32     `json:"-"`
}

func userFrom(u store.User) User {
	return User{ID: u.ID, Email: u.Email, Name: u.Name, EmailVerified: u.EmailVerifiedAt != nil, CreatedAt: u.CreatedAt, SessionVersion: u.SessionVersion}
}

// SignUpInput is what a person submits to create an account.
type SignUpInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	// Next is where the person was going (an invitation's page): the
	// confirmation link carries it, so signing in after confirming goes on there.
	Next string `json:"next,omitempty"`
}

// Validate names every bad field.
func (in *SignUpInput) Validate() error {
	in.Email = auth.NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	var fields []problem.FieldError
	if msg := auth.EmailProblem(in.Email); msg != "" {
		fields = append(fields, problem.FieldError{Field: "email", Message: msg})
	}
	if msg := auth.PasswordProblem(in.Password, in.Email); msg != "" {
		fields = append(fields, problem.FieldError{Field: "password", Message: msg})
	}
	if msg := auth.TextProblem(in.Name, auth.MaxNameLength); msg != "" {
		fields = append(fields, problem.FieldError{Field: "name", Message: msg})
	}
	if in.Next != "" && !auth.SitePath(in.Next) {
		fields = append(fields, problem.FieldError{Field: "next", Message: "must be a path on this site, such as /accept-invitation?token=…"})
	}
	if len(fields) > 0 {
		return problem.Invalid("the sign-up has invalid fields", fields...)
	}
	return nil
}

// verifyQuery is the confirmation link's query: its token, and where the
// person was going when they signed up (empty: nowhere in particular).
func verifyQuery(secret, next string) url.Values {
	q := url.Values{"token": {secret}}
	if next != "" {
		q.Set("next", next)
	}
	return q
}

// tooMany is the detail of a 429 over the limit of what.
func tooMany(what string) string { return "too many " + what + "; try again later" }

// allow counts a hit of subject against rule: over the limit, a 429 saying "too many what".
func (s *Service) allow(ctx context.Context, rule ratelimit.Rule, subject, what string) error {
	return s.limiter.Check(ctx, rule, subject, tooMany(what))
}

// SignUp creates an unverified account and mails a verification link. When
// the email is taken it mails the owner instead and answers the same, so the
// response never tells whether an email is registered.
func (s *Service) SignUp(ctx context.Context, in SignUpInput, c Client) error {
	if err := in.Validate(); err != nil {
		return err
	}
	if err := s.allow(ctx, SignUpPerIP, c.source(), "sign-ups from this address"); err != nil {
		return err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return err
	}
	secret, tokenHash := auth.NewToken(auth.EmailTokenPrefix)
	var created bool
	var mailID string
	err = s.inTx(ctx, func(q *store.Queries) error {
		u, err := q.CreateUser(ctx, store.CreateUserParams{Email: in.Email, Name: in.Name, PasswordHash: &hash})
		if isNoRows(err) {
			return nil // taken: mail the owner below
		}
		if err != nil {
			return fmt.Errorf("accounts: create user: %w", err)
		}
		created = true
		if err := q.CreateEmailToken(ctx, store.CreateEmailTokenParams{
			TokenHash: tokenHash, Purpose: "verify_email", UserID: u.ID, ExpiresAt: time.Now().Add(VerifyTokenTTL),
		}); err != nil {
			return fmt.Errorf("accounts: create verification token: %w", err)
		}
		if mailID, err = s.enqueue(ctx, q, mail.AfterCommit, "verify_email", in.Email, map[string]string{"Name": in.Name, "Link": s.link("/verify-email", verifyQuery(secret, in.Next)), "ValidFor": formatTTL(VerifyTokenTTL)}); err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Event{Actor: u.ID, Subject: u.ID, Action: audit.SignedUp, TargetType: "user", TargetID: u.ID.String(), IP: c.IP, UserAgent: c.UserAgent})
	})
	if err != nil {
		return err
	}
	if !created {
		// Repeated sign-ups with someone's address must not flood their inbox.
		if hit, err := s.limiter.Allow(ctx, SignUpMailPerEmail, strings.ToLower(in.Email)); err != nil || !hit.Allowed {
			return err
		}
		if mailID, err = s.enqueue(ctx, s.q, mail.AfterCommit, "account_exists", in.Email, map[string]string{"Link": s.link("/forgot-password", url.Values{"email": {in.Email}})}); err != nil {
			return err
		}
	}
	s.dispatch(ctx, mailID)
	return nil
}

var errBadLink = problem.Invalid("the link is invalid, expired or already used", problem.FieldError{Field: "token", Message: "is invalid, expired or already used"})

// VerifyEmailInput is the mailed verification token and the account's password.
type VerifyEmailInput struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// VerifyEmail consumes a verification token, marks the email verified and
// sets the password. Whoever signed up may not own the address: the person
// holding the mailed link chooses the password here (the one from sign-up
// again, or another), so a password someone else chose at sign-up stops
// working, and any session of the account ends. An account already verified
// (by this link, a reset or Google) refuses the link: setting its password is
// a reset's job, which ends more.
func (s *Service) VerifyEmail(ctx context.Context, in VerifyEmailInput, c Client) (User, error) {
	var fields []problem.FieldError
	if in.Token == "" {
		fields = append(fields, problem.FieldError{Field: "token", Message: "is required"})
	}
	if msg := auth.PasswordProblem(in.Password, ""); msg != "" {
		fields = append(fields, problem.FieldError{Field: "password", Message: msg})
	}
	if len(fields) > 0 {
		return User{}, problem.Invalid("the verification has invalid fields", fields...)
	}
	if err := s.allow(ctx, VerifyAttemptPerIP, c.source(), "verification attempts"); err != nil {
		return User{}, err
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	var user store.User
	err = s.inTx(ctx, func(q *store.Queries) error {
		userID, err := q.UseEmailToken(ctx, store.UseEmailTokenParams{TokenHash: auth.HashToken(in.Token), Purpose: "verify_email"})
		if isNoRows(err) {
			return errBadLink
		}
		if err != nil {
			return fmt.Errorf("accounts: use token: %w", err)
		}
		if user, err = q.GetUser(ctx, userID); err != nil {
			return fmt.Errorf("accounts: get user: %w", err)
		}
		if user.EmailVerifiedAt != nil {
			return errBadLink
		}
		// Rolling back leaves the link unused, to try again with another password.
		if msg := auth.PasswordProblem(in.Password, user.Email); msg != "" {
			return problem.Invalid("the verification has invalid fields", problem.FieldError{Field: "password", Message: msg})
		}
		if _, err := q.SetPassword(ctx, store.SetPasswordParams{ID: userID, PasswordHash: &hash}); err != nil {
			return fmt.Errorf("accounts: set password: %w", err)
		}
		if err := q.MarkEmailVerified(ctx, userID); err != nil {
			return fmt.Errorf("accounts: mark verified: %w", err)
		}
		if user, err = q.GetUser(ctx, userID); err != nil {
			return fmt.Errorf("accounts: get user: %w", err)
		}
		return audit.Record(ctx, q, audit.Event{Actor: userID, Subject: userID, Action: audit.EmailVerified, TargetType: "user", TargetID: userID.String(), IP: c.IP, UserAgent: c.UserAgent,
			Metadata: map[string]any{"password_set": true}})
	})
	return userFrom(user), err
}

// SignInInput is an email and password sign-in.
type SignInInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Device is the known-device secret the browser presented (its cookie), if any.
	Device string `json:"-"`
}

func (in *SignInInput) Validate() error {
	in.Email = auth.NormalizeEmail(in.Email)
	var fields []problem.FieldError
	if in.Email == "" || auth.TextProblem(in.Email, auth.MaxEmailLength) != "" {
		fields = append(fields, problem.FieldError{Field: "email", Message: "is required: text of at most 254 bytes"})
	}
	if in.Password == "" || len(in.Password) > auth.MaxPasswordBytes || strings.ContainsRune(in.Password, 0) {
		fields = append(fields, problem.FieldError{Field: "password", Message: "is required: at most 256 bytes, no NUL"})
	}
	if len(fields) > 0 {
		return problem.Invalid("the sign-in has invalid fields", fields...)
	}
	return nil
}

var errBadCredentials = problem.New(problem.ErrUnauthenticated, "email or password is wrong")

// SignIn checks a password. Wrong passwords and unknown emails fail alike, in
// alike time; too many attempts answer 429 (see signInLimits): a browser that
// signed in to the account before is limited on its own, so failures from
// elsewhere cannot lock its owner out.
func (s *Service) SignIn(ctx context.Context, in SignInInput, c Client) (User, error) {
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	if !s.signIn.configured() {
		return User{}, errSignInNotConfigured
	}
	account := strings.ToLower(in.Email)
	u, lookupErr := s.q.GetUserByEmail(ctx, in.Email)
	if lookupErr != nil && !isNoRows(lookupErr) {
		return User{}, fmt.Errorf("accounts: look up user: %w", lookupErr)
	}
	event := audit.Event{IP: c.IP, UserAgent: c.UserAgent, TargetType: "user", Metadata: map[string]any{"email": in.Email}}
	if lookupErr == nil {
		event.Subject, event.TargetID = u.ID, u.ID.String()
	}
	knownAs, err := s.knownDeviceID(ctx, in.Device, u.ID) // u.ID is uuid.Nil for an unknown email
	if err != nil {
		return User{}, err
	}

	// Every attempt counts before the password is checked, so parallel guesses
	// cannot slip past a limit; a success then undoes what is not its to count.
	limits := s.signInLimits(account, c, knownAs)
	hits := make([]ratelimit.Hit, len(limits))
	for i, l := range limits {
		hit, err := s.limiter.Allow(ctx, l.rule, l.subject)
		if err != nil {
			return User{}, err
		}
		hits[i] = hit
		if hit.Allowed {
			continue
		}
		if l.audited {
			event.Action = audit.SignInRateLimited
			event.Metadata["limit"] = l.rule.Name
			if err := audit.Record(ctx, s.q, event); err != nil {
				return User{}, err
			}
		}
		return User{}, ratelimit.Refused(hit.RetryAfter, tooMany(l.what))
	}

	ok := false
	if lookupErr == nil && u.PasswordHash != nil {
		if ok, err = auth.CheckPassword(*u.PasswordHash, in.Password); err != nil {
			return User{}, err
		}
	} else {
		auth.SpendPasswordCheck(in.Password)
	}
	if !ok {
		event.Action = audit.SignInFailed
		if err := audit.Record(ctx, s.q, event); err != nil {
			return User{}, err
		}
		return User{}, errBadCredentials
	}
	if u.EmailVerifiedAt == nil {
		// Only someone with the right password learns this.
		return User{}, problem.New(problem.ErrForbidden, "confirm your email address first: follow the link we sent you")
	}
	for i, l := range limits {
		switch l.onSuccess {
		case clearCount:
			err = s.limiter.Reset(ctx, l.rule, l.subject)
		case refundHit:
			err = s.limiter.Refund(ctx, l.rule, l.subject, hits[i])
		}
		if err != nil {
			return User{}, err
		}
	}
	event.Action, event.Actor = audit.SignInSucceeded, u.ID
	if knownAs != uuid.Nil {
		event.Metadata["known_device"] = true
	}
	if err := audit.Record(ctx, s.q, event); err != nil {
		return User{}, err
	}
	return userFrom(u), nil
}

// RecordSignOut notes a sign-out in the audit log.
func (s *Service) RecordSignOut(ctx context.Context, userID uuid.UUID, c Client) error {
	return audit.Record(ctx, s.q, audit.Event{Actor: userID, Subject: userID, Action: audit.SignedOut, TargetType: "user", TargetID: userID.String(), IP: c.IP, UserAgent: c.UserAgent})
}

// ForgotPassword hands the request to a workflow and answers the same whether
// or not the account exists. The API does the same work either way, so its
// timing tells nothing: looking the account up and mailing the link happen in
// SendPasswordReset.
func (s *Service) ForgotPassword(ctx context.Context, email string, c Client) error {
	email = auth.NormalizeEmail(email)
	if msg := auth.EmailProblem(email); msg != "" {
		return problem.Invalid("invalid email", problem.FieldError{Field: "email", Message: msg})
	}
	if err := s.allow(ctx, ResetPerIP, c.source(), "password reset requests from this address"); err != nil {
		return err
	}
	// The address and client stay in this row; the workflow gets its id only.
	id := uuid.New()
	if err := s.q.InsertPasswordReset(ctx, store.InsertPasswordResetParams{ID: id, Email: email, IP: c.IP, UserAgent: c.UserAgent}); err != nil {
		return fmt.Errorf("accounts: store password reset request: %w", err)
	}
	if err := s.mailer.StartPasswordReset(ctx, id); err != nil {
		s.logger.WarnContext(ctx, "password reset not started", slog.Any("error", err))
		return problem.New(problem.ErrUnavailable, "password resets are unavailable for a moment: try again shortly")
	}
	return nil
}

// SendPasswordReset carries out forgot-password request id: it mails a reset
// link when the account exists and returns the outbox id of that mail (""
// when there is no such account). It is idempotent on id: a retry answers the
// first outcome and mails nothing new.
func (s *Service) SendPasswordReset(ctx context.Context, id uuid.UUID) (string, error) {
	var mailID string
	err := s.inTx(ctx, func(q *store.Queries) error {
		r, err := q.ClaimPasswordReset(ctx, id)
		if isNoRows(err) {
			mailID, err = q.PasswordResetMail(ctx, id)
			if isNoRows(err) {
				return nil // pruned long ago
			}
			return err
		}
		if err != nil {
			return fmt.Errorf("accounts: claim password reset: %w", err)
		}
		// Over the per-address limit the request is dropped silently: the API's answer was the same
		// anyway, but a flood of mails to one person must stop. Counted here, once per request
		// that reached its workflow, so a request refused with a 503 costs nothing.
		if hit, err := s.limiter.Allow(ctx, ResetMailPerEmail, strings.ToLower(r.Email)); err != nil || !hit.Allowed {
			return err
		}
		u, err := q.GetUserByEmail(ctx, r.Email)
		if isNoRows(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("accounts: look up user: %w", err)
		}
		secret, tokenHash := auth.NewToken(auth.EmailTokenPrefix)
		if err := q.CreateEmailToken(ctx, store.CreateEmailTokenParams{TokenHash: tokenHash, Purpose: "reset_password", UserID: u.ID, ExpiresAt: time.Now().Add(ResetTokenTTL)}); err != nil {
			return fmt.Errorf("accounts: create reset token: %w", err)
		}
		if mailID, err = s.enqueue(ctx, q, mail.ByWorkflow, "reset_password", u.Email, map[string]string{"Link": s.link("/reset-password", url.Values{"token": {secret}}), "ValidFor": formatTTL(ResetTokenTTL)}); err != nil {
			return err
		}
		if err := q.SetPasswordResetMail(ctx, store.SetPasswordResetMailParams{ID: id, MailID: mailID}); err != nil {
			return fmt.Errorf("accounts: record reset mail: %w", err)
		}
		return audit.Record(ctx, q, audit.Event{Subject: u.ID, Action: audit.PasswordResetSent, TargetType: "user", TargetID: u.ID.String(), IP: r.IP, UserAgent: r.UserAgent})
	})
	return mailID, err
}

// ResetPasswordInput carries the emailed token and the new password.
type ResetPasswordInput struct {
	Token    string `json:"token"`
	Password string `json:"password"`
	// Device is the known-device secret the browser presented (its cookie), if any.
	Device string `json:"-"`
}

// ResetPassword sets a new password with a reset token, once. Every existing
// session of the account is signed out, every API token it created (in any
// organisation) is revoked, its other links are spent, and the email counts
// as verified. The account's known devices are forgotten, so a device cookie
// copied from one of them is worth nothing afterwards, and the browser that
// resets becomes its only known device: it returns that browser's cookie.
// Whoever keeps the account-wide sign-in cap full cannot lock the owner out:
// a reset, never blocked by sign-in limits, always leaves a browser that signs in.
func (s *Service) ResetPassword(ctx context.Context, in ResetPasswordInput, c Client) (KnownDevice, error) {
	var fields []problem.FieldError
	if in.Token == "" {
		fields = append(fields, problem.FieldError{Field: "token", Message: "is required"})
	}
	if msg := auth.PasswordProblem(in.Password, ""); msg != "" {
		fields = append(fields, problem.FieldError{Field: "password", Message: msg})
	}
	if len(fields) > 0 {
		return KnownDevice{}, problem.Invalid("the reset has invalid fields", fields...)
	}
	if err := s.allow(ctx, ResetPerIP, c.source(), "password reset attempts from this address"); err != nil {
		return KnownDevice{}, err
	}
	if !s.signIn.configured() {
		return KnownDevice{}, errSignInNotConfigured
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return KnownDevice{}, err
	}
	var email string
	var device KnownDevice
	err = s.inTx(ctx, func(q *store.Queries) error {
		userID, err := q.UseEmailToken(ctx, store.UseEmailTokenParams{TokenHash: auth.HashToken(in.Token), Purpose: "reset_password"})
		if isNoRows(err) {
			return errBadLink
		}
		if err != nil {
			return fmt.Errorf("accounts: use token: %w", err)
		}
		if _, err := q.SetPassword(ctx, store.SetPasswordParams{ID: userID, PasswordHash: &hash}); err != nil {
			return fmt.Errorf("accounts: set password: %w", err)
		}
		if err := spendLinks(ctx, q, userID, "reset_password", "verify_email"); err != nil {
			return err
		}
		if err := q.ForgetUserDevices(ctx, userID); err != nil {
			return fmt.Errorf("accounts: forget known devices: %w", err)
		}
		if device, err = s.rememberDevice(ctx, q, userID, in.Device); err != nil {
			return err
		}
		if err := q.MarkEmailVerified(ctx, userID); err != nil {
			return fmt.Errorf("accounts: mark verified: %w", err)
		}
		u, err := q.GetUser(ctx, userID)
		if err != nil {
			return fmt.Errorf("accounts: get user: %w", err)
		}
		email = u.Email
		// Whoever could reset the password may have minted tokens with it: they end
		// with it, each revocation in its organisation's audit log.
		revoked, err := q.RevokeUserAPITokens(ctx, userID)
		if err != nil {
			return fmt.Errorf("accounts: revoke tokens: %w", err)
		}
		for _, t := range revoked {
			if err := audit.Record(ctx, q, audit.Event{OrgID: t.OrgID, Actor: userID, Action: audit.TokenRevoked, TargetType: "api_token", TargetID: t.ID.String(), IP: c.IP, UserAgent: c.UserAgent,
				Metadata: map[string]any{"name": t.Name, "reason": "password reset"}}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, audit.Event{Actor: userID, Subject: userID, Action: audit.PasswordReset, TargetType: "user", TargetID: userID.String(), IP: c.IP, UserAgent: c.UserAgent,
			Metadata: map[string]any{"tokens_revoked": len(revoked)}})
	})
	if err != nil {
		return KnownDevice{}, err
	}
	// Guesses at the old password say nothing about the new one: the account,
	// and the address the owner reset it from, start afresh. The reset is
	// committed: failing to clear a count must not cost it its answer (and
	// its browser the cookie), the browser signs in as a known device anyway.
	account := strings.ToLower(email)
	for _, l := range []struct {
		rule    ratelimit.Rule
		subject string
	}{{s.signIn.perAccount, account}, {s.signIn.perAccountAndIP, accountAndSource(account, c)}} {
		if err := s.limiter.Reset(ctx, l.rule, l.subject); err != nil {
			s.logger.WarnContext(ctx, "password reset: clearing sign-in failures", "limit", l.rule.Name, "error", err)
		}
	}
	return device, nil
}

// spendLinks voids the mailed links of the given purposes the user has not
// used: once the address is proved and the password set, a pending
// verification or reset link must not set it again.
func spendLinks(ctx context.Context, q *store.Queries, userID uuid.UUID, purposes ...string) error {
	for _, purpose := range purposes {
		if err := q.SpendUserTokens(ctx, store.SpendUserTokensParams{UserID: userID, Purpose: purpose}); err != nil {
			return fmt.Errorf("accounts: spend %s links: %w", purpose, err)
		}
	}
	return nil
}

// UserByID returns an account; a missing one is ErrNotFound.
func (s *Service) UserByID(ctx context.Context, id uuid.UUID) (User, error) {
	u, err := s.q.GetUser(ctx, id)
	if isNoRows(err) {
		return User{}, problem.New(problem.ErrNotFound, "no such user")
	}
	if err != nil {
		return User{}, fmt.Errorf("accounts: get user: %w", err)
	}
	return userFrom(u), nil
}

// GoogleStartPerIP bounds anonymous sign-in starts, each of which stores a session.
var GoogleStartPerIP = ratelimit.Rule{Name: "google-start-ip", Max: 60, Window: 10 * time.Minute}

// AllowGoogleStart answers 429 to an address starting too many Google sign-ins.
func (s *Service) AllowGoogleStart(ctx context.Context, c Client) error {
	return s.allow(ctx, GoogleStartPerIP, c.source(), "sign-in attempts from this address")
}

// GoogleProfile is what Google (OpenID Connect) says about the person signing in.
type GoogleProfile struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// SignInWithGoogle signs in the account linked to this Google identity; the
// first time, it links to the account with the same email, or creates one,
// but only when Google says the email is verified.
func (s *Service) SignInWithGoogle(ctx context.Context, p GoogleProfile, c Client) (User, error) {
	if p.Subject == "" {
		return User{}, problem.New(problem.ErrUnauthenticated, "Google did not identify the account")
	}
	if id, err := s.q.GetIdentity(ctx, store.GetIdentityParams{Provider: "google", Subject: p.Subject}); err == nil {
		u, err := s.q.GetUser(ctx, id.UserID)
		if err != nil {
			return User{}, fmt.Errorf("accounts: get user: %w", err)
		}
		return userFrom(u), audit.Record(ctx, s.q, audit.Event{Actor: u.ID, Subject: u.ID, Action: audit.SignInSucceeded, TargetType: "user", TargetID: u.ID.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"method": "google"}})
	} else if !isNoRows(err) {
		return User{}, fmt.Errorf("accounts: look up identity: %w", err)
	}
	if !p.EmailVerified || auth.EmailProblem(p.Email) != "" {
		return User{}, problem.New(problem.ErrForbidden, "Google has not verified this email address, so it cannot be used to sign in")
	}
	var user store.User
	err := s.inTx(ctx, func(q *store.Queries) error {
		u, err := q.GetUserByEmail(ctx, p.Email)
		if isNoRows(err) {
			u, err = q.CreateVerifiedUser(ctx, store.CreateVerifiedUserParams{Email: p.Email, Name: p.Name})
		}
		if err != nil {
			return fmt.Errorf("accounts: find or create user: %w", err)
		}
		if err := q.ClearUnverifiedPassword(ctx, u.ID); err != nil {
			return err
		}
		if err := spendLinks(ctx, q, u.ID, "verify_email"); err != nil {
			return err
		}
		if err := q.MarkEmailVerified(ctx, u.ID); err != nil {
			return err
		}
		if err := q.CreateIdentity(ctx, store.CreateIdentityParams{Provider: "google", Subject: p.Subject, UserID: u.ID, Email: p.Email}); err != nil {
			return fmt.Errorf("accounts: link identity: %w", err)
		}
		// Read again: dropping a password bumped the session version the new session must carry.
		if user, err = q.GetUser(ctx, u.ID); err != nil {
			return fmt.Errorf("accounts: get user: %w", err)
		}
		if err := audit.Record(ctx, q, audit.Event{Actor: u.ID, Subject: u.ID, Action: audit.GoogleLinked, TargetType: "user", TargetID: u.ID.String(), IP: c.IP, UserAgent: c.UserAgent}); err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Event{Actor: u.ID, Subject: u.ID, Action: audit.SignInSucceeded, TargetType: "user", TargetID: u.ID.String(), IP: c.IP, UserAgent: c.UserAgent, Metadata: map[string]any{"method": "google"}})
	})
	return userFrom(user), err
}

// BootstrapInput creates an account from the command line (no email round trip).
type BootstrapInput struct {
	Email    string
	Password string
	Name     string
	// Org is an existing organisation's id to join, or the name of a new one to create.
	Org  string
	Role string
}

// Bootstrap creates a verified account (or reuses one with that email) and
// puts it in an organisation: `astralis admin create-user` and the dev seed.
func (s *Service) Bootstrap(ctx context.Context, in BootstrapInput) (User, Organization, error) {
	signUp := SignUpInput{Email: in.Email, Password: in.Password, Name: in.Name}
	if err := signUp.Validate(); err != nil {
		return User{}, Organization{}, err
	}
	role, err := auth.ParseRole(in.Role)
	if err != nil {
		return User{}, Organization{}, problem.Invalid("invalid role", problem.FieldError{Field: "role", Message: err.Error()})
	}
	hash, err := auth.HashPassword(signUp.Password)
	if err != nil {
		return User{}, Organization{}, err
	}
	c := Client{UserAgent: "astralis admin"}
	var user store.User
	var org Organization
	err = s.inTx(ctx, func(q *store.Queries) error {
		var err error
		user, err = q.CreateUser(ctx, store.CreateUserParams{Email: signUp.Email, Name: signUp.Name, PasswordHash: &hash})
		if isNoRows(err) {
			user, err = q.GetUserByEmail(ctx, signUp.Email)
			if err == nil && user.EmailVerifiedAt == nil {
				// Nobody proved this address: whoever signed up with it must not keep a way in.
				_, err = q.SetPassword(ctx, store.SetPasswordParams{ID: user.ID, PasswordHash: &hash})
			}
		}
		if err != nil {
			return fmt.Errorf("accounts: create user: %w", err)
		}
		if err := spendLinks(ctx, q, user.ID, "verify_email"); err != nil {
			return err
		}
		if err := q.MarkEmailVerified(ctx, user.ID); err != nil {
			return err
		}
		if id, err := uuid.Parse(in.Org); err == nil {
			o, err := q.GetOrganization(ctx, id)
			if err != nil {
				return problem.New(problem.ErrNotFound, "no organisation with id "+in.Org)
			}
			if _, err := q.AddMember(ctx, store.AddMemberParams{OrgID: o.ID, UserID: user.ID, Role: string(role)}); err != nil {
				return err
			}
			org = orgFrom(o, role)
			return audit.Record(ctx, q, audit.Event{OrgID: o.ID, Subject: user.ID, Action: audit.MemberAdded, TargetType: "user", TargetID: user.ID.String(), UserAgent: c.UserAgent, Metadata: map[string]any{"role": role, "via": "cli"}})
		}
		if role != auth.RoleAdmin {
			return problem.Invalid("a new organisation's first member is its ADMIN", problem.FieldError{Field: "role", Message: "must be ADMIN when --org names a new organisation"})
		}
		name := strings.TrimSpace(in.Org)
		if name == "" {
			return problem.Invalid("invalid organisation", problem.FieldError{Field: "org", Message: "is required: an organisation id or a new organisation's name"})
		}
		if msg := orgNameProblem(name); msg != "" {
			return problem.Invalid("invalid organisation", problem.FieldError{Field: "org", Message: msg})
		}
		o, err := q.CreateOrganization(ctx, store.CreateOrganizationParams{Name: name, CreatedBy: &user.ID})
		if err != nil {
			return err
		}
		if _, err := q.AddMember(ctx, store.AddMemberParams{OrgID: o.ID, UserID: user.ID, Role: string(auth.RoleAdmin)}); err != nil {
			return err
		}
		org = orgFrom(o, auth.RoleAdmin)
		return audit.Record(ctx, q, audit.Event{OrgID: o.ID, Actor: user.ID, Action: audit.OrgCreated, TargetType: "organization", TargetID: o.ID.String(), UserAgent: c.UserAgent, Metadata: map[string]any{"name": name, "via": "cli"}})
	})
	return userFrom(user), org, err
}
