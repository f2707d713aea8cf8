// Package invite renders calendar invites: one iCalendar object (RFC 5545)
// carrying an iTIP method (RFC 5546), to be mailed as a text/calendar
// attachment that calendar apps add to, move in or remove from a calendar.
//
// A booking's invites share one UID; each change mails a new invite with a
// higher SEQUENCE, so a calendar replaces the event instead of adding another.
//
// The serializer is our own (contentline.go): the Go module proxy serves
// github.com/arran4/golang-ical v0.3.4, which backslash-escapes parameter
// values (a CN of "O'Brien, Ada" comes out as O\'Brien\, Ada, shown as such)
// and leaves a carriage return inside a TEXT value, breaking the CRLF-only
// line structure.
package invite

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The iTIP methods an invite carries.
const (
	MethodRequest = "REQUEST" // a new or changed event: add it, or update the one with this UID
	MethodCancel  = "CANCEL"  // the event with this UID is cancelled
)

// ContentType is the media type of a rendered invite. A mailed invite also
// names its method (ContentTypeFor), which is how mail clients recognise an
// iTIP message rather than a calendar file to import.
const ContentType = "text/calendar; charset=utf-8"

// Filename is the attachment name calendar apps and people expect.
const Filename = "invite.ics"

// ContentTypeFor is the Content-Type of a mailed invite with method, e.g.
// "text/calendar; charset=utf-8; method=REQUEST".
func ContentTypeFor(method string) string { return ContentType + "; method=" + method }

// productID names us as the producer (PRODID), as RFC 5545 asks.
const productID = "-//AstralisOps//Scheduling//EN"

// Person is an organizer or attendee: a display name (may be empty) and an email address.
type Person struct{ Name, Email string }

// Invite is one iTIP message about one event.
type Invite struct {
	Method   string    // MethodRequest or MethodCancel
	UID      string    // stable per booking, e.g. "booking-<uuid>@<host>"
	Sequence int       // 0 on confirm, +1 on each reschedule or cancel
	Stamp    time.Time // DTSTAMP: when this message was made (a workflow passes workflow.Now)

	Start, End                     time.Time // written in UTC, to the second
	Summary, Description, Location string    // free text; control characters are dropped
	URL                            string    // optional absolute http(s) link, e.g. to manage the booking

	Organizer Person
	Attendees []Person
}

// Limits that keep a hostile field from producing a huge invite.
const (
	maxUIDBytes   = 255
	maxURLBytes   = 2048
	maxEmailBytes = 254 // RFC 5321's limit on a path
	maxAttendees  = 100
)

// ErrInvalid matches every error Render returns: the invite cannot be
// rendered as given, and rendering it again will not help.
var ErrInvalid = errors.New("invite: invalid")

// FieldError names the field of an Invite that cannot be rendered and why; it matches ErrInvalid.
type FieldError struct {
	Field  string // e.g. "uid", "end", "attendees[1].email"
	Reason string
}

func (e *FieldError) Error() string { return "invite: " + e.Field + ": " + e.Reason }

func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// Render returns inv as a whole VCALENDAR object: CRLF line endings, lines
// folded at 75 octets, TEXT values escaped. It returns a *FieldError when a
// required field is missing or malformed.
func Render(inv Invite) ([]byte, error) {
	if err := inv.validate(); err != nil {
		return nil, err
	}
	var w calendarWriter
	w.line("BEGIN", nil, "VCALENDAR")
	w.line("PRODID", nil, productID)
	w.line("VERSION", nil, "2.0")
	w.line("CALSCALE", nil, "GREGORIAN")
	w.line("METHOD", nil, inv.Method)
	w.line("BEGIN", nil, "VEVENT")
	w.line("UID", nil, escapeText(inv.UID))
	w.line("SEQUENCE", nil, strconv.Itoa(inv.Sequence))
	w.line("DTSTAMP", nil, utcDateTime(inv.Stamp))
	w.line("DTSTART", nil, utcDateTime(inv.Start))
	w.line("DTEND", nil, utcDateTime(inv.End))
	w.line("SUMMARY", nil, escapeText(inv.Summary))
	if inv.Description != "" {
		w.line("DESCRIPTION", nil, escapeText(inv.Description))
	}
	if inv.Location != "" {
		w.line("LOCATION", nil, escapeText(inv.Location))
	}
	if inv.URL != "" {
		w.line("URL", nil, inv.URL)
	}
	w.line("ORGANIZER", nameParam(inv.Organizer), mailtoURI(inv.Organizer.Email))
	for _, a := range inv.Attendees {
		params := append(nameParam(a), param{"ROLE", "REQ-PARTICIPANT"})
		if inv.Method == MethodRequest {
			// A cancellation asks for no reply (RFC 5546 3.2.5), so only a request asks for one.
			params = append(params, param{"PARTSTAT", "NEEDS-ACTION"}, param{"RSVP", "TRUE"})
		}
		w.line("ATTENDEE", params, mailtoURI(a.Email))
	}
	if inv.Method == MethodCancel {
		w.line("STATUS", nil, "CANCELLED")
	} else {
		w.line("STATUS", nil, "CONFIRMED")
	}
	w.line("END", nil, "VEVENT")
	w.line("END", nil, "VCALENDAR")
	return w.bytes(), nil
}

func nameParam(p Person) []param {
	if strings.TrimSpace(p.Name) == "" {
		return nil
	}
	return []param{{"CN", quoteParamValue(p.Name)}}
}

// utcDateTime is a DATE-TIME in UTC ("Z" form), which needs no VTIMEZONE.
func utcDateTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

func (inv Invite) validate() error {
	invalid := func(field, format string, args ...any) error {
		return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case inv.Method != MethodRequest && inv.Method != MethodCancel:
		return invalid("method", "%q is not %s or %s", truncate(inv.Method, 32), MethodRequest, MethodCancel)
	case strings.TrimSpace(inv.UID) == "":
		return invalid("uid", "required")
	case len(inv.UID) > maxUIDBytes:
		return invalid("uid", "longer than %d bytes", maxUIDBytes)
	case !utf8.ValidString(inv.UID) || hasControl(inv.UID):
		return invalid("uid", "not printable UTF-8")
	case inv.Sequence < 0:
		return invalid("sequence", "%d is negative", inv.Sequence)
	case inv.Stamp.IsZero():
		return invalid("stamp", "required")
	case inv.Start.IsZero():
		return invalid("start", "required")
	case !inv.End.Truncate(time.Second).After(inv.Start.Truncate(time.Second)):
		return invalid("end", "%s is not after the start %s", utcDateTime(inv.End), utcDateTime(inv.Start))
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"stamp", inv.Stamp}, {"start", inv.Start}, {"end", inv.End}} {
		if y := f.t.UTC().Year(); y < 1 || y > 9999 {
			return invalid(f.name, "year %d cannot be written", y) // DATE-TIME has four digits
		}
	}
	if inv.URL != "" {
		if err := validateURL(inv.URL); err != nil {
			return invalid("url", "%v", err)
		}
	}
	if err := validateEmail(inv.Organizer.Email); err != nil {
		return invalid("organizer.email", "%v", err)
	}
	switch {
	case len(inv.Attendees) == 0:
		return invalid("attendees", "at least one attendee is required")
	case len(inv.Attendees) > maxAttendees:
		return invalid("attendees", "at most %d attendees", maxAttendees)
	}
	for i, a := range inv.Attendees {
		if err := validateEmail(a.Email); err != nil {
			return invalid(fmt.Sprintf("attendees[%d].email", i), "%v", err)
		}
	}
	return nil
}

// validateEmail accepts a bare address (no display name, no angle brackets).
func validateEmail(addr string) error {
	if addr == "" {
		return errors.New("required")
	}
	if len(addr) > maxEmailBytes {
		return fmt.Errorf("longer than %d bytes", maxEmailBytes)
	}
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Name != "" || parsed.Address != addr {
		return fmt.Errorf("%q is not an email address", truncate(addr, 64))
	}
	return nil
}

func validateURL(raw string) error {
	if len(raw) > maxURLBytes {
		return fmt.Errorf("longer than %d bytes", maxURLBytes)
	}
	if strings.ContainsAny(raw, " \t") || hasControl(raw) || !utf8.ValidString(raw) {
		return errors.New("contains spaces or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("not an absolute http(s) URL")
	}
	return nil
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, isControl) >= 0
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
