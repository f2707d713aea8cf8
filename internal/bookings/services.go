package bookings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Location is where an appointment happens: an address, a phone number or a video link.
type Location struct {
	Address  string `json:"address,omitempty"`
	Phone    string `json:"phone,omitempty"`
	VideoURL string `json:"video_url,omitempty"`
}

// ServiceType is an appointment type an organisation offers.
type ServiceType struct {
	ID                  uuid.UUID   `json:"id"`
	Key                 string      `json:"key"`
	Name                string      `json:"name"`
	DurationMinutes     int         `json:"duration_minutes"`
	BufferBeforeMinutes int         `json:"buffer_before_minutes"`
	BufferAfterMinutes  int         `json:"buffer_after_minutes"`
	MinNoticeMinutes    int         `json:"min_notice_minutes"`
	HorizonDays         int         `json:"horizon_days"`
	IntervalMinutes     int         `json:"interval_minutes"`
	DailyLimit          int         `json:"daily_limit"`
	Operators           []uuid.UUID `json:"operators"`
	Location            Location    `json:"location"`
	// ReminderOffsetsMinutes: reminders go this many minutes before the start.
	ReminderOffsetsMinutes []int `json:"reminder_offsets_minutes"`
	// ClientChanges: clients may reschedule or cancel themselves, until
	// ClientChangeCutoffMinutes before the start.
	ClientChanges             bool      `json:"client_changes"`
	ClientChangeCutoffMinutes int       `json:"client_change_cutoff_minutes"`
	CreatedAt                 time.Time `json:"created_at"`
	UpdatedAt                 time.Time `json:"updated_at"`
}

// ServiceInput creates or replaces a service. Absent optional fields take
// their defaults: no buffers or notice, a 60-day horizon, slots every
// duration, no daily limit, reminders 24 h and 1 h before, clients may change
// until 24 h before.
type ServiceInput struct {
	Key                       string      `json:"key"`
	Name                      string      `json:"name"`
	DurationMinutes           int         `json:"duration_minutes"`
	BufferBeforeMinutes       int         `json:"buffer_before_minutes"`
	BufferAfterMinutes        int         `json:"buffer_after_minutes"`
	MinNoticeMinutes          int         `json:"min_notice_minutes"`
	HorizonDays               *int        `json:"horizon_days"`
	IntervalMinutes           *int        `json:"interval_minutes"`
	DailyLimit                int         `json:"daily_limit"`
	Operators                 []uuid.UUID `json:"operators"`
	Location                  Location    `json:"location"`
	ReminderOffsetsMinutes    *[]int      `json:"reminder_offsets_minutes"`
	ClientChanges             *bool       `json:"client_changes"`
	ClientChangeCutoffMinutes *int        `json:"client_change_cutoff_minutes"`
}

var serviceKeyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Bounds of a service's settings.
const (
	maxDayMinutes      = 24 * 60
	maxNoticeMinutes   = 365 * 24 * 60
	maxHorizonDays     = 730
	maxDailyLimit      = 1000
	maxReminders       = 5
	maxReminderMinutes = 30 * 24 * 60
	maxOperators       = 100
	defaultHorizonDays = 60
	defaultCutoff      = 24 * 60
)

var defaultReminders = []int{24 * 60, 60}

// normalise applies the defaults and names every invalid field.
func (in *ServiceInput) normalise() (ServiceType, error) {
	var fields []problem.FieldError
	bad := func(field, msg string) { fields = append(fields, problem.FieldError{Field: field, Message: msg}) }
	between := func(field string, v, lo, hi int) {
		if v < lo || v > hi {
			bad(field, fmt.Sprintf("must be between %d and %d", lo, hi))
		}
	}
	out := ServiceType{Key: in.Key, Name: strings.TrimSpace(in.Name), DurationMinutes: in.DurationMinutes,
		BufferBeforeMinutes: in.BufferBeforeMinutes, BufferAfterMinutes: in.BufferAfterMinutes, MinNoticeMinutes: in.MinNoticeMinutes,
		HorizonDays: defaultHorizonDays, IntervalMinutes: in.DurationMinutes, DailyLimit: in.DailyLimit, Operators: in.Operators,
		ReminderOffsetsMinutes: defaultReminders, ClientChanges: true, ClientChangeCutoffMinutes: defaultCutoff}
	if in.HorizonDays != nil {
		out.HorizonDays = *in.HorizonDays
	}
	if in.IntervalMinutes != nil {
		out.IntervalMinutes = *in.IntervalMinutes
	}
	if in.ReminderOffsetsMinutes != nil {
		out.ReminderOffsetsMinutes = *in.ReminderOffsetsMinutes
	}
	if in.ClientChanges != nil {
		out.ClientChanges = *in.ClientChanges
	}
	if in.ClientChangeCutoffMinutes != nil {
		out.ClientChangeCutoffMinutes = *in.ClientChangeCutoffMinutes
	}
	if !serviceKeyPattern.MatchString(out.Key) {
		bad("key", "must be 1–63 lowercase letters, digits, - or _, starting with a letter or digit")
	}
	if msg := auth.TextProblem(out.Name, 200); out.Name == "" || msg != "" {
		bad("name", "is required: one line of at most 200 bytes")
	}
	between("duration_minutes", out.DurationMinutes, 5, maxDayMinutes)
	between("buffer_before_minutes", out.BufferBeforeMinutes, 0, maxDayMinutes)
	between("buffer_after_minutes", out.BufferAfterMinutes, 0, maxDayMinutes)
	between("min_notice_minutes", out.MinNoticeMinutes, 0, maxNoticeMinutes)
	between("horizon_days", out.HorizonDays, 1, maxHorizonDays)
	between("interval_minutes", out.IntervalMinutes, 5, maxDayMinutes)
	between("daily_limit", out.DailyLimit, 0, maxDailyLimit)
	between("client_change_cutoff_minutes", out.ClientChangeCutoffMinutes, 0, maxNoticeMinutes)
	switch {
	case len(out.Operators) == 0:
		bad("operators", "name at least one member who offers the service")
	case len(out.Operators) > maxOperators:
		bad("operators", fmt.Sprintf("at most %d", maxOperators))
	}
	for i, id := range out.Operators {
		if slices.Index(out.Operators, id) != i {
			bad(fmt.Sprintf("operators[%d]", i), "is named twice")
		}
	}
	if len(out.ReminderOffsetsMinutes) > maxReminders {
		bad("reminder_offsets_minutes", fmt.Sprintf("at most %d reminders", maxReminders))
	}
	for i, m := range out.ReminderOffsetsMinutes {
		field := fmt.Sprintf("reminder_offsets_minutes[%d]", i)
		if m < 1 || m > maxReminderMinutes {
			bad(field, fmt.Sprintf("must be between 1 and %d minutes before the start", maxReminderMinutes))
		} else if slices.Index(out.ReminderOffsetsMinutes, m) != i {
			bad(field, "is named twice")
		}
	}
	out.ReminderOffsetsMinutes = slices.Clone(out.ReminderOffsetsMinutes)
	slices.SortFunc(out.ReminderOffsetsMinutes, func(a, b int) int { return b - a }) // earliest reminder first
	loc := in.Location
	loc.Address, loc.Phone, loc.VideoURL = strings.TrimSpace(loc.Address), strings.TrimSpace(loc.Phone), strings.TrimSpace(loc.VideoURL)
	if msg := auth.TextProblem(loc.Address, 500); msg != "" {
		bad("location.address", "must be at most 500 bytes of text")
	}
	if msg := auth.TextProblem(loc.Phone, 50); msg != "" {
		bad("location.phone", "must be at most 50 bytes of text")
	}
	if loc.VideoURL != "" {
		if u, err := url.Parse(loc.VideoURL); err != nil || u.Scheme != "https" || u.Host == "" || len(loc.VideoURL) > 500 {
			bad("location.video_url", "must be an https link of at most 500 bytes")
		}
	}
	out.Location = loc
	if len(fields) > 0 {
		return ServiceType{}, problem.Invalid("the service has invalid fields", fields...)
	}
	return out, nil
}

// errNoService is a service key the organisation does not have.
var errNoService = problem.New(problem.ErrNotFound, "no such service")

// CreateService adds a service; its key must be new in the organisation and
// its operators ADMIN or OPERATOR members.
func (s *Service) CreateService(ctx context.Context, org uuid.UUID, in ServiceInput) (ServiceType, error) {
	st, err := in.normalise()
	if err != nil {
		return ServiceType{}, err
	}
	err = s.inTx(ctx, func(q *store.Queries) error {
		if err := checkStaff(ctx, q, org, st.Operators); err != nil {
			return err
		}
		row, err := q.CreateService(ctx, serviceParams(org, st))
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.New(problem.ErrConflict, "a service with key "+st.Key+" already exists")
		}
		if err != nil {
			return fmt.Errorf("bookings: create service: %w", err)
		}
		st.ID, st.CreatedAt, st.UpdatedAt = row.ID, row.CreatedAt, row.UpdatedAt
		return setOperators(ctx, q, org, row.ID, st.Operators)
	})
	return st, err
}

// ReplaceService replaces the service's settings and operators (the key stays).
func (s *Service) ReplaceService(ctx context.Context, org uuid.UUID, key string, in ServiceInput) (ServiceType, error) {
	in.Key = key
	st, err := in.normalise()
	if err != nil {
		return ServiceType{}, err
	}
	err = s.inTx(ctx, func(q *store.Queries) error {
		if err := checkStaff(ctx, q, org, st.Operators); err != nil {
			return err
		}
		p := serviceParams(org, st)
		row, err := q.UpdateService(ctx, store.UpdateServiceParams(p))
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoService
		}
		if err != nil {
			return fmt.Errorf("bookings: update service: %w", err)
		}
		st.ID, st.CreatedAt, st.UpdatedAt = row.ID, row.CreatedAt, row.UpdatedAt
		return setOperators(ctx, q, org, row.ID, st.Operators)
	})
	return st, err
}

// DeleteService removes a service that has no bookings (its bookings keep it).
func (s *Service) DeleteService(ctx context.Context, org uuid.UUID, key string) error {
	n, err := s.q.DeleteService(ctx, store.DeleteServiceParams{OrgID: org, Key: key})
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23503" { // foreign_key_violation: bookings refer to it
		return problem.New(problem.ErrConflict, "the service has bookings: it cannot be deleted")
	}
	if err != nil {
		return fmt.Errorf("bookings: delete service: %w", err)
	}
	if n == 0 {
		return errNoService
	}
	return nil
}

// Services lists the organisation's services.
func (s *Service) Services(ctx context.Context, org uuid.UUID) ([]ServiceType, error) {
	rows, err := s.q.ListServices(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("bookings: services: %w", err)
	}
	ops, err := s.q.ListServiceOperators(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("bookings: service operators: %w", err)
	}
	byService := map[uuid.UUID][]uuid.UUID{}
	for _, o := range ops {
		byService[o.ServiceID] = append(byService[o.ServiceID], o.UserID)
	}
	out := make([]ServiceType, len(rows))
	for i, r := range rows {
		out[i] = serviceFromRow(r, byService[r.ID])
	}
	return out, nil
}

// ServiceByKey returns one service.
func (s *Service) ServiceByKey(ctx context.Context, org uuid.UUID, key string) (ServiceType, error) {
	row, err := s.q.GetService(ctx, store.GetServiceParams{OrgID: org, Key: key})
	if errors.Is(err, pgx.ErrNoRows) {
		return ServiceType{}, errNoService
	}
	if err != nil {
		return ServiceType{}, fmt.Errorf("bookings: service: %w", err)
	}
	ops, err := s.q.ListServiceOperators(ctx, org)
	if err != nil {
		return ServiceType{}, fmt.Errorf("bookings: service operators: %w", err)
	}
	var mine []uuid.UUID
	for _, o := range ops {
		if o.ServiceID == row.ID {
			mine = append(mine, o.UserID)
		}
	}
	return serviceFromRow(row, mine), nil
}

// checkStaff refuses operators who are not ADMIN or OPERATOR members.
func checkStaff(ctx context.Context, q *store.Queries, org uuid.UUID, ids []uuid.UUID) error {
	rows, err := q.StaffRoles(ctx, store.StaffRolesParams{OrgID: org, UserIds: ids})
	if err != nil {
		return fmt.Errorf("bookings: operators' roles: %w", err)
	}
	roles := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		roles[r.UserID] = r.Role
	}
	var fields []problem.FieldError
	for i, id := range ids {
		if !isStaff(roles[id]) {
			fields = append(fields, problem.FieldError{Field: fmt.Sprintf("operators[%d]", i), Message: "must be an ADMIN or OPERATOR of the organisation"})
		}
	}
	if len(fields) > 0 {
		return problem.Invalid("the service has invalid fields", fields...)
	}
	return nil
}

func setOperators(ctx context.Context, q *store.Queries, org, service uuid.UUID, ids []uuid.UUID) error {
	if err := q.ClearServiceOperators(ctx, store.ClearServiceOperatorsParams{OrgID: org, ServiceID: service}); err != nil {
		return fmt.Errorf("bookings: service operators: %w", err)
	}
	for i, id := range ids {
		if err := q.AddServiceOperator(ctx, store.AddServiceOperatorParams{OrgID: org, ServiceID: service, UserID: id, Position: int32(i)}); err != nil {
			return fmt.Errorf("bookings: service operators: %w", err)
		}
	}
	return nil
}

func serviceParams(org uuid.UUID, st ServiceType) store.CreateServiceParams {
	loc, _ := json.Marshal(st.Location)
	offsets := make([]int32, len(st.ReminderOffsetsMinutes))
	for i, m := range st.ReminderOffsetsMinutes {
		offsets[i] = int32(m)
	}
	return store.CreateServiceParams{
		OrgID: org, Key: st.Key, Name: st.Name, DurationMinutes: int32(st.DurationMinutes),
		BufferBeforeMinutes: int32(st.BufferBeforeMinutes), BufferAfterMinutes: int32(st.BufferAfterMinutes),
		MinNoticeMinutes: int32(st.MinNoticeMinutes), HorizonDays: int32(st.HorizonDays), IntervalMinutes: int32(st.IntervalMinutes),
		DailyLimit: int32(st.DailyLimit), Location: loc, ReminderOffsetsMinutes: offsets,
		ClientChanges: st.ClientChanges, ClientChangeCutoffMinutes: int32(st.ClientChangeCutoffMinutes),
	}
}

func serviceFromRow(r store.Service, operators []uuid.UUID) ServiceType {
	var loc Location
	_ = json.Unmarshal(r.Location, &loc)
	offsets := make([]int, len(r.ReminderOffsetsMinutes))
	for i, m := range r.ReminderOffsetsMinutes {
		offsets[i] = int(m)
	}
	if operators == nil {
		operators = []uuid.UUID{}
	}
	return ServiceType{
		ID: r.ID, Key: r.Key, Name: r.Name, DurationMinutes: int(r.DurationMinutes),
		BufferBeforeMinutes: int(r.BufferBeforeMinutes), BufferAfterMinutes: int(r.BufferAfterMinutes),
		MinNoticeMinutes: int(r.MinNoticeMinutes), HorizonDays: int(r.HorizonDays), IntervalMinutes: int(r.IntervalMinutes),
		DailyLimit: int(r.DailyLimit), Operators: operators, Location: loc, ReminderOffsetsMinutes: offsets,
		ClientChanges: r.ClientChanges, ClientChangeCutoffMinutes: int(r.ClientChangeCutoffMinutes),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// isStaff: ADMINs and OPERATORs offer services and have working hours; CLIENTs book.
func isStaff(role string) bool {
	return role == string(auth.RoleAdmin) || role == string(auth.RoleOperator)
}

// ServiceByID returns one service by its id.
func (s *Service) ServiceByID(ctx context.Context, org, id uuid.UUID) (ServiceType, error) {
	row, err := s.q.ServiceByID(ctx, store.ServiceByIDParams{OrgID: org, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return ServiceType{}, errNoService
	}
	if err != nil {
		return ServiceType{}, fmt.Errorf("bookings: service: %w", err)
	}
	return serviceFromRow(row, nil), nil
}
