package bookings

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/scheduling"
	"github.com/astralisops/astralis/internal/store"
)

// Dashboard is what the organisation's dashboard shows of its bookings.
type Dashboard struct {
	// Upcoming: the next bookings, at most dashboardUpcoming of them, and how many there are in the next 7 days.
	Upcoming     []Booking `json:"upcoming"`
	UpcomingWeek int       `json:"upcoming_week"`
	// NoShowRate is no_show / (completed + no_show) over the past 30 days (0 with none).
	NoShowRate float64 `json:"no_show_rate"`
	// Operators: per operator over the past 30 days.
	Operators []OperatorLoad `json:"operators"`
}

// OperatorLoad is one operator's past 30 days: booked minutes against the
// minutes their working hours offered.
type OperatorLoad struct {
	OperatorID    uuid.UUID `json:"operator_id"`
	Bookings      int       `json:"bookings"`
	NoShows       int       `json:"no_shows"`
	BookedMinutes int       `json:"booked_minutes"`
	WorkMinutes   int       `json:"work_minutes"`
	Utilisation   float64   `json:"utilisation"` // booked / work minutes (0 without hours)
}

const (
	dashboardUpcoming = 10
	dashboardPast     = 30 * 24 * time.Hour
)

// Dashboard sums up the organisation's bookings around now.
func (s *Service) Dashboard(ctx context.Context, org uuid.UUID, now time.Time) (Dashboard, error) {
	out := Dashboard{Upcoming: []Booking{}, Operators: []OperatorLoad{}}
	week, err := s.Bookings(ctx, org, nil, nil, now, now.Add(7*24*time.Hour))
	if err != nil {
		return out, err
	}
	for _, b := range week {
		if b.Status != StatusConfirmed {
			continue
		}
		out.UpcomingWeek++
		if len(out.Upcoming) < dashboardUpcoming {
			out.Upcoming = append(out.Upcoming, b)
		}
	}
	since := now.Add(-dashboardPast)
	rows, err := s.q.BookingStats(ctx, store.BookingStatsParams{OrgID: org, Since: since, Until: now})
	if err != nil {
		return out, fmt.Errorf("bookings: dashboard: %w", err)
	}
	loads := map[uuid.UUID]*OperatorLoad{}
	var order []uuid.UUID
	completed, noShows := 0, 0
	for _, r := range rows {
		l := loads[r.OperatorID]
		if l == nil {
			l = &OperatorLoad{OperatorID: r.OperatorID}
			loads[r.OperatorID] = l
			order = append(order, r.OperatorID)
		}
		if r.Status == StatusCancelled {
			continue
		}
		l.Bookings += int(r.Bookings)
		l.BookedMinutes += int(r.Minutes)
		switch r.Status {
		case StatusNoShow:
			l.NoShows += int(r.Bookings)
			noShows += int(r.Bookings)
		case StatusCompleted:
			completed += int(r.Bookings)
		}
	}
	if completed+noShows > 0 {
		out.NoShowRate = float64(noShows) / float64(completed+noShows)
	}
	if len(order) > 0 {
		hours, err := s.q.ListAvailability(ctx, store.ListAvailabilityParams{OrgID: org, UserIds: order})
		if err != nil {
			return out, fmt.Errorf("bookings: dashboard: %w", err)
		}
		for _, h := range hours {
			a, err := availabilityFromRow(h)
			if err != nil {
				return out, err
			}
			if l := loads[h.UserID]; l != nil {
				l.WorkMinutes = workMinutes(a, since, now)
			}
		}
	}
	for _, id := range order {
		l := loads[id]
		if l.WorkMinutes > 0 {
			l.Utilisation = float64(l.BookedMinutes) / float64(l.WorkMinutes)
		}
		out.Operators = append(out.Operators, *l)
	}
	return out, nil
}

// workMinutes is how many minutes of [from, to) the working hours cover:
// every free one-minute slot of an operator with nothing booked.
func workMinutes(a scheduling.Availability, from, to time.Time) int {
	op := scheduling.Operator{Availability: a, Booked: map[string]int{}}
	rules := scheduling.Rules{Duration: time.Minute, Interval: time.Minute}
	return len(scheduling.FreeSlots(scheduling.Query{Rules: rules, Operators: []scheduling.Operator{op}, From: from, To: to, Now: from}))
}
