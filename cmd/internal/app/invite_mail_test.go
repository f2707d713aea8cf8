package app

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/astralisops/astralis/internal/invite"
	"github.com/astralisops/astralis/internal/invite/invitetest"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/store"
	"github.com/astralisops/astralis/internal/testenv"
	"github.com/astralisops/astralis/workflows"
)

// mailInvite queues a message carrying a rendered invite and delivers it
// through the real worker's SendEmail workflow, returning the invite's bytes.
func mailInvite(t *testing.T, s *Services, to string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)
	ics, err := invite.Render(invite.Invite{
		Method: invite.MethodRequest, UID: "booking-e2e@astralis.test", Sequence: 1,
		Stamp: start.Add(-24 * time.Hour), Start: start, End: start.Add(time.Hour),
		Summary:   "Beratungsgespräch mit Frau Dr. Müller-Lüdenscheidt, Zimmer 3; bitte Unterlagen mitbringen",
		Organizer: invite.Person{Name: "Ada Lovelace", Email: "ada@salon.test"},
		Attendees: []invite.Person{{Name: "Grace Hopper", Email: to}},
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := mail.Message{To: to, Subject: "Your booking moved", Text: "New time attached.", Attachments: []mail.Attachment{
		{Filename: invite.Filename, ContentType: invite.ContentTypeFor(invite.MethodRequest), Content: ics},
	}}
	id, err := mail.Enqueue(ctx, store.New(s.Pool), msg, mail.AfterCommit)
	if err != nil {
		t.Fatal(err)
	}
	run, err := testenv.Temporal(t).ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.EmailWorkflowID(id), TaskQueue: s.TaskQueue(workflows.EmailTaskQueue)}, workflows.SendEmail, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("SendEmail: %v", err)
	}
	return ics
}

// TestInviteMailedThroughTheWorker: an invite queued in the outbox reaches a
// real SMTP server through the worker as a text/calendar attachment with its
// method, byte for byte, and libical accepts what arrived.
func TestInviteMailedThroughTheWorker(t *testing.T) {
	smtp, inbox := withSMTP(t)
	_, s := startDev(t, smtp)
	ics := mailInvite(t, s, "grace@example.com")

	got := inbox.WaitFor(t, "grace@example.com", "Your booking moved")
	if len(got.Attachments) != 1 {
		t.Fatalf("%d attachments arrived, want the invite", len(got.Attachments))
	}
	a := got.Attachments[0]
	if mediaType, params, _ := mime.ParseMediaType(a.ContentType); mediaType != "text/calendar" || params["method"] != "REQUEST" {
		t.Errorf("invite Content-Type %q, want text/calendar with method=REQUEST", a.ContentType)
	}
	if !bytes.Equal(a.Content, ics) {
		t.Errorf("invite arrived changed:\n%q\nsent\n%q", a.Content, ics)
	}
	if read := invitetest.Check(t, a.Content); read.Sequence != 1 || read.UID != "booking-e2e@astralis.test" {
		t.Errorf("libical read SEQUENCE %d, UID %q", read.Sequence, read.UID)
	}
}

// TestDevMailboxShowsMailedInvite: without a mail server (development), the
// same mail lands in the dev mailbox, and GET /api/v1/dev/mail shows the
// invite as its text, CRLFs intact.
func TestDevMailboxShowsMailedInvite(t *testing.T) {
	apiURL, s := startDev(t)
	ics := mailInvite(t, s, "grace@example.com")

	status, body := get(t, apiURL+"/api/v1/dev/mail")
	if status != 200 {
		t.Fatalf("GET /api/v1/dev/mail = %d %s", status, body)
	}
	var page struct {
		Items []struct {
			Subject     string `json:"subject"`
			Attachments []struct {
				Filename    string `json:"filename"`
				ContentType string `json:"content_type"`
				Content     string `json:"content"`
			} `json:"attachments"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || len(page.Items[0].Attachments) != 1 {
		t.Fatalf("dev mailbox: %s", body)
	}
	a := page.Items[0].Attachments[0]
	if a.Filename != invite.Filename || a.ContentType != invite.ContentTypeFor(invite.MethodRequest) || a.Content != string(ics) {
		t.Errorf("dev mailbox shows %+v, want the invite as text", a)
	}
	invitetest.Check(t, []byte(a.Content))
}
