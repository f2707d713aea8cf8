package problem

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
)

// crossTemporal sends err through the SDK's failure converter, as an activity
// or Update error travels to the workflow and on to the API's client.
func crossTemporal(err error) error {
	fc := temporal.GetDefaultFailureConverter()
	return fc.FailureToError(fc.ErrorToFailure(err))
}

// TestEveryApplicationTypeMapsToItsProblem walks the whole table: each type,
// sent across Temporal, comes back as its kind's status with its detail and
// fields, and a specific type keeps a problem type of its own.
func TestEveryApplicationTypeMapsToItsProblem(t *testing.T) {
	t.Parallel()
	table := ApplicationTypes()
	if len(table) < len(kinds)+len(specificTypes) {
		t.Fatalf("table has %d types, want every kind and specific type", len(table))
	}
	for typ, kind := range table {
		t.Run(typ, func(t *testing.T) {
			public := &Error{Kind: kind, Detail: "because " + typ, Fields: []FieldError{{Field: "pipeline", Message: "names " + typ}}}
			if _, specific := specificTypes[typ]; specific {
				public.Type = typ
			}
			sent := ApplicationError(public)
			var app *temporal.ApplicationError
			transient := kind == ErrUnavailable || kind == ErrRateLimited
			if !errors.As(sent, &app) || app.NonRetryable() == transient || app.Type() != typ {
				t.Fatalf("ApplicationError = %#v, want an application error of type %s, retryable only if transient", sent, typ)
			}
			got := From(fmt.Errorf("decide: %w", crossTemporal(sent)))
			want := From(kind)
			if got.Status != want.Status || got.Detail != "because "+typ {
				t.Fatalf("From = %+v, want status %d and the detail", got, want.Status)
			}
			if got.Type != TypeURI(typ) {
				t.Errorf("type = %s, want %s", got.Type, TypeURI(typ))
			}
			if len(got.Errors) != 1 || got.Errors[0].Message != "names "+typ {
				t.Errorf("fields = %+v, want the one sent", got.Errors)
			}
			if !IsType(crossTemporal(sent), typ) {
				t.Errorf("IsType(%s) is false after crossing Temporal", typ)
			}
		})
	}
}

// TestUnknownApplicationErrorsStayPrivate: an error outside the table (a bug,
// a driver message) is a 500 that shows none of its text.
func TestUnknownApplicationErrorsStayPrivate(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		temporal.NewApplicationError("pq: relation intake_requests is locked by pid 4711", "*pgconn.PgError"),
		temporal.NewNonRetryableApplicationError("conflict with secret detail", "Conflict", nil), // near a slug, not one
		crossTemporal(errors.New("dial tcp 10.0.0.7:5432: refused")),
	} {
		p := From(err)
		if p.Status != http.StatusInternalServerError || strings.Contains(p.Detail, "secret") || strings.Contains(p.Detail, "pgconn") || strings.Contains(p.Detail, "10.0.0.7") {
			t.Errorf("From(%v) = %+v, want a private 500", err, p)
		}
	}
}

// TestTemporalUnavailableIs503WithRetryAfter: whichever call meets a Temporal
// service that cannot answer, the client hears 503 and when to come back.
func TestTemporalUnavailableIs503WithRetryAfter(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		serviceerror.NewUnavailable("connection refused"),
		fmt.Errorf("intake: start routing: %w", serviceerror.NewUnavailable("connection refused")),
		serviceerror.NewResourceExhausted(0, "busy"),
		serviceerror.NewDeadlineExceeded("slow"),
		// A decision whose recording activity ran out of time: the request stays decidable.
		crossTemporal(temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_START_TO_CLOSE, temporal.NewApplicationError("db slow", "x"))),
	} {
		p := From(err)
		after, ok := RetryAfter(err)
		if p.Status != http.StatusServiceUnavailable || p.Type != TypeURI("unavailable") || !ok || after <= 0 || strings.Contains(p.Detail, "refused") {
			t.Errorf("From(%v) = %+v, Retry-After %v %v; want 503 with Retry-After and no internals", err, p, after, ok)
		}
	}
	if _, ok := RetryAfter(context.Canceled); ok {
		t.Error("a cancelled request asks for Retry-After")
	}
}

// TestOtherErrorsStayRetryable: only public errors are verdicts; anything else
// (a database hiccup) must stay retryable.
func TestOtherErrorsStayRetryable(t *testing.T) {
	t.Parallel()
	err := errors.New("connection reset")
	if got := ApplicationError(err); got != err {
		t.Fatalf("ApplicationError changed a plain error: %v", got)
	}

	if ApplicationError(nil) != nil {
		t.Fatal("ApplicationError(nil) is not nil")
	}
}
