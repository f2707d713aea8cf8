// Package invitetest checks a mailed invite the way a calendar app reads it:
// libical (Debian's gir1.2-ical-3.0, which `make deps` installs) parses it
// and runs its RFC 5546 restriction checks, and the octets are checked for
// CRLF line endings and lines of at most 75 octets. Tests of the invite
// package and of everything that mails invites use it.
package invitetest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// python is Debian's own interpreter: the one that sees Debian's python3-gi.
const python = "/usr/bin/python3"

//go:embed libical.py
var libicalScript string

// Person is an organizer or attendee as libical read it.
type Person struct {
	Name  string // CN, RFC 6868 decoded
	Email string // the mailto: address, percent-decoded
	// Attendees only.
	Role, PartStat, RSVP string
}

// Invite is what libical read from an invite.
type Invite struct {
	Method, ProdID, Version string
	UID                     string
	Sequence                int
	Status                  string
	Stamp, Start, End       time.Time
	Summary, Description    string
	Location, URL           string
	Organizer               Person
	Attendees               []Person
}

// Check fails the test unless Read accepts ics, and returns what libical read.
func Check(t testing.TB, ics []byte) Invite {
	t.Helper()
	got, err := Read(t.Context(), ics)
	if err != nil {
		t.Fatalf("%v\n%s", err, ics)
	}
	return got
}

// Read returns what libical read from ics, or an error unless ics is one
// VCALENDAR with one VEVENT that libical parses without error and whose
// RFC 5546 restrictions pass, with CRLF line endings and no line longer than
// 75 octets.
func Read(ctx context.Context, ics []byte) (Invite, error) {
	if err := CheckLines(ics); err != nil {
		return Invite{}, err
	}
	return parse(ctx, ics)
}

// CheckLines reports the first line that is not CRLF-terminated, holds a bare
// CR, is longer than 75 octets or is not UTF-8.
func CheckLines(ics []byte) error {
	if !bytes.HasSuffix(ics, []byte("\r\n")) {
		return fmt.Errorf("invite does not end with CRLF")
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(ics, []byte("\r\n")), []byte("\r\n")) {
		switch {
		case bytes.ContainsAny(line, "\r\n"):
			return fmt.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		case len(line) > 75:
			return fmt.Errorf("line %d is %d octets, more than 75: %q", i+1, len(line), line)
		case !utf8.Valid(line):
			return fmt.Errorf("line %d is not UTF-8 (a fold split a character?): %q", i+1, line)
		}
	}
	return nil
}

// parsed is libical.py's answer.
type parsed struct {
	Errors          []string  `json:"errors"`
	Method          *string   `json:"method"`
	ProdID          *string   `json:"prodid"`
	Version         *string   `json:"version"`
	Events          int       `json:"events"`
	OtherComponents []string  `json:"other_components"`
	UID             string    `json:"uid"`
	Sequence        int       `json:"sequence"`
	Status          *string   `json:"status"`
	Stamp           timeValue `json:"dtstamp"`
	Start           timeValue `json:"dtstart"`
	End             timeValue `json:"dtend"`
	Summary         *string   `json:"summary"`
	Description     *string   `json:"description"`
	Location        *string   `json:"location"`
	URL             *string   `json:"url"`
	Organizer       *struct {
		CN      string `json:"cn"`
		Address string `json:"address"`
	} `json:"organizer"`
	Attendees []struct {
		CN       string `json:"cn"`
		Address  string `json:"address"`
		Role     string `json:"role"`
		PartStat string `json:"partstat"`
		RSVP     string `json:"rsvp"`
	} `json:"attendees"`
}

type timeValue struct {
	Value string `json:"value"`
	UTC   bool   `json:"utc"`
}

func parse(ctx context.Context, ics []byte) (Invite, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", libicalScript)
	cmd.Stdin = bytes.NewReader(ics)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		hint := ""
		if strings.Contains(stderr.String(), "ICalGLib") || strings.Contains(stderr.String(), "No module named 'gi'") {
			hint = "\nlibical's Python bindings are missing: run `make deps` (as root it installs python3-gi gir1.2-ical-3.0)"
		}
		return Invite{}, fmt.Errorf("libical check (%s): %v\n%s%s", python, err, stderr.String(), hint)
	}
	var p parsed
	if err := json.Unmarshal(stdout.Bytes(), &p); err != nil {
		return Invite{}, fmt.Errorf("libical check printed %q: %v", stdout.String(), err)
	}
	if len(p.Errors) > 0 {
		return Invite{}, fmt.Errorf("libical found errors:\n  %s", strings.Join(p.Errors, "\n  "))
	}
	if p.Events != 1 || len(p.OtherComponents) > 0 {
		return Invite{}, fmt.Errorf("libical read %d VEVENTs and other components %v, want one VEVENT alone", p.Events, p.OtherComponents)
	}
	inv := Invite{
		Method: deref(p.Method), ProdID: deref(p.ProdID), Version: deref(p.Version),
		UID: p.UID, Sequence: p.Sequence, Status: deref(p.Status),
		Summary: deref(p.Summary), Description: deref(p.Description), Location: deref(p.Location), URL: deref(p.URL),
	}
	var err error
	for _, tv := range []struct {
		name string
		v    timeValue
		dst  *time.Time
	}{{"DTSTAMP", p.Stamp, &inv.Stamp}, {"DTSTART", p.Start, &inv.Start}, {"DTEND", p.End, &inv.End}} {
		if *tv.dst, err = utcTime(tv.name, tv.v); err != nil {
			return Invite{}, err
		}
	}
	if p.Organizer != nil {
		if inv.Organizer, err = person(p.Organizer.CN, p.Organizer.Address); err != nil {
			return Invite{}, err
		}
	}
	for _, a := range p.Attendees {
		at, err := person(a.CN, a.Address)
		if err != nil {
			return Invite{}, err
		}
		at.Role, at.PartStat, at.RSVP = a.Role, a.PartStat, a.RSVP
		inv.Attendees = append(inv.Attendees, at)
	}
	return inv, nil
}

func utcTime(name string, v timeValue) (time.Time, error) {
	if !v.UTC {
		return time.Time{}, fmt.Errorf("%s %q is not in UTC", name, v.Value)
	}
	t, err := time.Parse("20060102T150405Z", v.Value)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: %v", name, v.Value, err)
	}
	return t, nil
}

func person(cn, address string) (Person, error) {
	rest, ok := strings.CutPrefix(address, "mailto:")
	if !ok {
		return Person{}, fmt.Errorf("calendar address %q is not a mailto: URI", address)
	}
	email, err := url.PathUnescape(rest)
	if err != nil {
		return Person{}, fmt.Errorf("calendar address %q: %v", address, err)
	}
	return Person{Name: cn, Email: email}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
