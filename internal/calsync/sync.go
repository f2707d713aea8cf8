package calsync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/bookings"
	"github.com/astralisops/astralis/internal/gcal"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// SyncResult is what one sync step did, for the workflow.
type SyncResult struct {
	Events int  `json:"events"`
	Full   bool `json:"full"`
	// Ended: the connection is gone or broken; the workflow stops.
	Ended bool `json:"ended"`
	// MailIDs are the outbox ids of the operator's notice when the step found the connection broken.
	MailIDs []string `json:"mail_ids,omitempty"`
}

// Sync reads what changed in the connection's calendar since the last step
// (everything, the first time or when Google dropped the sync token):
// external events become busy time, and changes to our booking events are
// followed back. The sync token is saved last, so a step cut short is
// repeated from the same token: every write it makes is idempotent.
func (s *Service) Sync(ctx context.Context, org, connID uuid.UUID, progress func()) (SyncResult, error) {
	conn, err := s.q.CalendarConnectionByID(ctx, store.CalendarConnectionByIDParams{OrgID: org, ID: connID})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && conn.State != StateConnected) || s.seal == nil {
		return SyncResult{Ended: true}, nil // disconnected, broken or switched off
	}
	if err != nil {
		return SyncResult{}, fmt.Errorf("calsync: connection: %w", err)
	}
	client, err := s.client(ctx, conn)
	if errors.Is(err, errSealedToken) {
		ids, berr := s.breakConnection(ctx, conn, "the stored Google authorisation no longer opens (the server's token key changed): connect the calendar again")
		return SyncResult{Ended: true, MailIDs: ids}, berr
	}
	if err != nil {
		return SyncResult{}, err
	}
	client.OnPage = progress
	now := s.now()
	res := SyncResult{Full: conn.SyncToken == ""}
	events, token, err := client.Sync(ctx, conn.SyncToken, now)
	if errors.Is(err, gcal.ErrSyncTokenGone) {
		res.Full = true // Google forgot where we were: start over, the busy time with it
		events, token, err = client.Sync(ctx, "", now)
	}
	if err != nil {
		return s.failed(ctx, conn, err)
	}
	if conn.LastSyncAt == nil {
		// Newly connected: the calendar gets the bookings made before.
		if err := s.writeUpcoming(ctx, client, conn); err != nil {
			return s.failed(ctx, conn, err)
		}
	}
	if err := s.followBookingEvents(ctx, client, conn, events); err != nil {
		return s.failed(ctx, conn, err)
	}
	if err := s.bookings.SaveExternalBusy(ctx, org, conn.UserID, source(conn), events, res.Full); err != nil {
		return SyncResult{}, err
	}
	saved, err := s.q.SaveCalendarSync(ctx, store.SaveCalendarSyncParams{OrgID: org, ID: connID, SyncToken: token})
	if err != nil {
		return SyncResult{}, fmt.Errorf("calsync: save sync token: %w", err)
	}
	if saved == 0 {
		// Disconnected (or broken) while this step ran: the busy time it
		// just saved must not outlive the connection.
		if err := s.q.ClearExternalBusy(ctx, store.ClearExternalBusyParams{OrgID: org, UserID: conn.UserID, Source: source(conn)}); err != nil {
			return SyncResult{}, fmt.Errorf("calsync: clear busy time: %w", err)
		}
		return SyncResult{Ended: true}, nil
	}
	res.Events = len(events)
	return res, nil
}

// failed records a step's error on the connection for the API to show; a
// revoked grant breaks the connection and mails the operator.
func (s *Service) failed(ctx context.Context, conn store.CalendarConnection, err error) (SyncResult, error) {
	if errors.Is(err, gcal.ErrGrantRevoked) {
		ids, berr := s.breakConnection(ctx, conn, "Google no longer accepts this connection (access was removed or has expired): connect the calendar again")
		if berr != nil {
			return SyncResult{}, berr
		}
		return SyncResult{Ended: true, MailIDs: ids}, nil
	}
	_ = s.q.SaveCalendarError(context.WithoutCancel(ctx), store.SaveCalendarErrorParams{OrgID: conn.OrgID, ID: conn.ID, LastError: errorText(err)})
	return SyncResult{}, err
}

// errorText is what an operator sees of a failure: short, and never a token
// (the client library's errors name URLs and reasons, not credentials).
func errorText(err error) string {
	msg := err.Error()
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return msg
}

// breakConnection marks the connection broken and queues the operator's
// notice (delivered by the workflow); once only: a connection broken before answers no mail.
func (s *Service) breakConnection(ctx context.Context, conn store.CalendarConnection, reason string) ([]string, error) {
	var ids []string
	err := s.inTx(ctx, func(q *store.Queries) error {
		_, err := q.BreakCalendarConnection(ctx, store.BreakCalendarConnectionParams{OrgID: conn.OrgID, ID: conn.ID, LastError: reason})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("calsync: break connection: %w", err)
		}
		op, err := q.UserName(ctx, conn.UserID)
		if err != nil {
			return fmt.Errorf("calsync: break connection: %w", err)
		}
		organisation, err := q.GetOrganization(ctx, conn.OrgID)
		if err != nil {
			return fmt.Errorf("calsync: break connection: %w", err)
		}
		name := op.Name
		if name == "" {
			name = op.Email
		}
		msg, err := mail.Render("calendar_broken", op.Email, struct{ Recipient, Organisation, Reason string }{name, organisation.Name, reason})
		if err != nil {
			return err
		}
		id, err := mail.Enqueue(ctx, q, msg, mail.ByWorkflow)
		if err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}

// writeUpcoming puts the operator's confirmed bookings from now on in the calendar.
func (s *Service) writeUpcoming(ctx context.Context, client *gcal.Client, conn store.CalendarConnection) error {
	ids, err := s.q.UpcomingOperatorBookings(ctx, store.UpcomingOperatorBookingsParams{OrgID: conn.OrgID, OperatorID: conn.UserID})
	if err != nil {
		return fmt.Errorf("calsync: upcoming bookings: %w", err)
	}
	for _, id := range ids {
		b, err := s.bookings.Booking(ctx, conn.OrgID, id, nil)
		if err != nil {
			return err
		}
		if err := client.PutBookingEvent(ctx, b.ID, b.Start, b.End, eventSummary(b)); err != nil {
			return err
		}
	}
	return nil
}

func eventSummary(b bookings.Booking) string { return b.Service + " with " + b.Client.Name }

// cancelledInGoogle is the cancel reason of a booking whose event the operator deleted.
const cancelledInGoogle = "cancelled in the operator's Google Calendar"

// followBookingEvents applies what an operator did in Google to our booking
// events: one moved is rescheduled through the booking's workflow (or, when
// that time cannot be taken, put back and the booking flagged); one deleted
// cancels the booking or flags it, per the organisation's setting. An event
// carries the start we last wrote: one still there is a write of ours (maybe
// overtaken by a later change, which the booking's workflow writes next),
// never the operator's move. Bookings that have begun are left alone.
func (s *Service) followBookingEvents(ctx context.Context, client *gcal.Client, conn store.CalendarConnection, events []gcal.Event) error {
	now := s.now()
	var settings *Settings
	for _, ev := range events {
		id, ok := gcal.BookingOf(ev.ID)
		if !ok {
			continue
		}
		b, err := s.bookings.Booking(ctx, conn.OrgID, id, nil)
		if errors.Is(err, problem.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if b.OperatorID != conn.UserID || !b.Start.After(now) {
			continue
		}
		if b.Status == bookings.StatusCancelled && ev.Cancelled && b.CancelReason == cancelledInGoogle {
			// Cancelled here before a crash cut the step short: tell the
			// workflow again (the same Update id answers once).
			if err := s.changer.Cancel(ctx, conn.OrgID, b.ID, cancelledInGoogle, "gcal-delete-"+b.ID.String()); err != nil && !refused(err) {
				return err
			}
			continue
		}
		if b.Status != bookings.StatusConfirmed {
			continue
		}
		switch {
		case ev.Cancelled:
			if settings == nil {
				st, err := s.Settings(ctx, conn.OrgID)
				if err != nil {
					return err
				}
				settings = &st
			}
			if settings.OnEventDeleted == OnDeletedCancel {
				if err := s.changer.Cancel(ctx, conn.OrgID, b.ID, cancelledInGoogle, "gcal-delete-"+b.ID.String()); err != nil && !refused(err) {
					return err
				}
				continue
			}
			if err := s.flag(ctx, b, "its event was deleted in the operator's Google Calendar; the booking stands until someone cancels it"); err != nil {
				return err
			}
		case ev.AllDay && !ev.Start.Equal(ev.WrittenStart):
			// Made all-day in the calendar: no time to move the booking to.
			if err := s.flag(ctx, b, "its event was made an all-day event in the operator's Google Calendar; the booking keeps its time"); err != nil {
				return err
			}
		case !ev.Start.Equal(b.Start) && !ev.Start.Equal(ev.WrittenStart):
			// The Update id names this change in Google: a retried step attaches
			// to it, a later move to the same time is a change of its own.
			err := s.changer.Reschedule(ctx, conn.OrgID, b.ID, ev.Start, "gcal-move-"+b.ID.String()+"-"+strconv.FormatInt(ev.Updated.UnixMilli(), 10))
			if err == nil {
				continue
			}
			if !refused(err) {
				return err
			}
			if err := s.refusedMove(ctx, client, conn.OrgID, b.ID, ev, err); err != nil {
				return err
			}
		}
	}
	return nil
}

// refusedMove handles a move made in Google that the booking refused, on
// the booking as it is now (it may have changed while the move was tried):
// already at that time, nothing is left to do; being changed, the step is
// retried; otherwise its event goes back to its time and it is flagged.
func (s *Service) refusedMove(ctx context.Context, client *gcal.Client, org, id uuid.UUID, ev gcal.Event, why error) error {
	b, err := s.bookings.Booking(ctx, org, id, nil)
	if err != nil {
		return err
	}
	switch {
	case b.Start.Equal(ev.Start) || b.Status != bookings.StatusConfirmed:
		return nil
	case errors.Is(why, bookings.ErrNotChangeable) || problem.IsType(why, problem.TypeNotChangeable):
		return fmt.Errorf("calsync: booking %s is being changed; its move in Google is tried again: %w", id, why)
	}
	if err := client.ResetBookingEvent(ctx, b.ID, b.Start, b.End, eventSummary(b)); err != nil {
		return err
	}
	return s.flag(ctx, b, fmt.Sprintf("moved in the operator's Google Calendar to %s, which cannot be booked (%s); it keeps its time",
		ev.Start.UTC().Format(time.RFC3339), why.Error()))
}

// refused tells a change the booking refused (a taken slot, a time outside
// the rules, a booking no longer changeable) from a failure worth retrying.
func refused(err error) bool {
	if errors.Is(err, bookings.ErrNotChangeable) {
		return true
	}
	status := problem.From(err).Status
	return status >= 400 && status < 500 && status != http.StatusTooManyRequests
}

func (s *Service) flag(ctx context.Context, b bookings.Booking, why string) error {
	if err := s.q.FlagBooking(ctx, store.FlagBookingParams{OrgID: b.OrgID, ID: b.ID, Attention: why}); err != nil {
		return fmt.Errorf("calsync: flag booking: %w", err)
	}
	return nil
}

// WriteBooking puts a booking in its operator's connected calendar as it now
// stands: confirmed and ahead, its event is there at its time; cancelled,
// its event goes. An operator without a working connection is no error.
func (s *Service) WriteBooking(ctx context.Context, org, bookingID uuid.UUID) error {
	if s.seal == nil {
		return nil
	}
	b, err := s.bookings.Booking(ctx, org, bookingID, nil)
	if errors.Is(err, problem.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	conn, err := s.connection(ctx, org, b.OperatorID)
	if errors.Is(err, errNotConnected) || (err == nil && conn.State != StateConnected) {
		return nil
	}
	if err != nil {
		return err
	}
	client, err := s.client(ctx, conn)
	if err != nil {
		return err
	}
	switch {
	case b.Status == bookings.StatusConfirmed && b.End.After(s.now()):
		err = client.PutBookingEvent(ctx, b.ID, b.Start, b.End, eventSummary(b))
	case b.Status == bookings.StatusCancelled:
		err = client.DeleteBookingEvent(ctx, b.ID)
	}
	return err
}

// Channel lifetimes: asked for a week, renewed an hour before it ends.
const (
	channelTTL  = 7 * 24 * time.Hour
	renewBefore = time.Hour
)

func renewalTime(expires time.Time) time.Time { return expires.Add(-renewBefore) }

// EnsureChannel keeps a push channel open on the connection's calendar: a
// new one when there is none or it ends within the hour (the old one is then
// stopped). It answers when to renew it next (zero when the connection ended).
func (s *Service) EnsureChannel(ctx context.Context, org, connID uuid.UUID) (time.Time, error) {
	conn, err := s.q.CalendarConnectionByID(ctx, store.CalendarConnectionByIDParams{OrgID: org, ID: connID})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && conn.State != StateConnected) || s.seal == nil {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("calsync: connection: %w", err)
	}
	now := s.now()
	if conn.ChannelID != "" && conn.ChannelExpiresAt != nil && renewalTime(*conn.ChannelExpiresAt).After(now) {
		return renewalTime(*conn.ChannelExpiresAt), nil
	}
	client, err := s.client(ctx, conn)
	if errors.Is(err, errSealedToken) {
		return time.Time{}, nil // the sync step breaks the connection and tells the operator
	}
	if err != nil {
		return time.Time{}, err
	}
	token, hash := newChannelToken()
	ch, err := client.Watch(ctx, uuid.NewString(), token, s.cfg.WebhookURL, channelTTL)
	if errors.Is(err, gcal.ErrGrantRevoked) {
		return time.Time{}, nil // as above
	}
	if err != nil {
		_ = s.q.SaveCalendarError(context.WithoutCancel(ctx), store.SaveCalendarErrorParams{OrgID: conn.OrgID, ID: conn.ID, LastError: errorText(err)})
		return time.Time{}, err
	}
	if err := s.q.SaveCalendarChannel(ctx, store.SaveCalendarChannelParams{OrgID: org, ID: connID, ChannelID: ch.ID, ChannelTokenHash: hash,
		ChannelResourceID: ch.ResourceID, ChannelExpiresAt: &ch.Expiration}); err != nil {
		return time.Time{}, fmt.Errorf("calsync: save channel: %w", err)
	}
	if conn.ChannelID != "" {
		_ = client.StopChannel(ctx, conn.ChannelID, conn.ChannelResourceID) // best effort: its pushes now find no channel
	}
	return renewalTime(ch.Expiration), nil
}
