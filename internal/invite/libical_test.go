package invite_test

import (
	"strings"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/invite"
	"github.com/astralisops/astralis/internal/invite/invitetest"
)

// TestInvitesPassLibical: each invite a booking mails (confirm, reschedule,
// cancel), plus one with every awkward kind of text, parses with libical
// without error, passes its RFC 5546 restriction checks, and libical reads
// back exactly what was meant.
func TestInvitesPassLibical(t *testing.T) {
	t.Parallel()
	confirmed := confirmation()

	rescheduled := confirmation()
	rescheduled.Sequence = 1
	rescheduled.Stamp = rescheduled.Stamp.Add(26 * time.Hour)
	rescheduled.Start, rescheduled.End = rescheduled.Start.AddDate(0, 0, 1), rescheduled.End.AddDate(0, 0, 1)

	cancelled := rescheduled
	cancelled.Method, cancelled.Sequence = invite.MethodCancel, 2
	cancelled.Stamp = cancelled.Stamp.Add(time.Hour)

	awkward := confirmation()
	awkward.Summary = "Zahnärztliche Kontrolle, Reinigung; Beratung \\ " + strings.Repeat("🦷", 30)
	awkward.Description = "Bring:\r\n- your card, and\n- 20 € cash;\rthanks\t(tab)"
	awkward.Location = "Dr. Müller-Lüdenscheidt, Hauptstraße 1; 3. OG"
	awkward.Organizer = invite.Person{Name: `Seán O'Brien, MD "Doc" ^_^`, Email: "sean.obrien+salon@example.ie"}
	awkward.Attendees = []invite.Person{
		{Name: "Grace Hopper", Email: "grace@example.com"},
		{Name: "José Ñúñez; Jr.", Email: "a%b@example.com"},
	}

	for _, tc := range []struct {
		name       string
		inv        invite.Invite
		wantStatus string
	}{
		{"confirm: REQUEST, SEQUENCE 0", confirmed, "CONFIRMED"},
		{"reschedule: REQUEST, SEQUENCE 1", rescheduled, "CONFIRMED"},
		{"cancel: CANCEL, SEQUENCE 2", cancelled, "CANCELLED"},
		{"awkward text", awkward, "CONFIRMED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ics, err := invite.Render(tc.inv)
			if err != nil {
				t.Fatal(err)
			}
			got := invitetest.Check(t, ics)

			want := tc.inv
			check := func(what string, got, want any) {
				t.Helper()
				if got != want {
					t.Errorf("libical read %s %q, want %q", what, got, want)
				}
			}
			check("METHOD", got.Method, want.Method)
			check("VERSION", got.Version, "2.0")
			check("UID", got.UID, want.UID)
			check("SEQUENCE", got.Sequence, want.Sequence)
			check("STATUS", got.Status, tc.wantStatus)
			check("DTSTAMP", got.Stamp, want.Stamp.UTC())
			check("DTSTART", got.Start, want.Start.UTC())
			check("DTEND", got.End, want.End.UTC())
			check("SUMMARY", got.Summary, want.Summary)
			check("DESCRIPTION", got.Description, strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(want.Description))
			check("LOCATION", got.Location, want.Location)
			check("URL", got.URL, want.URL)
			check("ORGANIZER CN", got.Organizer.Name, want.Organizer.Name)
			check("ORGANIZER address", got.Organizer.Email, want.Organizer.Email)
			if len(got.Attendees) != len(want.Attendees) {
				t.Fatalf("libical read %d attendees, want %d", len(got.Attendees), len(want.Attendees))
			}
			for i, a := range got.Attendees {
				check("ATTENDEE CN", a.Name, want.Attendees[i].Name)
				check("ATTENDEE address", a.Email, want.Attendees[i].Email)
				check("ATTENDEE ROLE", a.Role, "REQ-PARTICIPANT")
				if want.Method == invite.MethodRequest {
					check("ATTENDEE PARTSTAT", a.PartStat, "NEEDS-ACTION")
					check("ATTENDEE RSVP", a.RSVP, "TRUE")
				}
			}
		})
	}
}

// TestLibicalCheckCatchesBrokenInvites: the check above can fail. An invite
// libical rejects (a REQUEST without ORGANIZER), one with a bare LF and one
// with an overlong line are each refused.
func TestLibicalCheckCatchesBrokenInvites(t *testing.T) {
	t.Parallel()
	ics, err := invite.Render(confirmation())
	if err != nil {
		t.Fatal(err)
	}
	text := string(ics)

	lines := strings.Split(text, "\r\n")
	var noOrganizer []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "ORGANIZER") {
			noOrganizer = append(noOrganizer, l)
		}
	}
	_, err = invitetest.Read(t.Context(), []byte(strings.Join(noOrganizer, "\r\n")))
	if err == nil || !strings.Contains(err.Error(), "ORGANIZER") {
		t.Errorf("a REQUEST without ORGANIZER passed libical's check (%v)", err)
	}
	for name, broken := range map[string]string{
		"a bare LF":               strings.Replace(text, "SEQUENCE:0\r\n", "SEQUENCE:0\n", 1),
		"a 76-octet line":         strings.Replace(text, "SUMMARY:Haircut with Ada", "SUMMARY:"+strings.Repeat("x", 68), 1),
		"a UTF-8 split by a fold": strings.Replace(text, "SUMMARY:Haircut with Ada", "SUMMARY:\xc3\r\n \xa4", 1),
	} {
		if _, err := invitetest.Read(t.Context(), []byte(broken)); err == nil {
			t.Errorf("%s passed", name)
		}
	}
}
