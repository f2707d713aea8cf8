package bookings

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/invite"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/scheduling"
	"github.com/astralisops/astralis/internal/store"
)

// Kinds of mail about a booking.
const (
	MailConfirmed   = "confirmed"
	MailRescheduled = "rescheduled"
	MailCancelled   = "cancelled"
	MailReminder    = "reminder"
)

// bookingMail is what the booking template shows.
type bookingMail struct {
	Kind, Recipient, Service, Operator, Client, When, Location, Reason, Organisation string
	// Link lets the client see, move or cancel the booking without signing in (theirs only).
	Link string
}

// QueueMail queues the mail of one kind about the booking as it now is (its
// sequence) to the client, and for everything but reminders to the operator
// too, and answers the outbox ids for the caller to deliver. Asked again for
// the same sequence, kind and offset it answers the same ids: nothing is
// queued twice. A reminder of a booking that is no longer confirmed, or whose
// sequence moved on, queues nothing.
func (s *Service) QueueMail(ctx context.Context, org, id uuid.UUID, kind string, sequence, offsetMinutes int) ([]string, error) {
	var ids []string
	err := s.inTx(ctx, func(q *store.Queries) error {
		b, err := q.LockBooking(ctx, store.LockBookingParams{OrgID: org, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // deleted with its organisation: nothing to say
		}
		if err != nil {
			return fmt.Errorf("bookings: mail: %w", err)
		}
		known, err := q.BookingMail(ctx, store.BookingMailParams{BookingID: id, Sequence: int32(sequence), Kind: kind, OffsetMinutes: int32(offsetMinutes)})
		if err == nil {
			ids = known
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("bookings: mail: %w", err)
		}
		if kind == MailReminder && (b.Status != StatusConfirmed || int(b.Sequence) != sequence) {
			return nil
		}
		svc, err := q.ServiceByID(ctx, store.ServiceByIDParams{OrgID: org, ID: b.ServiceID})
		if err != nil {
			return fmt.Errorf("bookings: mail: %w", err)
		}
		op, err := q.UserName(ctx, b.OperatorID)
		if err != nil {
			return fmt.Errorf("bookings: mail: %w", err)
		}
		organisation, err := q.GetOrganization(ctx, org)
		if err != nil {
			return fmt.Errorf("bookings: mail: %w", err)
		}
		loc := s.operatorZone(ctx, q, org, b.OperatorID)
		data := bookingMail{Kind: kind, Service: svc.Name, Operator: nameOr(op.Name, op.Email), Client: b.ClientName,
			When: b.StartsAt.In(loc).Format("Monday 2 January 2006, 15:04 MST"), Reason: b.CancelReason, Organisation: organisation.Name}
		st := serviceFromRow(svc, nil)
		data.Location = firstOf(st.Location.Address, st.Location.VideoURL, st.Location.Phone)
		recipients := []struct{ name, email string }{{b.ClientName, b.ClientEmail}}
		if kind != MailReminder {
			recipients = append(recipients, struct{ name, email string }{nameOr(op.Name, op.Email), op.Email})
		}
		var attachments []mail.Attachment
		if kind != MailReminder {
			// The calendar invite: REQUEST when booked or moved, CANCEL when cancelled,
			// one UID for the booking's life and its sequence going up with each change.
			method := invite.MethodRequest
			if kind == MailCancelled {
				method = invite.MethodCancel
			}
			ics, err := invite.Render(invite.Invite{
				Method: method, UID: "booking-" + b.ID.String() + "@astralisops", Sequence: sequence, Stamp: time.Now().UTC(),
				Start: b.StartsAt, End: b.EndsAt, Summary: svc.Name + " with " + data.Operator, Location: data.Location,
				Description: "Booked with " + organisation.Name,
				Organizer:   invite.Person{Name: data.Operator, Email: op.Email},
				Attendees:   []invite.Person{{Name: b.ClientName, Email: b.ClientEmail}},
			})
			if err != nil {
				return fmt.Errorf("bookings: invite: %w", err)
			}
			attachments = []mail.Attachment{{Filename: invite.Filename, ContentType: invite.ContentTypeFor(method), Content: ics}}
		}
		for i, r := range recipients {
			data.Recipient, data.Link = r.name, ""
			if i == 0 && kind != MailCancelled && b.Status == StatusConfirmed {
				// The client's own link to see, move or cancel this booking, until it starts.
				token, err := newLink(ctx, q, b.ID, b.StartsAt)
				if err != nil {
					return err
				}
				data.Link = s.publicURL + "/bookings/" + token // the console's page for it, over /api/v1/public/bookings/{token}
			}
			msg, err := mail.Render("booking", r.email, data)
			if err != nil {
				return err
			}
			msg.Attachments = attachments
			mailID, err := mail.Enqueue(ctx, q, msg, mail.ByWorkflow)
			if err != nil {
				return err
			}
			ids = append(ids, mailID)
		}
		_, err = q.RecordBookingMail(ctx, store.RecordBookingMailParams{BookingID: id, Sequence: int32(sequence), Kind: kind, OffsetMinutes: int32(offsetMinutes), MailIds: ids})
		return err
	})
	return ids, err
}

// operatorZone is the zone the operator works in (UTC when they set no hours).
func (s *Service) operatorZone(ctx context.Context, q *store.Queries, org, operator uuid.UUID) *time.Location {
	row, err := q.GetAvailability(ctx, store.GetAvailabilityParams{OrgID: org, UserID: operator})
	if err != nil {
		return time.UTC
	}
	loc, err := scheduling.LoadZone(row.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

func nameOr(name, email string) string {
	if name != "" {
		return name
	}
	return email
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
