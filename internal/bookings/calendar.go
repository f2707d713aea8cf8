package bookings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/invite"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// CalendarEntry is one thing in an operator's calendar: a booking or a local event.
type CalendarEntry struct {
	Kind       string    `json:"kind"` // "booking" or "event"
	ID         uuid.UUID `json:"id"`
	OperatorID uuid.UUID `json:"operator_id"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Title      string    `json:"title"`
	Status     string    `json:"status,omitempty"` // a booking's
}

// Calendar merges the bookings (cancelled ones left out) and local events
// overlapping [from, to) (at most 93 days), of one operator or all, in start
// order: what a week or month view shows.
func (s *Service) Calendar(ctx context.Context, org uuid.UUID, operator *uuid.UUID, from, to time.Time) ([]CalendarEntry, error) {
	if err := checkSpan(from, to, maxSlotSpan-24*time.Hour); err != nil {
		return nil, err
	}
	// A booking that started before from may still run into it.
	bs, err := s.Bookings(ctx, org, nil, operator, from.Add(-24*time.Hour), to)
	if err != nil {
		return nil, err
	}
	out := []CalendarEntry{}
	for _, b := range bs {
		if b.Status == StatusCancelled || !b.End.After(from) {
			continue
		}
		out = append(out, CalendarEntry{Kind: "booking", ID: b.ID, OperatorID: b.OperatorID, Start: b.Start, End: b.End, Title: b.Service + ": " + b.Client.Name, Status: b.Status})
	}
	evs, err := s.LocalEvents(ctx, org, operator, from, to)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		out = append(out, CalendarEntry{Kind: "event", ID: e.ID, OperatorID: e.OperatorID, Start: e.Start, End: e.End, Title: e.Title})
	}
	slices.SortStableFunc(out, func(a, b CalendarEntry) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// NewCalendarFeed gives the operator a new secret feed token (the old one
// stops working): the actor's own, or anyone's for an ADMIN.
func (s *Service) NewCalendarFeed(ctx context.Context, org uuid.UUID, actor Actor, operator uuid.UUID) (string, error) {
	if !actor.mayManage(operator) {
		return "", errNotYours
	}
	if err := s.CheckOperator(ctx, org, operator); err != nil {
		return "", err
	}
	token, hash := auth.NewToken(auth.CalendarFeedTokenPrefix)
	if err := s.q.SaveCalendarFeed(ctx, store.SaveCalendarFeedParams{OrgID: org, UserID: operator, TokenHash: hash}); err != nil {
		return "", fmt.Errorf("bookings: calendar feed: %w", err)
	}
	return token, nil
}

// RevokeCalendarFeed stops the operator's feed.
func (s *Service) RevokeCalendarFeed(ctx context.Context, org uuid.UUID, actor Actor, operator uuid.UUID) error {
	if !actor.mayManage(operator) {
		return errNotYours
	}
	n, err := s.q.DeleteCalendarFeed(ctx, store.DeleteCalendarFeedParams{OrgID: org, UserID: operator})
	if err != nil {
		return fmt.Errorf("bookings: calendar feed: %w", err)
	}
	if n == 0 {
		return problem.New(problem.ErrNotFound, "this operator has no calendar feed")
	}
	return nil
}

// errNoFeed answers every token that opens no feed alike.
var errNoFeed = problem.New(problem.ErrNotFound, "no such calendar feed")

// Feed span: what a subscribed calendar app shows.
const (
	feedPast   = 30 * 24 * time.Hour
	feedFuture = 180 * 24 * time.Hour
	// feedChunk is what one Calendar call covers (under its 93-day cap, less the day it looks back).
	feedChunk = 90 * 24 * time.Hour
)

// CalendarFeed renders the calendar of the operator whose feed token this
// is: their bookings (service and client's name) and local events from a
// month ago to half a year ahead.
func (s *Service) CalendarFeed(ctx context.Context, token string, now time.Time) ([]byte, error) {
	feed, err := s.q.CalendarFeedByToken(ctx, auth.HashToken(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoFeed
	}
	if err != nil {
		return nil, fmt.Errorf("bookings: calendar feed: %w", err)
	}
	operator := feed.UserID
	var events []invite.FeedEvent
	for from := now.Add(-feedPast); from.Before(now.Add(feedFuture)); from = from.Add(feedChunk) {
		to := from.Add(feedChunk)
		if end := now.Add(feedFuture); to.After(end) {
			to = end
		}
		entries, err := s.Calendar(ctx, feed.OrgID, &operator, from, to)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.Start.Before(from) {
				continue // listed by the previous span
			}
			events = append(events, invite.FeedEvent{UID: e.Kind + "-" + e.ID.String() + "@astralisops", Start: e.Start, End: e.End, Summary: e.Title})
		}
	}
	name, err := s.q.UserName(ctx, operator)
	if err != nil {
		return nil, fmt.Errorf("bookings: calendar feed: %w", err)
	}
	return invite.RenderFeed("AstralisOps: "+nameOr(name.Name, name.Email), now, events), nil
}
