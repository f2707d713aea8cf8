package calsync

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/problem"
)

// newChannelToken is the secret Google repeats in every push of a channel;
// only its hash is kept.
func newChannelToken() (string, []byte) { return auth.NewToken("") }

var (
	errUnknownChannel = problem.New(problem.ErrNotFound, "no such notification channel")
	errWrongToken     = problem.New(problem.ErrForbidden, "the channel token does not match")
)

// Pushed checks a push notification's channel id and token and answers the
// connection it is about (the webhook then wakes its workflow).
func (s *Service) Pushed(ctx context.Context, channelID, token string) (org, connID uuid.UUID, err error) {
	if _, err := uuid.Parse(channelID); err != nil {
		return uuid.Nil, uuid.Nil, errUnknownChannel // ours are uuids: anything else is not looked up
	}
	conn, err := s.q.CalendarConnectionByChannel(ctx, channelID)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, uuid.Nil, errUnknownChannel
	}
	if err != nil {
		return uuid.Nil, uuid.Nil, fmt.Errorf("calsync: channel: %w", err)
	}
	if subtle.ConstantTimeCompare(auth.HashToken(token), conn.ChannelTokenHash) != 1 {
		return uuid.Nil, uuid.Nil, errWrongToken
	}
	return conn.OrgID, conn.ID, nil
}
