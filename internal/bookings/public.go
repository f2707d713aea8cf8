package bookings

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/store"
)

// BookingPage is an organisation's public booking page: clients without an
// account see its services and slots and book at /api/v1/public/orgs/{slug}.
type BookingPage struct {
	Slug    string `json:"slug"`
	Enabled bool   `json:"enabled"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

var errNoPage = problem.New(problem.ErrNotFound, "no such booking page")

// BookingPageOf returns the organisation's page (404 until it has one).
func (s *Service) BookingPageOf(ctx context.Context, org uuid.UUID) (BookingPage, error) {
	row, err := s.q.GetBookingPage(ctx, org)
	if errors.Is(err, pgx.ErrNoRows) {
		return BookingPage{}, errNoPage
	}
	if err != nil {
		return BookingPage{}, fmt.Errorf("bookings: booking page: %w", err)
	}
	return BookingPage{Slug: row.Slug, Enabled: row.Enabled}, nil
}

// SaveBookingPage sets the organisation's slug and whether its page is open.
func (s *Service) SaveBookingPage(ctx context.Context, org uuid.UUID, p BookingPage) (BookingPage, error) {
	if !slugPattern.MatchString(p.Slug) {
		return BookingPage{}, problem.Invalid("invalid booking page", problem.FieldError{Field: "slug", Message: "must be 2–63 lowercase letters, digits or -, starting with a letter or digit"})
	}
	row, err := s.q.SaveBookingPage(ctx, store.SaveBookingPageParams{OrgID: org, Slug: p.Slug, Enabled: p.Enabled})
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return BookingPage{}, problem.New(problem.ErrConflict, "another organisation has that slug")
	}
	if err != nil {
		return BookingPage{}, fmt.Errorf("bookings: booking page: %w", err)
	}
	return BookingPage{Slug: row.Slug, Enabled: row.Enabled}, nil
}

// PublicOrg is the organisation behind an open booking page.
func (s *Service) PublicOrg(ctx context.Context, slug string) (uuid.UUID, error) {
	row, err := s.q.BookingPageBySlug(ctx, slug)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, errNoPage
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("bookings: booking page: %w", err)
	}
	return row.OrgID, nil
}

// PublicService is what a booking page shows of a service.
type PublicService struct {
	Key             string   `json:"key"`
	Name            string   `json:"name"`
	DurationMinutes int      `json:"duration_minutes"`
	Location        Location `json:"location"`
}

// PublicServices lists the services a booking page offers.
func (s *Service) PublicServices(ctx context.Context, org uuid.UUID) ([]PublicService, error) {
	sts, err := s.Services(ctx, org)
	if err != nil {
		return nil, err
	}
	out := make([]PublicService, len(sts))
	for i, st := range sts {
		out[i] = PublicService{Key: st.Key, Name: st.Name, DurationMinutes: st.DurationMinutes, Location: st.Location}
	}
	return out, nil
}

// Public is the actor of a booking made or changed without an account: by a
// booking page or a client's link. The service's rules for clients apply.
var Public = Actor{Role: auth.RoleClient}

// ClientPublicView is what a client's link shows of their booking.
type ClientPublicView struct {
	ID      uuid.UUID `json:"id"`
	Status  string    `json:"status"`
	Service string    `json:"service"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Client  Client    `json:"client"`
}

// View is the booking as its client's link shows it.
func (b Booking) View() ClientPublicView {
	return ClientPublicView{ID: b.ID, Status: b.Status, Service: b.Service, Start: b.Start, End: b.End, Client: b.Client}
}

var errNoLink = problem.New(problem.ErrNotFound, "this link is unknown or has expired")

// BookingByLink returns the booking a client's link opens, while it has not expired.
func (s *Service) BookingByLink(ctx context.Context, token string) (Booking, error) {
	row, err := s.q.BookingByLink(ctx, auth.HashToken(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return Booking{}, errNoLink
	}
	if err != nil {
		return Booking{}, fmt.Errorf("bookings: link: %w", err)
	}
	return s.bookingFromRow(ctx, row)
}

// newLink makes a client's link for the booking, valid until its start.
func newLink(ctx context.Context, q *store.Queries, booking uuid.UUID, expires time.Time) (string, error) {
	token, hash := auth.NewToken(auth.BookingLinkTokenPrefix)
	if err := q.CreateBookingLink(ctx, store.CreateBookingLinkParams{TokenHash: hash, BookingID: booking, ExpiresAt: expires}); err != nil {
		return "", fmt.Errorf("bookings: link: %w", err)
	}
	return token, nil
}

// Limits of the public booking API, per client address: reads (services,
// slots, a link's booking) and writes (bookings, changes through a link).
var (
	PublicReadsPerIP  = ratelimit.Rule{Name: "public_booking_reads", Max: 300, Window: 10 * time.Minute}
	PublicWritesPerIP = ratelimit.Rule{Name: "public_booking_writes", Max: 20, Window: time.Hour}
)

// CheckPublic counts a public request from ip and refuses it (429) over its limit.
func (s *Service) CheckPublic(ctx context.Context, ip string, write bool) error {
	if write {
		return s.limiter.Check(ctx, PublicWritesPerIP, ip, "too many bookings or changes from this address; try again later")
	}
	return s.limiter.Check(ctx, PublicReadsPerIP, ip, "too many requests from this address; try again later")
}
