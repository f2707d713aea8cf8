package calsync

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"google.golang.org/api/calendar/v3"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/gcal"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Connection states as the API shows them.
const (
	StateNotConnected = "not_connected"
	StateConnected    = "connected"
	StateBroken       = "broken"
)

// Status is an operator's calendar connection as the API shows it: never a token.
type Status struct {
	Enabled bool `json:"enabled"`
	// Missing names the settings that would turn the feature on, when it is off.
	Missing            []string   `json:"missing_settings,omitempty"`
	State              string     `json:"state"`
	CalendarID         string     `json:"calendar_id,omitempty"`
	ConnectedAt        *time.Time `json:"connected_at,omitempty"`
	LastSyncAt         *time.Time `json:"last_sync_at,omitempty"`
	NextChannelRenewal *time.Time `json:"next_channel_renewal,omitempty"`
	LastError          string     `json:"last_error,omitempty"`
}

// connectStateTTL is how long an operator has to consent at Google.
const connectStateTTL = 10 * time.Minute

var errNotYours = problem.New(problem.ErrForbidden, "operators manage only their own calendar; ADMINs may see and disconnect anyone's")

func mayManage(actor bookings.Actor, operator uuid.UUID) bool {
	return actor.Role == auth.RoleAdmin || (actor.Role == auth.RoleOperator && actor.UserID == operator)
}

// StartConnect begins connecting the actor's own Google Calendar: it answers
// the Google consent page's URL, carrying a one-time state bound to the
// organisation and operator.
func (s *Service) StartConnect(ctx context.Context, org uuid.UUID, actor bookings.Actor, operator uuid.UUID) (string, error) {
	if err := s.checkEnabled(); err != nil {
		return "", err
	}
	if actor.UserID != operator || !actor.Role.AtLeast(auth.RoleOperator) {
		return "", problem.New(problem.ErrForbidden, "an operator connects their own Google Calendar")
	}
	if err := s.bookings.CheckOperator(ctx, org, operator); err != nil {
		return "", err
	}
	state, hash := auth.NewToken("")
	if err := s.q.SaveCalendarConnectState(ctx, store.SaveCalendarConnectStateParams{StateHash: hash, OrgID: org, UserID: operator,
		ExpiresAt: s.now().Add(connectStateTTL)}); err != nil {
		return "", fmt.Errorf("calsync: connect: %w", err)
	}
	return gcal.ConsentURL(s.oauth, state), nil
}

var errBadState = problem.New(problem.ErrInvalid, "this calendar connection link is unknown, used or expired: connect again")

// takeState spends a state StartConnect gave user: one answer from Google per state.
func (s *Service) takeState(ctx context.Context, user uuid.UUID, state string) (store.CalendarConnectState, error) {
	st, err := s.q.TakeCalendarConnectState(ctx, auth.HashToken(state))
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (st.ExpiresAt.Before(s.now()) || subtle.ConstantTimeCompare(st.UserID[:], user[:]) != 1)) {
		return st, errBadState
	}
	if err != nil {
		return st, fmt.Errorf("calsync: connect: %w", err)
	}
	return st, nil
}

// AbandonConnect spends the state of a connect that ended on Google's consent
// page without access (the operator said no, or Google failed) and answers
// its organisation, for the page they return to; ok is false when the state
// is unknown, used, expired or another user's. Nothing is kept.
func (s *Service) AbandonConnect(ctx context.Context, user uuid.UUID, state string) (org uuid.UUID, ok bool, err error) {
	st, err := s.takeState(ctx, user, state)
	if errors.Is(err, errBadState) {
		return uuid.Nil, false, nil
	}
	return st.OrgID, err == nil, err
}

// FinishConnect completes a connect with Google's answer: the state must be
// one StartConnect gave the signed-in user, and the code is exchanged for a
// refresh token, sealed and kept. It answers the connection (new, or
// reconnected: the sync starts over).
func (s *Service) FinishConnect(ctx context.Context, user uuid.UUID, state, code string) (store.CalendarConnection, error) {
	if err := s.checkEnabled(); err != nil {
		return store.CalendarConnection{}, err
	}
	st, err := s.takeState(ctx, user, state)
	if err != nil {
		return store.CalendarConnection{}, err
	}
	if code == "" {
		return store.CalendarConnection{}, problem.Invalid("Google did not grant access", problem.FieldError{Field: "code", Message: "required"})
	}
	token, err := s.oauth.Exchange(s.httpContext(ctx), code)
	if err != nil {
		return store.CalendarConnection{}, problem.New(problem.ErrInvalid, "Google refused the authorisation code: connect again")
	}
	if scope, _ := token.Extra("scope").(string); scope != "" && !strings.Contains(scope, calendar.CalendarEventsScope) {
		return store.CalendarConnection{}, problem.New(problem.ErrInvalid, "calendar access was not granted on Google's consent page: connect again and allow it")
	}
	if token.RefreshToken == "" {
		return store.CalendarConnection{}, problem.New(problem.ErrInvalid, "Google gave no refresh token (offline access was not granted): connect again")
	}
	conn, err := s.q.SaveCalendarConnection(ctx, store.SaveCalendarConnectionParams{OrgID: st.OrgID, UserID: st.UserID,
		RefreshToken: s.sealToken(st.OrgID, st.UserID, token.RefreshToken)})
	if err != nil {
		return conn, fmt.Errorf("calsync: connect: %w", err)
	}
	return conn, nil
}

// Disconnect forgets the operator's calendar: the push channel is stopped,
// the refresh token revoked at Google (both best effort: the connection
// goes whatever Google answers), and the busy time it brought removed.
// It answers the removed connection's id (its workflow is to be stopped).
func (s *Service) Disconnect(ctx context.Context, org uuid.UUID, actor bookings.Actor, operator uuid.UUID) (uuid.UUID, error) {
	if !mayManage(actor, operator) {
		return uuid.Nil, errNotYours
	}
	var conn store.CalendarConnection
	err := s.inTx(ctx, func(q *store.Queries) error {
		var err error
		conn, err = q.DeleteCalendarConnection(ctx, store.DeleteCalendarConnectionParams{OrgID: org, UserID: operator})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNotConnected
		}
		if err != nil {
			return fmt.Errorf("calsync: disconnect: %w", err)
		}
		return q.ClearExternalBusy(ctx, store.ClearExternalBusyParams{OrgID: org, UserID: operator, Source: source(conn)})
	})
	if err != nil || s.seal == nil {
		return conn.ID, err // off: nothing at Google to tell
	}
	if client, err := s.client(ctx, conn); err == nil && conn.ChannelID != "" {
		_ = client.StopChannel(ctx, conn.ChannelID, conn.ChannelResourceID)
	}
	if refresh, err := s.openToken(conn.OrgID, conn.UserID, conn.RefreshToken); err == nil {
		_ = gcal.Revoke(ctx, s.cfg.HTTPClient, s.cfg.RevokeURL, refresh)
	}
	return conn.ID, nil
}

// Status shows the operator's connection; the actor's own, or anyone's for an ADMIN.
func (s *Service) Status(ctx context.Context, org uuid.UUID, actor bookings.Actor, operator uuid.UUID) (Status, error) {
	if !mayManage(actor, operator) {
		return Status{}, errNotYours
	}
	if err := s.bookings.CheckOperator(ctx, org, operator); err != nil {
		return Status{}, err
	}
	enabled := len(s.missing) == 0
	conn, err := s.connection(ctx, org, operator)
	if errors.Is(err, errNotConnected) {
		return Status{Enabled: enabled, Missing: s.missing, State: StateNotConnected}, nil
	}
	if err != nil {
		return Status{}, err
	}
	st := Status{Enabled: enabled, Missing: s.missing, State: conn.State, CalendarID: conn.CalendarID, ConnectedAt: &conn.ConnectedAt,
		LastSyncAt: conn.LastSyncAt, LastError: conn.LastError}
	if conn.ChannelExpiresAt != nil {
		renewal := renewalTime(*conn.ChannelExpiresAt)
		st.NextChannelRenewal = &renewal
	}
	return st, nil
}

// Delete-setting values.
const (
	OnDeletedCancel = "cancel"
	OnDeletedFlag   = "flag"
)

// Settings is the organisation's calendar sync behaviour.
type Settings struct {
	// OnEventDeleted: "cancel" cancels a booking whose event an operator
	// deleted in Google (the client is told); "flag" keeps it and flags it.
	OnEventDeleted string `json:"on_event_deleted"`
}

// Settings answers the organisation's settings (defaults when never set).
func (s *Service) Settings(ctx context.Context, org uuid.UUID) (Settings, error) {
	v, err := s.q.CalendarSettings(ctx, org)
	if errors.Is(err, pgx.ErrNoRows) {
		return Settings{OnEventDeleted: OnDeletedFlag}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("calsync: settings: %w", err)
	}
	return Settings{OnEventDeleted: v}, nil
}

// PutSettings validates and saves the organisation's settings.
func (s *Service) PutSettings(ctx context.Context, org uuid.UUID, in Settings) (Settings, error) {
	if in.OnEventDeleted != OnDeletedCancel && in.OnEventDeleted != OnDeletedFlag {
		return Settings{}, problem.Invalid("invalid calendar settings", problem.FieldError{Field: "on_event_deleted", Message: "must be cancel or flag"})
	}
	if err := s.q.PutCalendarSettings(ctx, store.PutCalendarSettingsParams{OrgID: org, OnEventDeleted: in.OnEventDeleted}); err != nil {
		return Settings{}, fmt.Errorf("calsync: settings: %w", err)
	}
	return in, nil
}
