package bookings

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/llm"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/scheduling"
	"github.com/astralisops/astralis/internal/store"
)

// SlotQuery asks for a service's free slots starting in [From, To), shown in
// Zone; Operator narrows them to one operator, else any operator's (the
// least loaded one's at each time).
type SlotQuery struct {
	From, To time.Time
	Zone     *time.Location
	Operator *uuid.UUID
}

// maxSlotSpan bounds one slot query (a quarter: what a calendar page or a
// booking widget asks for at most).
const maxSlotSpan = 93 * 24 * time.Hour

// Slots computes the service's free slots: the operators' working hours
// minus their busy time (local events; bookings and external calendars join
// here), within notice, horizon and daily limits.
func (s *Service) Slots(ctx context.Context, org uuid.UUID, key string, q SlotQuery, now time.Time) ([]scheduling.Slot, error) {
	if err := checkSpan(q.From, q.To, maxSlotSpan); err != nil {
		return nil, err
	}
	st, err := s.ServiceByKey(ctx, org, key)
	if err != nil {
		return nil, err
	}
	operators := st.Operators
	if q.Operator != nil {
		if !slices.Contains(operators, *q.Operator) {
			return nil, problem.Invalid("bad query parameters", problem.FieldError{Field: "operator", Message: "does not offer this service"})
		}
		operators = []uuid.UUID{*q.Operator}
	}
	rules := st.rules()
	inputs, err := s.operatorInputs(ctx, org, operators, q.From.Add(-rules.BufferBefore), q.To.Add(rules.Duration+rules.BufferAfter), uuid.Nil)
	if err != nil {
		return nil, err
	}
	zone := q.Zone
	if zone == nil {
		zone = time.UTC
	}
	slots := scheduling.FreeSlots(scheduling.Query{
		Rules: rules, Operators: inputs, From: q.From.In(zone), To: q.To.In(zone), Now: now, AnyOperator: q.Operator == nil,
	})
	if slots == nil {
		slots = []scheduling.Slot{}
	}
	return slots, nil
}

// rules are what the service asks of a slot.
func (st ServiceType) rules() scheduling.Rules {
	minutes := func(m int) time.Duration { return time.Duration(m) * time.Minute }
	return scheduling.Rules{
		Duration: minutes(st.DurationMinutes), BufferBefore: minutes(st.BufferBeforeMinutes), BufferAfter: minutes(st.BufferAfterMinutes),
		MinNotice: minutes(st.MinNoticeMinutes), Horizon: time.Duration(st.HorizonDays) * 24 * time.Hour,
		Interval: minutes(st.IntervalMinutes), DailyLimit: st.DailyLimit,
	}
}

// operatorInputs loads, in one query each, the operators' working hours and
// what keeps them busy between since and until, leaving out the booking
// `except` (one being moved does not block itself; uuid.Nil: none).
// Operators who set no hours are left out: they have no free time.
func (s *Service) operatorInputs(ctx context.Context, org uuid.UUID, operators []uuid.UUID, since, until time.Time, except uuid.UUID) ([]scheduling.Operator, error) {
	rows, err := s.q.ListAvailability(ctx, store.ListAvailabilityParams{OrgID: org, UserIds: operators})
	if err != nil {
		return nil, fmt.Errorf("bookings: availability: %w", err)
	}
	hours := make(map[uuid.UUID]scheduling.Availability, len(rows))
	for _, r := range rows {
		a, err := availabilityFromRow(r)
		if err != nil {
			return nil, err
		}
		hours[r.UserID] = a
	}
	busy, err := s.q.OperatorBusy(ctx, store.OperatorBusyParams{OrgID: org, UserIds: operators, Since: since, Until: until})
	if err != nil {
		return nil, fmt.Errorf("bookings: busy time: %w", err)
	}
	byOperator := map[uuid.UUID][]scheduling.Interval{}
	for _, b := range busy {
		byOperator[b.UserID] = append(byOperator[b.UserID], scheduling.Interval{Start: b.StartsAt, End: b.EndsAt})
	}
	// Bookings block their time widened by their own buffers, and count
	// towards the day's limit; a day's count needs the whole local day.
	booked, err := s.q.OperatorBookings(ctx, store.OperatorBookingsParams{OrgID: org, UserIds: operators, Since: since.Add(-24 * time.Hour), Until: until.Add(24 * time.Hour)})
	if err != nil {
		return nil, fmt.Errorf("bookings: booked time: %w", err)
	}
	var out []scheduling.Operator
	for _, id := range operators { // the service's order breaks ties between equally loaded operators
		a, ok := hours[id]
		if !ok {
			continue
		}
		op := scheduling.Operator{ID: id, Availability: a, Busy: byOperator[id], Booked: map[string]int{}}
		for _, b := range booked {
			if b.OperatorID == id && b.ID != except {
				op.Busy = append(op.Busy, scheduling.Interval{Start: b.BlockedFrom, End: b.BlockedUntil})
				op.Booked[localDate(op, b.StartsAt)]++
			}
		}
		out = append(out, op)
	}
	return out, nil
}

// SuggestQuery asks for the free slots that best fit a client's words.
type SuggestQuery struct {
	SlotQuery
	Preferences string
	Count       int
}

// Suggestions are the chosen slots and who chose them: "model" or "rules".
type Suggestions struct {
	Items    []scheduling.Suggestion
	RankedBy string
}

// SlotPicker asks a chat model to choose among free slots (internal/llm).
type SlotPicker interface {
	Suggest(ctx context.Context, preferences string, options []string, n int, model string) ([]llm.Pick, error)
}

// Bounds of a suggestion.
const (
	maxSuggestions = 10
	// modelCandidates is how many of the best-fitting free slots the model chooses among.
	modelCandidates = 40
)

// Suggest ranks the service's free slots by the client's preferences
// ("tuesday afternoons, not before 2pm"). With a model configured and the
// organisation's llm_enabled routing setting on, the model chooses among the
// best-fitting free slots; on any failure, or without a model, the rules read
// offline decide. Either way every suggestion is one of the free slots.
func (s *Service) Suggest(ctx context.Context, org uuid.UUID, key string, q SuggestQuery, now time.Time) (Suggestions, error) {
	if len(q.Preferences) > scheduling.MaxPreferencesText {
		return Suggestions{}, problem.Invalid("invalid preferences", problem.FieldError{Field: "preferences", Message: fmt.Sprintf("at most %d bytes", scheduling.MaxPreferencesText)})
	}
	if q.Count <= 0 {
		q.Count = 3
	}
	q.Count = min(q.Count, maxSuggestions)
	slots, err := s.Slots(ctx, org, key, q.SlotQuery, now)
	if err != nil {
		return Suggestions{}, err
	}
	zone := q.Zone
	if zone == nil {
		zone = time.UTC
	}
	prefs := scheduling.ParsePreferences(q.Preferences, zone, now)
	if picked, ok := s.modelSuggest(ctx, org, q, slots, prefs, zone); ok {
		return Suggestions{Items: picked, RankedBy: "model"}, nil
	}
	out := scheduling.Suggest(slots, prefs, zone, q.Count)
	if out == nil {
		out = []scheduling.Suggestion{}
	}
	return Suggestions{Items: out, RankedBy: "rules"}, nil
}

// modelSuggest lets the model choose among the best-fitting free slots, when
// the organisation allows it; false sends the caller to the rules.
func (s *Service) modelSuggest(ctx context.Context, org uuid.UUID, q SuggestQuery, slots []scheduling.Slot, prefs scheduling.Preferences, zone *time.Location) ([]scheduling.Suggestion, bool) {
	if s.picker == nil || strings.TrimSpace(q.Preferences) == "" || len(slots) == 0 {
		return nil, false
	}
	settings, err := s.q.GetRoutingSettings(ctx, org)
	if err != nil || !settings.LLMEnabled {
		return nil, false
	}
	candidates := scheduling.Suggest(slots, prefs, zone, modelCandidates)
	options := make([]string, len(candidates))
	byOption := make(map[string]scheduling.Slot, len(candidates))
	for i, c := range candidates {
		local := c.Slot.Start.In(zone)
		options[i] = local.Format(time.RFC3339) + " " + local.Format("Monday 2 January 15:04")
		byOption[options[i]] = c.Slot
	}
	picks, err := s.picker.Suggest(ctx, q.Preferences, options, q.Count, settings.LLMModel)
	if err != nil {
		slog.WarnContext(ctx, "the model could not suggest slots; the rules decide", "error", err)
		return nil, false
	}
	out := make([]scheduling.Suggestion, 0, len(picks))
	for _, p := range picks {
		if slot, ok := byOption[p.Option]; ok { // the picker answers only offered options; checked again
			out = append(out, scheduling.Suggestion{Slot: slot, Reason: p.Reason})
		}
	}
	return out, len(out) > 0
}
