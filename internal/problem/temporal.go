package problem

import (
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
)

// Errors cross the Temporal boundary (activity → workflow → Update caller) as
// application errors whose type is stable: activities and validators return
// ApplicationError(err), and From maps the type back to a problem through the
// table below. Message text is never parsed.

// Application error types with a meaning of their own. Every kind's slug
// ("invalid-input", "not-found", "conflict" …) is a type too.
const (
	// TypeNotFound is the not-found kind's type, for code that branches on it.
	TypeNotFound = "not-found"
	// TypePipelineGone: a decision names a pipeline deleted since it was proposed.
	TypePipelineGone = "pipeline-gone"
	// TypeAlreadyDecided: an operator's decision arrived after another one.
	TypeAlreadyDecided = "already-decided"
	// TypeNotAwaiting: the request is not waiting for an operator.
	TypeNotAwaiting = "not-awaiting"
	// TypeSlotTaken: a booking or reschedule asked for time someone else holds.
	TypeSlotTaken = "slot-taken"
	// TypeNotChangeable: a booking that is cancelled or over cannot change.
	TypeNotChangeable = "not-changeable"
)

// specificTypes maps each application error type of its own to its kind.
var specificTypes = map[string]error{
	TypePipelineGone:   ErrConflict,
	TypeAlreadyDecided: ErrConflict,
	TypeNotAwaiting:    ErrConflict,
	TypeSlotTaken:      ErrConflict,
	TypeNotChangeable:  ErrConflict,
}

// ApplicationTypes is the whole table: every application error type From knows, with its kind.
func ApplicationTypes() map[string]error {
	out := make(map[string]error, len(kinds)+len(specificTypes))
	for _, k := range kinds {
		out[k.slug] = k.kind
	}
	for typ, kind := range specificTypes {
		out[typ] = kind
	}
	return out
}

// Typed returns a public error of kind with a stable type of its own, one of the Type… constants.
func Typed(kind error, typ, detail string) *Error {
	return &Error{Kind: kind, Type: typ, Detail: detail}
}

// ApplicationError prepares err to leave an activity or an Update validator or
// handler: a public error becomes a non-retryable application error of its
// type (no retry can change a verdict on the input or the data), carrying its
// field errors; any other error, or one saying "not now" (unavailable, rate
// limited), is returned as it is and stays retryable.
func ApplicationError(err error) error {
	var public *Error
	if !errors.As(err, &public) {
		return err
	}
	transient := errors.Is(public.Kind, ErrUnavailable) || errors.Is(public.Kind, ErrRateLimited) // a moment later it may work
	return temporal.NewApplicationErrorWithOptions(public.Detail, public.typ(), temporal.ApplicationErrorOptions{NonRetryable: !transient, Details: []any{public.Fields}})
}

// IsType reports whether err is, or carries, an application error of type typ.
func IsType(err error, typ string) bool {
	var public *Error
	if errors.As(err, &public) && public.typ() == typ {
		return true
	}
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == typ
}

func (e *Error) typ() string {
	if e.Type != "" {
		return e.Type
	}
	for _, k := range kinds {
		if errors.Is(e.Kind, k.kind) {
			return k.slug
		}
	}
	return "internal"
}

// fromApplication turns an application error back into the public error it
// was made from; ok is false for types outside the table (their text is not shown).
func fromApplication(app *temporal.ApplicationError) (*Error, bool) {
	typ := app.Type()
	kind, ok := specificTypes[typ]
	if !ok {
		for _, k := range kinds {
			if k.slug == typ {
				kind, ok = k.kind, true
				break
			}
		}
	}
	if !ok {
		return nil, false
	}
	e := &Error{Kind: kind, Detail: app.Message()}
	if _, specific := specificTypes[typ]; specific {
		e.Type = typ
	}
	if app.HasDetails() {
		_ = app.Details(&e.Fields) // fields are a courtesy: a problem without them is still right
	}
	return e, true
}

// temporalUnavailable reports whether err says Temporal cannot do the work
// now: its service is unreachable or overloaded, or an activity ran out of
// time (a decision's recording timed out; the request stays decidable). The
// caller should try again shortly.
func temporalUnavailable(err error) bool {
	var (
		unavailable *serviceerror.Unavailable
		exhausted   *serviceerror.ResourceExhausted
		deadline    *serviceerror.DeadlineExceeded
		timeout     *temporal.TimeoutError
	)
	return errors.As(err, &unavailable) || errors.As(err, &exhausted) || errors.As(err, &deadline) || errors.As(err, &timeout)
}

// unavailableRetryAfter is what a 503 asks the client to wait when nothing more precise is known.
const unavailableRetryAfter = 5 * time.Second
