// Package problem holds the error kinds every layer returns and their one
// mapping to RFC 9457 problem details (application/problem+json).
package problem

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.temporal.io/sdk/temporal"
)

// Error kinds. Wrap them (fmt.Errorf("…: %w", problem.ErrNotFound)) or create
// a public error with New so the client sees a useful detail.
var (
	ErrInvalid         = errors.New("invalid input")
	ErrUnauthenticated = errors.New("authentication required")
	ErrForbidden       = errors.New("forbidden")
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrTooLarge        = errors.New("request too large")
	ErrRequestTimeout  = errors.New("request timeout") // the client sent its request too slowly
	ErrUnsupportedType = errors.New("unsupported media type")
	ErrRateLimited     = errors.New("too many requests")
	ErrUnavailable     = errors.New("service unavailable")
)

// StatusClientClosedRequest is the conventional (nginx) status for a request whose client went away.
const StatusClientClosedRequest = 499

// ContentType is the media type of every error response.
const ContentType = "application/problem+json"

// FieldError names one bad input field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error whose Detail and Fields are safe to show to the caller.
type Error struct {
	Kind error
	// Type, when set, is a problem type of its own (a Type… constant) instead of the kind's.
	Type       string
	Detail     string
	Fields     []FieldError
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Detail }
func (e *Error) Unwrap() error { return e.Kind }

// New returns a public error of the given kind.
func New(kind error, detail string) *Error { return &Error{Kind: kind, Detail: detail} }

// Invalid returns a validation error naming each bad field.
func Invalid(detail string, fields ...FieldError) *Error {
	return &Error{Kind: ErrInvalid, Detail: detail, Fields: fields}
}

// Problem is the RFC 9457 body.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
}

type kindInfo struct {
	kind   error
	status int
	slug   string
}

// kinds maps each error kind to its status and stable type; the first match wins.
var kinds = []kindInfo{
	{ErrInvalid, http.StatusUnprocessableEntity, "invalid-input"},
	{ErrUnauthenticated, http.StatusUnauthorized, "unauthenticated"},
	{ErrForbidden, http.StatusForbidden, "forbidden"},
	{ErrNotFound, http.StatusNotFound, "not-found"},
	{ErrConflict, http.StatusConflict, "conflict"},
	{ErrTooLarge, http.StatusRequestEntityTooLarge, "too-large"},
	{ErrRequestTimeout, http.StatusRequestTimeout, "request-timeout"},
	{ErrUnsupportedType, http.StatusUnsupportedMediaType, "unsupported-media-type"},
	{ErrRateLimited, http.StatusTooManyRequests, "rate-limited"},
	{ErrUnavailable, http.StatusServiceUnavailable, "unavailable"},
	{context.DeadlineExceeded, http.StatusGatewayTimeout, "timeout"},
	// The client hung up; nobody reads the answer, but logs must not call it a server error.
	{context.Canceled, StatusClientClosedRequest, "client-closed-request"},
}

// TypeURI is the stable problem type for a slug; clients switch on it.
func TypeURI(slug string) string { return "/problems/" + slug }

// From maps any error to its problem. Unknown errors become a 500 whose
// detail says nothing about internals.
func From(err error) Problem {
	var public *Error
	isPublic := errors.As(err, &public)
	var app *temporal.ApplicationError
	switch {
	case isPublic:
	case temporalUnavailable(err): // before the application error a timed-out activity may carry
		err = New(ErrUnavailable, "the workflow service is unavailable for a moment: try again shortly")
		errors.As(err, &public)
		isPublic = true
	case errors.As(err, &app):
		// An error that crossed Temporal: its type, not its text, says what it is.
		if public, isPublic = fromApplication(app); !isPublic {
			return Internal()
		}
		err = public
	}
	for _, k := range kinds {
		if !errors.Is(err, k.kind) {
			continue
		}
		title := http.StatusText(k.status)
		if k.status == StatusClientClosedRequest {
			title = "Client Closed Request"
		}
		p := Problem{Type: TypeURI(k.slug), Title: title, Status: k.status, Detail: k.kind.Error()}
		if isPublic {
			p.Detail = public.Detail
			p.Errors = public.Fields
			if public.Type != "" {
				p.Type = TypeURI(public.Type)
			}
		}
		return p
	}
	return Internal()
}

// Internal is the problem for an unexpected failure.
func Internal() Problem {
	return Problem{
		Type:   TypeURI("internal"),
		Title:  http.StatusText(http.StatusInternalServerError),
		Status: http.StatusInternalServerError,
		Detail: "an unexpected error occurred; it has been logged",
	}
}

// RetryAfter returns how long the caller should wait: what the error says, or
// a few seconds for anything unavailable (Temporal included).
func RetryAfter(err error) (time.Duration, bool) {
	var public *Error
	if errors.As(err, &public) && public.RetryAfter > 0 {
		return public.RetryAfter, true
	}
	if From(err).Status == http.StatusServiceUnavailable {
		return unavailableRetryAfter, true
	}
	return 0, false
}
