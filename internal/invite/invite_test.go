package invite_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/invite"
	"github.com/astralisops/astralis/internal/invite/invitetest"
)

var newYork = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// confirmation is a booking's first invite: 09:00–09:45 in New York (EST, UTC−5).
func confirmation() invite.Invite {
	return invite.Invite{
		Method:      invite.MethodRequest,
		UID:         "booking-7f1c@astralis.test",
		Sequence:    0,
		Stamp:       time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC),
		Start:       time.Date(2026, 12, 7, 9, 0, 0, 0, newYork),
		End:         time.Date(2026, 12, 7, 9, 45, 0, 0, newYork),
		Summary:     "Haircut with Ada",
		Description: "Manage your booking:\nhttps://astralis.test/b/7f1c?t=abc",
		Location:    "12 High St, Springfield",
		URL:         "https://astralis.test/b/7f1c?t=abc",
		Organizer:   invite.Person{Name: "Ada Lovelace", Email: "ada@salon.test"},
		Attendees:   []invite.Person{{Name: "Grace Hopper", Email: "grace@example.com"}},
	}
}

func crlf(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

func TestRenderWritesWholeInvites(t *testing.T) {
	t.Parallel()
	cancel := confirmation()
	cancel.Method, cancel.Sequence = invite.MethodCancel, 2
	cancel.Description, cancel.Location, cancel.URL = "", "", ""
	cancel.Attendees[0].Name = ""

	for _, tc := range []struct {
		name string
		inv  invite.Invite
		want string
	}{
		{"request", confirmation(), crlf(
			"BEGIN:VCALENDAR",
			"PRODID:-//AstralisOps//Scheduling//EN",
			"VERSION:2.0",
			"CALSCALE:GREGORIAN",
			"METHOD:REQUEST",
			"BEGIN:VEVENT",
			"UID:booking-7f1c@astralis.test",
			"SEQUENCE:0",
			"DTSTAMP:20261201T093000Z",
			"DTSTART:20261207T140000Z",
			"DTEND:20261207T144500Z",
			"SUMMARY:Haircut with Ada",
			`DESCRIPTION:Manage your booking:\nhttps://astralis.test/b/7f1c?t=abc`,
			`LOCATION:12 High St\, Springfield`,
			"URL:https://astralis.test/b/7f1c?t=abc",
			`ORGANIZER;CN="Ada Lovelace":mailto:ada@salon.test`,
			`ATTENDEE;CN="Grace Hopper";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=`,
			" TRUE:mailto:grace@example.com",
			"STATUS:CONFIRMED",
			"END:VEVENT",
			"END:VCALENDAR",
		)},
		{"cancel: no reply asked, optional fields left out", cancel, crlf(
			"BEGIN:VCALENDAR",
			"PRODID:-//AstralisOps//Scheduling//EN",
			"VERSION:2.0",
			"CALSCALE:GREGORIAN",
			"METHOD:CANCEL",
			"BEGIN:VEVENT",
			"UID:booking-7f1c@astralis.test",
			"SEQUENCE:2",
			"DTSTAMP:20261201T093000Z",
			"DTSTART:20261207T140000Z",
			"DTEND:20261207T144500Z",
			"SUMMARY:Haircut with Ada",
			`ORGANIZER;CN="Ada Lovelace":mailto:ada@salon.test`,
			"ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:grace@example.com",
			"STATUS:CANCELLED",
			"END:VEVENT",
			"END:VCALENDAR",
		)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := invite.Render(tc.inv)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("Render =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// propertyLines renders inv and returns the physical lines of the named property.
func propertyLines(t *testing.T, inv invite.Invite, name string) []string {
	t.Helper()
	out, err := invite.Render(inv)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n")
	for i, l := range lines {
		if strings.HasPrefix(l, name+":") || strings.HasPrefix(l, name+";") {
			end := i + 1
			for end < len(lines) && strings.HasPrefix(lines[end], " ") {
				end++
			}
			return lines[i:end]
		}
	}
	t.Fatalf("no %s line in\n%s", name, out)
	return nil
}

func TestRenderFoldsAt75OctetsBetweenCharacters(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		summary string
		want    []string
	}{
		{"short line is left alone", "Haircut", []string{"SUMMARY:Haircut"}},
		{"exactly 75 octets is not folded", strings.Repeat("a", 67), []string{"SUMMARY:" + strings.Repeat("a", 67)}},
		{"76 octets: the last one moves", strings.Repeat("a", 68), []string{"SUMMARY:" + strings.Repeat("a", 67), " a"}},
		{
			// "ä" would take octets 75 and 76: the fold comes before it, leaving a 74-octet line.
			"a two-octet character straddling octet 75", strings.Repeat("a", 66) + "äb",
			[]string{"SUMMARY:" + strings.Repeat("a", 66), " äb"},
		},
		{
			// 4-octet characters: 8 + 16×4 = 72 octets, then 1 + 18×4 = 73 on each continuation.
			"four-octet characters", strings.Repeat("🦷", 40),
			[]string{"SUMMARY:" + strings.Repeat("🦷", 16), " " + strings.Repeat("🦷", 18), " " + strings.Repeat("🦷", 6)},
		},
		{
			// An escape is two octets of one character; folding between them is allowed and unfolds back.
			"an escape straddling octet 75", strings.Repeat("a", 66) + ",b",
			[]string{"SUMMARY:" + strings.Repeat("a", 66) + `\`, " ,b"},
		},
		{
			// "SUMMARY:" and the text up to "M" are 75 octets ("ä" is two), so "ü" starts the next line.
			"long German summary", "Zahnärztliche Kontrolle und professionelle Zahnreinigung bei Dr. Müller-Lüdenscheidt",
			[]string{
				"SUMMARY:Zahnärztliche Kontrolle und professionelle Zahnreinigung bei Dr. M",
				" üller-Lüdenscheidt",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := confirmation()
			inv.Summary = tc.summary
			got := propertyLines(t, inv, "SUMMARY")
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("SUMMARY lines =\n%q\nwant\n%q", got, tc.want)
			}
			for _, l := range got {
				if len(l) > 75 {
					t.Errorf("line of %d octets: %q", len(l), l)
				}
			}
		})
	}
}

func TestRenderEscapesText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
	}{
		{"comma, semicolon and backslash", `Cut, wash; dry \ style`, `Cut\, wash\; dry \\ style`},
		{"every kind of line break is one \\n", "one\r\ntwo\rthree\nfour", `one\ntwo\nthree\nfour`},
		{"a typed backslash-n stays text", `C:\new`, `C:\\new`},
		{"tab is kept, other controls dropped", "a\tb\x00c\x1bd\x7fe\u0085f", "a\tbcdef"},
		{"invalid UTF-8 becomes U+FFFD", "caf\xe9", "caf\uFFFD"},
		{"no property can be injected", "x\r\nATTENDEE:mailto:evil@example.com", `x\nATTENDEE:mailto:evil@example.com`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := confirmation()
			inv.Description = tc.in
			got := propertyLines(t, inv, "DESCRIPTION")
			if len(got) != 1 || got[0] != "DESCRIPTION:"+tc.want {
				t.Errorf("DESCRIPTION lines = %q, want %q", got, "DESCRIPTION:"+tc.want)
			}
		})
	}
}

func TestRenderQuotesNamesAndEncodesAddresses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		who  invite.Person
		want string
	}{
		{"comma, colon and semicolon are quoted", invite.Person{Name: "O'Brien, Ada: MD; PhD", Email: "ada@salon.test"},
			`ORGANIZER;CN="O'Brien, Ada: MD; PhD":mailto:ada@salon.test`},
		{"double quote and caret are RFC 6868 encoded", invite.Person{Name: `Ada "The Countess" ^_^`, Email: "ada@salon.test"},
			`ORGANIZER;CN="Ada ^'The Countess^' ^^_^^":mailto:ada@salon.test`},
		{"a line break in a name is a space", invite.Person{Name: "Ada\r\nLovelace", Email: "ada@salon.test"},
			`ORGANIZER;CN="Ada  Lovelace":mailto:ada@salon.test`},
		{"no name, no CN", invite.Person{Email: "ada@salon.test"}, "ORGANIZER:mailto:ada@salon.test"},
		{"URI delimiters in an address are percent-encoded", invite.Person{Email: "a%b#c?d&e=f@salon.test"},
			"ORGANIZER:mailto:a%25b%23c%3Fd%26e%3Df@salon.test"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := confirmation()
			inv.Organizer = tc.who
			got := strings.Join(propertyLines(t, inv, "ORGANIZER"), "\r\n")
			if got != tc.want {
				t.Errorf("ORGANIZER = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRenderRejectsWhatCannotBeAnInvite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		field  string
		change func(*invite.Invite)
	}{
		{"method", func(i *invite.Invite) { i.Method = "" }},
		{"method", func(i *invite.Invite) { i.Method = "request" }},
		{"method", func(i *invite.Invite) { i.Method = "PUBLISH" }},
		{"uid", func(i *invite.Invite) { i.UID = " " }},
		{"uid", func(i *invite.Invite) { i.UID = "a\r\nb" }},
		{"uid", func(i *invite.Invite) { i.UID = strings.Repeat("u", 256) }},
		{"sequence", func(i *invite.Invite) { i.Sequence = -1 }},
		{"stamp", func(i *invite.Invite) { i.Stamp = time.Time{} }},
		{"start", func(i *invite.Invite) { i.Start = time.Time{} }},
		{"end", func(i *invite.Invite) { i.End = i.Start }},
		{"end", func(i *invite.Invite) { i.End = i.Start.Add(-time.Hour) }},
		{"end", func(i *invite.Invite) { i.End = i.Start.Add(time.Millisecond) }}, // the same second once written
		{"end", func(i *invite.Invite) { i.End = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"url", func(i *invite.Invite) { i.URL = "javascript:alert(1)" }},
		{"url", func(i *invite.Invite) { i.URL = "/b/7f1c" }},
		{"url", func(i *invite.Invite) { i.URL = "https://astralis.test/b\r\nATTENDEE:mailto:x@y.z" }},
		{"organizer.email", func(i *invite.Invite) { i.Organizer.Email = "" }},
		{"organizer.email", func(i *invite.Invite) { i.Organizer.Email = "Ada <ada@salon.test>" }},
		{"organizer.email", func(i *invite.Invite) { i.Organizer.Email = "ada@salon.test\r\nX:y" }},
		{"attendees", func(i *invite.Invite) { i.Attendees = nil }},
		{"attendees", func(i *invite.Invite) { i.Attendees = make([]invite.Person, 101) }},
		{"attendees[1].email", func(i *invite.Invite) {
			i.Attendees = append(i.Attendees, invite.Person{Name: "No Address"})
		}},
	} {
		inv := confirmation()
		tc.change(&inv)
		out, err := invite.Render(inv)
		var fe *invite.FieldError
		if !errors.Is(err, invite.ErrInvalid) || !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%s: Render = %q, %v; want a FieldError naming %q", tc.field, out, err, tc.field)
		}
	}
}

func TestContentTypeForNamesTheMethod(t *testing.T) {
	t.Parallel()
	if got, want := invite.ContentTypeFor(invite.MethodCancel), "text/calendar; charset=utf-8; method=CANCEL"; got != want {
		t.Errorf("ContentTypeFor(CANCEL) = %q, want %q", got, want)
	}
}

// FuzzRender: whatever the free-text fields hold, Render either refuses with
// ErrInvalid or writes CRLF lines of at most 75 octets, with exactly the
// properties it always writes (no text can start a line of its own).
func FuzzRender(f *testing.F) {
	f.Add("Haircut, wash; dry", "line\r\nATTENDEE:mailto:x@y.z", "O'Brien \"Ada\"", "ada@salon.test", "booking-1@x")
	f.Add(strings.Repeat("🦷ä", 50), "\x00\x85\xff", "\r", "a%b@c.d", "")
	f.Fuzz(func(t *testing.T, summary, description, name, email, uid string) {
		inv := confirmation()
		inv.Summary, inv.Description, inv.Location = summary, description, summary
		inv.Organizer = invite.Person{Name: name, Email: email}
		inv.Attendees = append(inv.Attendees, invite.Person{Name: description, Email: "grace@example.com"})
		inv.UID = uid
		out, err := invite.Render(inv)
		if err != nil {
			if !errors.Is(err, invite.ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			return
		}
		if err := invitetest.CheckLines(out); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, l := range strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n") {
			if !strings.HasPrefix(l, " ") {
				names = append(names, l[:strings.IndexAny(l, ":;")])
			}
		}
		want := "BEGIN PRODID VERSION CALSCALE METHOD BEGIN UID SEQUENCE DTSTAMP DTSTART DTEND SUMMARY DESCRIPTION LOCATION URL ORGANIZER ATTENDEE ATTENDEE STATUS END END"
		if description == "" {
			want = strings.Replace(want, " DESCRIPTION", "", 1)
		}
		if summary == "" {
			want = strings.Replace(want, " LOCATION", "", 1)
		}
		if got := strings.Join(names, " "); got != want {
			t.Fatalf("properties %q, want %q\n%s", got, want, out)
		}
	})
}
