package bookings

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/gcal"
	"github.com/astralisops/astralis/internal/store"
)

// SaveExternalBusy records what an operator's external calendar (source,
// such as "google:primary") says about their time: each event that blocks
// (gcal.Busy) is kept as busy time, one that no longer blocks (cancelled,
// shown as free, one of our own bookings) is dropped. full says the events
// are the whole calendar (a full sync): what it does not list goes.
func (s *Service) SaveExternalBusy(ctx context.Context, org, operator uuid.UUID, source string, events []gcal.Event, full bool) error {
	if err := s.CheckOperator(ctx, org, operator); err != nil {
		return err
	}
	return s.inTx(ctx, func(q *store.Queries) error {
		loc := s.operatorZone(ctx, q, org, operator)
		if full {
			if err := q.ClearExternalBusy(ctx, store.ClearExternalBusyParams{OrgID: org, UserID: operator, Source: source}); err != nil {
				return fmt.Errorf("bookings: external busy time: %w", err)
			}
		}
		for _, ev := range events {
			busy := gcal.Busy([]gcal.Event{ev}, loc)
			if len(busy) == 0 {
				if err := q.DeleteExternalBusy(ctx, store.DeleteExternalBusyParams{OrgID: org, UserID: operator, Source: source, EventID: ev.ID}); err != nil {
					return fmt.Errorf("bookings: external busy time: %w", err)
				}
				continue
			}
			if err := q.PutExternalBusy(ctx, store.PutExternalBusyParams{OrgID: org, UserID: operator, Source: source, EventID: ev.ID,
				StartsAt: busy[0].Start, EndsAt: busy[0].End}); err != nil {
				return fmt.Errorf("bookings: external busy time: %w", err)
			}
		}
		return nil
	})
}
