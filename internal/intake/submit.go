package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Contact is who a request is from.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// RequestInput is a submitted intake request.
type RequestInput struct {
	Subject  string          `json:"subject"`
	Body     string          `json:"body"`
	Contact  Contact         `json:"contact"`
	Source   string          `json:"source"`
	Metadata json.RawMessage `json:"metadata,omitempty"`
}

const (
	maxSubject  = 300
	maxBody     = 64 << 10
	maxMetadata = 16 << 10
	maxIdemKey  = 200
)

var sources = map[string]bool{"web": true, "email": true, "api": true, "phone": true, "chat": true}

func (in *RequestInput) validate(idempotencyKey string) error {
	in.Subject = strings.TrimSpace(in.Subject)
	in.Contact.Name = strings.TrimSpace(in.Contact.Name)
	in.Contact.Email = auth.NormalizeEmail(in.Contact.Email)
	if in.Source == "" {
		in.Source = "api"
	}
	var fields []problem.FieldError
	if msg := auth.TextProblem(in.Subject, maxSubject); in.Subject == "" || msg != "" {
		fields = append(fields, problem.FieldError{Field: "subject", Message: "is required: one line of at most 300 bytes"})
	}
	if strings.TrimSpace(in.Body) == "" {
		fields = append(fields, problem.FieldError{Field: "body", Message: "is required"})
	} else if len(in.Body) > maxBody || strings.ContainsRune(in.Body, 0) {
		fields = append(fields, problem.FieldError{Field: "body", Message: "must be text of at most 64 KiB"})
	}
	if msg := auth.TextProblem(in.Contact.Name, 200); msg != "" {
		fields = append(fields, problem.FieldError{Field: "contact.name", Message: msg})
	}
	if in.Contact.Email != "" {
		if msg := auth.EmailProblem(in.Contact.Email); msg != "" {
			fields = append(fields, problem.FieldError{Field: "contact.email", Message: msg})
		}
	}
	if !sources[in.Source] {
		fields = append(fields, problem.FieldError{Field: "source", Message: "must be one of web, email, api, phone, chat"})
	}
	if len(in.Metadata) > 0 {
		var obj map[string]any
		if len(in.Metadata) > maxMetadata || json.Unmarshal(in.Metadata, &obj) != nil {
			fields = append(fields, problem.FieldError{Field: "metadata", Message: "must be a JSON object of at most 16 KiB"})
		} else if badEscape(in.Metadata) {
			fields = append(fields, problem.FieldError{Field: "metadata", Message: `must not hold \u0000 or a lone UTF-16 surrogate (such as \ud83d) in a key or value`})
		}
	}
	if msg := auth.TextProblem(idempotencyKey, maxIdemKey); msg != "" {
		fields = append(fields, problem.FieldError{Field: "Idempotency-Key", Message: "must be printable text of at most 200 bytes"})
	}
	if len(fields) > 0 {
		return problem.Invalid("the request has invalid fields", fields...)
	}
	return nil
}

// Submitted is the answer to a submission.
type Submitted struct {
	ID      uuid.UUID `json:"id"`
	Status  string    `json:"status"`
	Created bool      `json:"-"` // false when the idempotency key found an earlier request
}

// inputSHA256 is what an idempotency key was used for: the SHA-256 of the
// validated (trimmed, normalised) request, with the metadata's keys sorted.
func (in *RequestInput) inputSHA256() []byte {
	var meta any = map[string]any{}
	if len(in.Metadata) > 0 {
		dec := json.NewDecoder(bytes.NewReader(in.Metadata))
		dec.UseNumber() // numbers keep their text
		if err := dec.Decode(&meta); err != nil {
			meta = string(in.Metadata) // validate accepted it: not reached
		}
	}
	canonical, _ := json.Marshal([]any{in.Subject, in.Body, in.Contact.Name, in.Contact.Email, in.Source, meta})
	sum := sha256.Sum256(canonical)
	return sum[:]
}

// Submit stores a request by a member with role once per submitter and
// idempotency key: the same member sending the same key with the same request
// gets the earlier one, with another request a 422. Keys of different members
// never meet. A new request over the submitter's or (from a CLIENT) the
// organisation's limit is a 429; the earlier request of a repeated key is
// answered whatever the limits say.
func (s *Service) Submit(ctx context.Context, org, by uuid.UUID, role auth.Role, idempotencyKey string, in RequestInput) (Submitted, error) {
	if err := in.validate(idempotencyKey); err != nil {
		return Submitted{}, err
	}
	if s.perSubmitter.Max == 0 {
		return Submitted{}, errSubmissionsNotConfigured
	}
	var key *string
	var digest []byte
	if idempotencyKey != "" {
		key = &idempotencyKey
		digest = in.inputSHA256()
	}
	limits := s.submissionLimits(org, by, role)
	refusal, err := s.fullLimit(ctx, limits)
	if err != nil {
		return Submitted{}, err
	}
	if refusal != nil {
		if key == nil {
			return Submitted{}, refusal
		}
		earlier, err := s.earlier(ctx, org, by, key, digest)
		if errors.Is(err, pgx.ErrNoRows) {
			return Submitted{}, refusal
		}
		return earlier, err
	}
	meta := []byte("{}")
	if len(in.Metadata) > 0 {
		meta = in.Metadata
	}
	// Stored and counted against the limits in one transaction: a request over
	// a limit leaves nothing behind, and a repeated key (no row) counts nothing.
	var r store.IntakeRequest
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		r, err = store.New(tx).InsertIntake(ctx, store.InsertIntakeParams{
			OrgID: org, CreatedBy: &by, IdempotencyKey: key, InputSHA256: digest, Subject: in.Subject, Body: in.Body,
			ContactName: in.Contact.Name, ContactEmail: in.Contact.Email, Source: in.Source, Metadata: meta,
		})
		if err != nil {
			return err
		}
		return countSubmission(ctx, s.limiter.InTx(tx), limits)
	})
	if errors.Is(err, pgx.ErrNoRows) && key != nil {
		return s.earlier(ctx, org, by, key, digest)
	}
	if err != nil {
		return Submitted{}, fmt.Errorf("intake: store request: %w", err)
	}
	return Submitted{ID: r.ID, Status: r.Status, Created: true}, nil
}

// earlier answers a repeated idempotency key: the request by stored under
// key, if the input's digest matches (else a 422); pgx.ErrNoRows when there is none.
func (s *Service) earlier(ctx context.Context, org, by uuid.UUID, key *string, digest []byte) (Submitted, error) {
	earlier, err := s.q.GetIntakeByKey(ctx, store.GetIntakeByKeyParams{OrgID: org, CreatedBy: &by, IdempotencyKey: key})
	if err != nil {
		return Submitted{}, fmt.Errorf("intake: earlier request: %w", err)
	}
	// Requests stored before keys remembered their input have no digest: they answer as they did.
	if earlier.InputSHA256 != nil && !bytes.Equal(earlier.InputSHA256, digest) {
		return Submitted{}, problem.Invalid("the Idempotency-Key was used for a different request: send this one with a new key",
			problem.FieldError{Field: "Idempotency-Key", Message: "was used for a different request"})
	}
	return Submitted{ID: earlier.ID, Status: earlier.Status}, nil
}

// Event is one step of a request's routing history.
type Event struct {
	Kind       string          `json:"kind"`
	Pipeline   string          `json:"pipeline,omitempty"`
	Confidence *float64        `json:"confidence,omitempty"`
	Model      string          `json:"model,omitempty"`
	LatencyMS  *float64        `json:"latency_ms,omitempty"`
	Actor      *uuid.UUID      `json:"actor,omitempty"`
	Detail     json.RawMessage `json:"detail"`
	At         time.Time       `json:"at"`
}

// Routing is the current proposal or decision.
type Routing struct {
	Pipeline   string   `json:"pipeline,omitempty"`
	Confidence *float64 `json:"confidence,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	DecidedBy  string   `json:"decided_by,omitempty"`
	// PriorityDecidedBy says who set the request's priority: rules, model or operator.
	PriorityDecidedBy string `json:"priority_decided_by,omitempty"`
}

// Request is an intake request as the API shows it.
type Request struct {
	ID          uuid.UUID       `json:"id"`
	Status      string          `json:"status"`
	Subject     string          `json:"subject"`
	Body        string          `json:"body"`
	Contact     Contact         `json:"contact"`
	Source      string          `json:"source"`
	Metadata    json.RawMessage `json:"metadata"`
	Priority    string          `json:"priority"`
	Routing     Routing         `json:"routing"`
	AssigneeID  *uuid.UUID      `json:"assignee_id"`
	SLABreached bool            `json:"sla_breached"`
	CreatedBy   *uuid.UUID      `json:"created_by"`
	CreatedAt   time.Time       `json:"created_at"`
	History     []Event         `json:"history"`
}

// Request returns one request with its history. onlyFrom, when set, limits it
// to requests that user submitted (CLIENTs see only their own).
func (s *Service) Request(ctx context.Context, org, id uuid.UUID, onlyFrom *uuid.UUID) (Request, error) {
	r, err := s.q.GetIntakeView(ctx, store.GetIntakeViewParams{OrgID: org, ID: id})
	notFound := problem.New(problem.ErrNotFound, "no such intake request")
	if errors.Is(err, pgx.ErrNoRows) {
		return Request{}, notFound
	}
	if err != nil {
		return Request{}, fmt.Errorf("intake: get request: %w", err)
	}
	if onlyFrom != nil && (r.CreatedBy == nil || *r.CreatedBy != *onlyFrom) {
		return Request{}, notFound
	}
	events, err := s.q.ListIntakeEvents(ctx, store.ListIntakeEventsParams{OrgID: org, IntakeID: id})
	if err != nil {
		return Request{}, fmt.Errorf("intake: history: %w", err)
	}
	out := Request{
		ID: r.ID, Status: r.Status, Subject: r.Subject, Body: r.Body, Contact: Contact{Name: r.ContactName, Email: r.ContactEmail},
		Source: r.Source, Metadata: r.Metadata, Priority: r.Priority, AssigneeID: r.AssigneeID, SLABreached: r.SLABreachedAt != nil, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		Routing: Routing{Pipeline: r.PipelineKey, Confidence: r.Confidence, Reason: r.Reason, DecidedBy: r.DecidedBy, PriorityDecidedBy: r.PriorityDecidedBy},
		History: []Event{},
	}
	for _, e := range events {
		out.History = append(out.History, Event{Kind: e.Kind, Pipeline: e.PipelineKey, Confidence: e.Confidence, Model: e.Model, LatencyMS: e.LatencyMS, Actor: e.ActorUserID, Detail: e.Detail, At: e.CreatedAt})
	}
	return out, nil
}

// ListFilter narrows the intake queue.
type ListFilter struct {
	Status, Pipeline, Priority, Search string
	Assignee                           *uuid.UUID
	Since, Until                       *time.Time
	OnlyFrom                           *uuid.UUID // CLIENTs: their own requests
}

// ListCursor continues a listing after the last request of a page.
type ListCursor struct {
	At time.Time `json:"t"`
	ID uuid.UUID `json:"i"`
}

// Summary is a request in the queue (without body and history).
type Summary struct {
	ID          uuid.UUID  `json:"id"`
	Status      string     `json:"status"`
	Subject     string     `json:"subject"`
	Contact     Contact    `json:"contact"`
	Source      string     `json:"source"`
	Priority    string     `json:"priority"`
	Routing     Routing    `json:"routing"`
	SLABreached bool       `json:"sla_breached"`
	CreatedBy   *uuid.UUID `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
}

// List pages through the queue newest first; it returns up to limit requests after cursor.
func (s *Service) List(ctx context.Context, org uuid.UUID, f ListFilter, after *ListCursor, limit int) ([]Summary, error) {
	if len(f.Search) > 200 {
		return nil, problem.Invalid("bad query parameters", problem.FieldError{Field: "q", Message: "must be at most 200 bytes"})
	}
	params := store.ListIntakeParams{
		OrgID: org, CreatedBy: f.OnlyFrom, Status: f.Status, Pipeline: f.Pipeline, Priority: f.Priority,
		Assignee: f.Assignee, Since: f.Since, Until: f.Until, Search: escapeLike(f.Search), MaxRows: int32(limit),
	}
	if after != nil {
		params.BeforeAt, params.BeforeID = &after.At, after.ID
	}
	rows, err := s.q.ListIntake(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("intake: list: %w", err)
	}
	out := make([]Summary, 0, len(rows))
	for _, r := range rows {
		out = append(out, Summary{
			ID: r.ID, Status: r.Status, Subject: r.Subject, Contact: Contact{Name: r.ContactName, Email: r.ContactEmail}, Source: r.Source,
			Priority: r.Priority, SLABreached: r.SLABreachedAt != nil, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
			Routing: Routing{Pipeline: r.PipelineKey, Confidence: r.Confidence, Reason: r.Reason, DecidedBy: r.DecidedBy, PriorityDecidedBy: r.PriorityDecidedBy},
		})
	}
	return out, nil
}

// escapeLike makes a search term match literally inside ILIKE.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Stranded lists requests stored between after and before that are still
// 'received' and not swept yet: if their workflow never started, starting it
// now routes them.
func (s *Service) Stranded(ctx context.Context, after, before time.Time) ([]store.StrandedIntakeRow, error) {
	rows, err := s.q.StrandedIntake(ctx, store.StrandedIntakeParams{After: after, Before: before})
	if err != nil {
		return nil, fmt.Errorf("intake: stranded requests: %w", err)
	}
	return rows, nil
}

// MarkSwept records that a stranded request's workflow was started (or found
// started), so later sweeps pass it by.
func (s *Service) MarkSwept(ctx context.Context, org, id uuid.UUID) error {
	if err := s.q.MarkIntakeSwept(ctx, store.MarkIntakeSweptParams{OrgID: org, ID: id}); err != nil {
		return fmt.Errorf("intake: mark swept: %w", err)
	}
	return nil
}

// badEscape reports whether JSON text holds an escape PostgreSQL's jsonb
// refuses: \u0000, or a UTF-16 surrogate that is not half of a pair
// (encoding/json would quietly turn it into U+FFFD).
func badEscape(raw []byte) bool {
	hex4 := func(i int) (rune, bool) {
		if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
		return rune(v), err == nil
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		r, ok := hex4(i)
		if !ok {
			i++ // an escape such as \\ or \n: skip its second byte
			continue
		}
		switch {
		case r == 0, r >= 0xDC00 && r <= 0xDFFF:
			return true // NUL, or a low surrogate with no high one before it
		case r >= 0xD800 && r <= 0xDBFF:
			low, ok := hex4(i + 6)
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 6 // the pair's second half
		}
		i += 5
	}
	return false
}
