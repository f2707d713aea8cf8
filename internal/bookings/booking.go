package bookings

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/scheduling"
	"github.com/astralisops/astralis/internal/store"
)

// Booking statuses.
const (
	StatusConfirmed = "confirmed"
	StatusCancelled = "cancelled"
	StatusCompleted = "completed"
	StatusNoShow    = "no_show"
)

// Client is who the appointment is for.
type Client struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

// Booking is a reserved appointment.
type Booking struct {
	ID           uuid.UUID  `json:"id"`
	OrgID        uuid.UUID  `json:"-"`
	Status       string     `json:"status"`
	Service      string     `json:"service"`
	ServiceID    uuid.UUID  `json:"service_id"`
	OperatorID   uuid.UUID  `json:"operator_id"`
	Start        time.Time  `json:"start"`
	End          time.Time  `json:"end"`
	Client       Client     `json:"client"`
	ClientUserID *uuid.UUID `json:"client_user_id,omitempty"`
	Notes        string     `json:"notes,omitempty"`
	Sequence     int        `json:"sequence"`
	CancelReason string     `json:"cancel_reason,omitempty"`
	// ClientNoShows is how often this client did not come before (shown to staff, on one booking).
	ClientNoShows *int `json:"client_no_shows,omitempty"`
	// Attention says why an operator should look at it (the calendar sync
	// could not follow a change made in Google); staff only, cleared by a reschedule or cancel.
	Attention string    `json:"attention,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// BookInput asks for an appointment.
type BookInput struct {
	Service  string     `json:"service"`
	Start    time.Time  `json:"start"`
	Operator *uuid.UUID `json:"operator"`
	Client   Client     `json:"client"`
	Notes    string     `json:"notes"`
	// IdempotencyKey makes a retried request answer the first booking.
	IdempotencyKey string `json:"-"`
}

// SlotTaken is a 409 naming the free slots nearest the one asked for.
type SlotTaken struct {
	Alternatives []scheduling.Slot
}

func (e *SlotTaken) Error() string { return "that time is no longer free" }

// Is makes SlotTaken a conflict for the API's problem mapping.
func (e *SlotTaken) Is(target error) bool { return target == problem.ErrConflict }

// alternativesSpan is how far after a taken slot alternatives are looked for.
const alternativesSpan = 14 * 24 * time.Hour

func (in *BookInput) validate(actor Actor, self Client) error {
	var fields []problem.FieldError
	bad := func(field, msg string) { fields = append(fields, problem.FieldError{Field: field, Message: msg}) }
	if actor.Role == auth.RoleClient && actor.UserID != uuid.Nil {
		// A CLIENT books for themselves, as their account names them.
		in.Client.Name, in.Client.Email = self.Name, self.Email
	}
	in.Client.Name, in.Client.Email, in.Client.Phone = strings.TrimSpace(in.Client.Name), auth.NormalizeEmail(in.Client.Email), strings.TrimSpace(in.Client.Phone)
	in.Notes = strings.TrimSpace(in.Notes)
	if in.Service == "" {
		bad("service", "is required: a service key")
	}
	if in.Start.IsZero() {
		bad("start", "is required (RFC 3339)")
	}
	if msg := auth.TextProblem(in.Client.Name, auth.MaxNameLength); in.Client.Name == "" || msg != "" {
		bad("client.name", "is required: one line of at most 200 bytes")
	}
	if msg := auth.EmailProblem(in.Client.Email); msg != "" {
		bad("client.email", msg)
	}
	if msg := auth.TextProblem(in.Client.Phone, 50); msg != "" {
		bad("client.phone", "must be at most 50 bytes of text")
	}
	if len(in.Notes) > 2000 || strings.ContainsRune(in.Notes, 0) {
		bad("notes", "must be at most 2000 bytes of text")
	}
	if len(in.IdempotencyKey) > 200 {
		bad("Idempotency-Key", "must be at most 200 bytes")
	}
	if len(fields) > 0 {
		return problem.Invalid("the booking has invalid fields", fields...)
	}
	return nil
}

// Book reserves a slot. The database refuses an overlap (the bookings
// table's exclusion constraint), so of two requests for one slot exactly one
// wins and the other gets SlotTaken with alternatives. A repeated
// Idempotency-Key answers the first booking (created false).
func (s *Service) Book(ctx context.Context, org uuid.UUID, actor Actor, self Client, in BookInput, now time.Time) (Booking, bool, error) {
	if err := in.validate(actor, self); err != nil {
		return Booking{}, false, err
	}
	if actor.UserID == uuid.Nil && in.IdempotencyKey != "" {
		// A booking page's visitors share no account: a key answers a booking
		// only to the same request (the same client, service and start), so a
		// guessed or reused key opens nobody else's booking.
		sum := sha256.Sum256([]byte(in.IdempotencyKey + "\x00" + strings.ToLower(in.Client.Email) + "\x00" + in.Service + "\x00" + in.Start.UTC().Format(time.RFC3339)))
		in.IdempotencyKey = "public:" + hex.EncodeToString(sum[:])
	}
	if in.IdempotencyKey != "" {
		row, err := s.bookingByKey(ctx, org, actor, in.IdempotencyKey)
		if err == nil {
			b, err := s.bookingFromRow(ctx, row)
			return b, false, err
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return Booking{}, false, fmt.Errorf("bookings: idempotency key: %w", err)
		}
	}
	st, err := s.ServiceByKey(ctx, org, in.Service)
	if errors.Is(err, errNoService) {
		return Booking{}, false, problem.Invalid("the booking has invalid fields", problem.FieldError{Field: "service", Message: "is not a service of this organisation"})
	}
	if err != nil {
		return Booking{}, false, err
	}
	operator, err := s.pickOperator(ctx, org, st, in.Operator, in.Start, now)
	if err != nil {
		return Booking{}, false, err
	}
	rules := st.rules()
	var clientUser, bookedBy *uuid.UUID
	if actor.UserID != uuid.Nil {
		bookedBy = &actor.UserID
		if actor.Role == auth.RoleClient {
			clientUser = &actor.UserID
		}
	}
	var key *string
	if in.IdempotencyKey != "" {
		key = &in.IdempotencyKey
	}
	end := in.Start.Add(rules.Duration)
	row, err := s.underOperatorLock(ctx, operator, func(q *store.Queries) (store.Booking, error) {
		return q.InsertBooking(ctx, store.InsertBookingParams{
			OrgID: org, ServiceID: st.ID, OperatorID: operator, ClientUserID: clientUser, BookedBy: bookedBy,
			ClientName: in.Client.Name, ClientEmail: in.Client.Email, ClientPhone: in.Client.Phone, Notes: in.Notes,
			StartsAt: in.Start, EndsAt: end, BlockedFrom: in.Start.Add(-rules.BufferBefore), BlockedUntil: end.Add(rules.BufferAfter),
			IdempotencyKey: key,
		})
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows) || isUniqueViolation(err): // the same key, raced: the first booking answers
		row, err = s.bookingByKey(ctx, org, actor, in.IdempotencyKey)
		if err != nil {
			return Booking{}, false, fmt.Errorf("bookings: idempotency key: %w", err)
		}
		b, err := s.bookingFromRow(ctx, row)
		return b, false, err
	case isOverlap(err):
		if in.IdempotencyKey != "" {
			// The same request again may meet its own first booking as the
			// overlap (a public booking has no member for the key's index).
			if first, err := s.bookingByKey(ctx, org, actor, in.IdempotencyKey); err == nil {
				b, err := s.bookingFromRow(ctx, first)
				return b, false, err
			}
		}
		return Booking{}, false, s.taken(ctx, org, st, in.Operator, in.Start, now)
	case err != nil:
		return Booking{}, false, fmt.Errorf("bookings: book: %w", err)
	}
	b, err := s.bookingFromRow(ctx, row)
	return b, true, err
}

// pickOperator checks the start against the service's rules and the
// operators' time and answers who takes it: the one asked for, or the
// least-loaded free operator that day.
func (s *Service) pickOperator(ctx context.Context, org uuid.UUID, st ServiceType, asked *uuid.UUID, start, now time.Time) (uuid.UUID, error) {
	candidates := st.Operators
	if asked != nil {
		if !containsID(candidates, *asked) {
			return uuid.Nil, problem.Invalid("the booking has invalid fields", problem.FieldError{Field: "operator", Message: "does not offer this service"})
		}
		candidates = []uuid.UUID{*asked}
	}
	rules := st.rules()
	inputs, err := s.operatorInputs(ctx, org, candidates, start.Add(-48*time.Hour), start.Add(48*time.Hour), uuid.Nil)
	if err != nil {
		return uuid.Nil, err
	}
	var best *scheduling.Operator
	bestLoad, reason := 0, scheduling.ReasonOutsideHours
	for i := range inputs {
		op := &inputs[i]
		ok, why := scheduling.Free(rules, *op, start, now)
		if !ok {
			if why != scheduling.ReasonOutsideHours || reason == scheduling.ReasonOutsideHours {
				reason = why // the most telling reason: "taken" says more than "outside hours"
			}
			continue
		}
		load := op.Booked[localDate(*op, start)]
		if best == nil || load < bestLoad {
			best, bestLoad = op, load
		}
	}
	switch {
	case best != nil:
		return best.ID, nil
	case reason == scheduling.ReasonTaken || reason == scheduling.ReasonDailyLimit:
		return uuid.Nil, s.taken(ctx, org, st, asked, start, now)
	}
	return uuid.Nil, problem.Invalid("the booking has invalid fields", problem.FieldError{Field: "start", Message: "cannot be booked: " + reason})
}

// taken is the 409 for a slot that is gone, with the next free ones.
func (s *Service) taken(ctx context.Context, org uuid.UUID, st ServiceType, operator *uuid.UUID, start, now time.Time) error {
	slots, err := s.Slots(ctx, org, st.Key, SlotQuery{From: start, To: start.Add(alternativesSpan), Zone: start.Location(), Operator: operator}, now)
	if err != nil {
		return err
	}
	return &SlotTaken{Alternatives: slots[:min(len(slots), 3)]}
}

// Booking returns one booking; onlyClient limits it to that client's own.
func (s *Service) Booking(ctx context.Context, org, id uuid.UUID, onlyClient *uuid.UUID) (Booking, error) {
	row, err := s.q.GetBooking(ctx, store.GetBookingParams{OrgID: org, ID: id})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && onlyClient != nil && (row.ClientUserID == nil || *row.ClientUserID != *onlyClient)) {
		return Booking{}, errNoBooking
	}
	if err != nil {
		return Booking{}, fmt.Errorf("bookings: booking: %w", err)
	}
	b, err := s.bookingFromRow(ctx, row)
	if err != nil || onlyClient != nil {
		b.Attention = "" // for staff
		return b, err
	}
	n, err := s.q.ClientNoShows(ctx, store.ClientNoShowsParams{OrgID: org, Lower: row.ClientEmail})
	if err != nil {
		return Booking{}, fmt.Errorf("bookings: client's no-shows: %w", err)
	}
	count := int(n)
	b.ClientNoShows = &count
	return b, nil
}

var errNoBooking = problem.New(problem.ErrNotFound, "no such booking")

// bookingByKey finds the booking the actor made with this Idempotency-Key
// (a booking page's: the organisation's key).
func (s *Service) bookingByKey(ctx context.Context, org uuid.UUID, actor Actor, key string) (store.Booking, error) {
	if actor.UserID == uuid.Nil {
		return s.q.PublicBookingByIdempotencyKey(ctx, store.PublicBookingByIdempotencyKeyParams{OrgID: org, IdempotencyKey: &key})
	}
	return s.q.BookingByIdempotencyKey(ctx, store.BookingByIdempotencyKeyParams{OrgID: org, BookedBy: &actor.UserID, IdempotencyKey: &key})
}

func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23505"
}

func isOverlap(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23P01" // exclusion_violation
}

// underOperatorLock runs a statement under the overlap constraint with the
// operator's bookings serialised (LockOperatorBookings): concurrent inserts
// of overlapping ranges wait on each other's exclusion checks and deadlock
// (50 bookings of one slot at once took up to a minute, a deadlock detected
// per second, its victims answered 500). Serialised, each meets the committed
// rows: an overlap at once. The constraint still decides.
func (s *Service) underOperatorLock(ctx context.Context, operator uuid.UUID, run func(q *store.Queries) (store.Booking, error)) (store.Booking, error) {
	var row store.Booking
	err := s.inTx(ctx, func(q *store.Queries) error {
		if err := q.LockOperatorBookings(ctx, operator); err != nil {
			return fmt.Errorf("bookings: lock: %w", err)
		}
		var err error
		row, err = run(q)
		return err
	})
	return row, err
}

func containsID(ids []uuid.UUID, id uuid.UUID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// localDate is the civil date of t in the operator's zone ("2006-01-02").
func localDate(op scheduling.Operator, t time.Time) string {
	loc, err := scheduling.LoadZone(op.Availability.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.DateOnly)
}

func (s *Service) bookingFromRow(ctx context.Context, r store.Booking) (Booking, error) {
	svc, err := s.q.ServiceByID(ctx, store.ServiceByIDParams{OrgID: r.OrgID, ID: r.ServiceID})
	if err != nil {
		return Booking{}, fmt.Errorf("bookings: the booking's service: %w", err)
	}
	return Booking{
		ID: r.ID, OrgID: r.OrgID, Status: r.Status, Service: svc.Key, ServiceID: r.ServiceID, OperatorID: r.OperatorID,
		Start: r.StartsAt, End: r.EndsAt, Client: Client{Name: r.ClientName, Email: r.ClientEmail, Phone: r.ClientPhone},
		ClientUserID: r.ClientUserID, Notes: r.Notes, Sequence: int(r.Sequence), CancelReason: r.CancelReason,
		Attention: r.Attention, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}, nil
}

// maxListBookings bounds one listing.
const maxListBookings = 2000

// Bookings lists the bookings starting in [from, to) (at most 93 days), of
// one operator or all; onlyClient limits them to that client's own.
func (s *Service) Bookings(ctx context.Context, org uuid.UUID, onlyClient, operator *uuid.UUID, from, to time.Time) ([]Booking, error) {
	if err := checkSpan(from, to, maxSlotSpan); err != nil {
		return nil, err
	}
	rows, err := s.q.ListBookings(ctx, store.ListBookingsParams{OrgID: org, Since: from, Until: to, ClientUserID: onlyClient, OperatorID: operator, MaxRows: maxListBookings})
	if err != nil {
		return nil, fmt.Errorf("bookings: list: %w", err)
	}
	out := make([]Booking, 0, len(rows))
	for _, r := range rows {
		b, err := s.bookingFromRow(ctx, r)
		if err != nil {
			return nil, err
		}
		if onlyClient != nil {
			b.Attention = "" // for staff
		}
		out = append(out, b)
	}
	return out, nil
}

// Stranded lists confirmed bookings made between after and before that the
// sweep has not seen: their workflow may not have started (the API stopped
// between booking and starting it, or Temporal was away).
func (s *Service) Stranded(ctx context.Context, after, before time.Time) ([]store.StrandedBookingsRow, error) {
	rows, err := s.q.StrandedBookings(ctx, store.StrandedBookingsParams{After: after, Before: before})
	if err != nil {
		return nil, fmt.Errorf("bookings: stranded: %w", err)
	}
	return rows, nil
}

// MarkSwept records that the sweep made sure the booking's workflow exists.
func (s *Service) MarkSwept(ctx context.Context, org, id uuid.UUID) error {
	if err := s.q.MarkBookingSwept(ctx, store.MarkBookingSweptParams{OrgID: org, ID: id}); err != nil {
		return fmt.Errorf("bookings: swept: %w", err)
	}
	return nil
}
