package mail_test

import (
	"bytes"
	"mime"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/invite"
	"github.com/astralisops/astralis/internal/invite/invitetest"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/testenv"
)

func smtpTo(t *testing.T) (*mail.SMTP, *testenv.Inbox) {
	host, port, inbox := testenv.SMTPServer(t)
	return mail.NewSMTP(mail.SMTPConfig{Host: host, Port: port, TLS: "none", From: "AstralisOps <no-reply@astralis.test>"}), inbox
}

func renderInvite(t *testing.T, method string, sequence int) []byte {
	t.Helper()
	start := time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)
	ics, err := invite.Render(invite.Invite{
		Method: method, UID: "booking-42@astralis.test", Sequence: sequence,
		Stamp: start.Add(-48 * time.Hour), Start: start, End: start.Add(45 * time.Minute),
		Summary:   "Zahnärztliche Kontrolle bei Dr. Müller-Lüdenscheidt, Hauptstraße 1; 3. OG — bitte pünktlich",
		Organizer: invite.Person{Name: "Ada Lovelace", Email: "ada@salon.test"},
		Attendees: []invite.Person{{Name: "Grace Hopper", Email: "grace@example.com"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ics
}

// TestSMTPMailsAnInviteCalendarAppsRecognise: a confirmation with an invite
// arrives at a real SMTP server as multipart/mixed: the text and HTML as
// before, then the invite as text/calendar with its method, byte for byte
// (CRLF line endings and folds intact, so libical still accepts it), and any
// other file beside it.
func TestSMTPMailsAnInviteCalendarAppsRecognise(t *testing.T) {
	t.Parallel()
	sender, inbox := smtpTo(t)
	ics := renderInvite(t, invite.MethodRequest, 0)
	pdf := []byte("%PDF-1.7\n\x00\xff\xfe binary\r\n")
	err := sender.Send(t.Context(), mail.Message{
		ID: "booking-42-confirm", To: "grace@example.com", Subject: "Your booking is confirmed",
		Text: "See you on Monday.", HTML: "<p>See you on <b>Monday</b>.</p>",
		Attachments: []mail.Attachment{
			{Filename: invite.Filename, ContentType: invite.ContentTypeFor(invite.MethodRequest), Content: ics},
			{Filename: "Preisliste für 2027.pdf", ContentType: "application/pdf", Content: pdf},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := inbox.WaitFor(t, "grace@example.com", "Your booking is confirmed")

	if mediaType, _, _ := mime.ParseMediaType(got.ContentType); mediaType != "multipart/mixed" {
		t.Errorf("message Content-Type %q, want multipart/mixed", got.ContentType)
	}
	if got.Text != "See you on Monday." || got.HTML != "<p>See you on <b>Monday</b>.</p>" {
		t.Errorf("text %q and HTML %q did not arrive as sent", got.Text, got.HTML)
	}
	if len(got.Attachments) != 2 {
		t.Fatalf("%d attachments arrived, want 2: %+v", len(got.Attachments), got.Attachments)
	}

	cal := got.Attachments[0]
	mediaType, params, err := mime.ParseMediaType(cal.ContentType)
	if err != nil || mediaType != "text/calendar" || params["method"] != "REQUEST" || params["charset"] != "utf-8" {
		t.Errorf("invite Content-Type %q, want text/calendar with method=REQUEST and charset=utf-8", cal.ContentType)
	}
	if cal.Filename != invite.Filename {
		t.Errorf("invite filename %q, want %q", cal.Filename, invite.Filename)
	}
	if !bytes.Equal(cal.Content, ics) {
		t.Errorf("invite arrived changed:\n%q\nsent\n%q", cal.Content, ics)
	}
	if read := invitetest.Check(t, cal.Content); read.Method != "REQUEST" || read.UID != "booking-42@astralis.test" {
		t.Errorf("libical read method %q, UID %q from the mailed invite", read.Method, read.UID)
	}

	file := got.Attachments[1]
	if file.Filename != "Preisliste für 2027.pdf" || !bytes.Equal(file.Content, pdf) {
		t.Errorf("second attachment arrived as %q %q, sent %q", file.Filename, file.Content, pdf)
	}
	if mediaType, _, _ := mime.ParseMediaType(file.ContentType); mediaType != "application/pdf" {
		t.Errorf("second attachment Content-Type %q, want application/pdf", file.ContentType)
	}
}

// TestSMTPWithoutAttachmentsIsUnchanged: mail without attachments stays
// text + HTML alternatives, as it was before attachments existed.
func TestSMTPWithoutAttachmentsIsUnchanged(t *testing.T) {
	t.Parallel()
	sender, inbox := smtpTo(t)
	if err := sender.Send(t.Context(), mail.Message{ID: "m-1", To: "ada@example.com", Subject: "Welcome", Text: "Hello", HTML: "<p>Hello</p>"}); err != nil {
		t.Fatal(err)
	}
	got := inbox.WaitFor(t, "ada@example.com", "Welcome")
	if mediaType, _, _ := mime.ParseMediaType(got.ContentType); mediaType != "multipart/alternative" {
		t.Errorf("Content-Type %q, want multipart/alternative", got.ContentType)
	}
	if got.Text != "Hello" || got.HTML != "<p>Hello</p>" || len(got.Attachments) != 0 {
		t.Errorf("received text %q, HTML %q, %d attachments", got.Text, got.HTML, len(got.Attachments))
	}
}
