package mail_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/database"
	"github.com/astralisops/astralis/internal/invite"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/store"
	"github.com/astralisops/astralis/internal/testenv"
)

// TestStaleLeavesWorkflowMailToItsWorkflow: the sweep takes mail the API never
// handed over, but not mail a workflow is still retrying (both would send it
// when a long SMTP outage ends), until that workflow has given up.
func TestStaleLeavesWorkflowMailToItsWorkflow(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool, err := database.Open(ctx, testenv.DatabaseURL(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	q := store.New(pool)
	enqueue := func(by mail.Deliverer, age time.Duration) string {
		id, err := mail.Enqueue(ctx, q, mail.Message{To: "ada@example.com", Subject: "hello", Text: "hi"}, by)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, "UPDATE mail_outbox SET created_at = now() - $2::interval WHERE id = $1", id, age.String()); err != nil {
			t.Fatal(err)
		}
		return id
	}
	strandedByAPI := enqueue(mail.AfterCommit, 30*time.Minute)
	enqueue(mail.AfterCommit, time.Minute)            // its SendEmail may still be starting
	enqueue(mail.ByWorkflow, 3*time.Hour)             // its workflow is still retrying
	givenUp := enqueue(mail.ByWorkflow, 26*time.Hour) // its workflow stopped retrying
	stale, err := mail.NewOutbox(pool).Stale(ctx, time.Now().Add(-15*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) != 2 || stale[0] != givenUp || stale[1] != strandedByAPI {
		t.Fatalf("stale = %v, want [%s %s] (oldest first)", stale, givenUp, strandedByAPI)
	}
}

// TestOutboxKeepsAttachments: a queued message's attachments come back from
// the outbox byte for byte (an invite's CRLFs, a binary file's every byte),
// and a message without any comes back without any.
func TestOutboxKeepsAttachments(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool, err := database.Open(ctx, testenv.DatabaseURL(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	q := store.New(pool)
	outbox := mail.NewOutbox(pool)

	ics := renderInvite(t, invite.MethodCancel, 2)
	attachments := []mail.Attachment{
		{Filename: invite.Filename, ContentType: invite.ContentTypeFor(invite.MethodCancel), Content: ics},
		{Filename: "scan.bin", ContentType: "application/octet-stream", Content: []byte{0, 0xff, '\r', '\n', 0x80}},
	}
	sent := mail.Message{To: "grace@example.com", Subject: "Cancelled", Text: "Your booking is cancelled.", Attachments: attachments}
	withFiles, err := mail.Enqueue(ctx, q, sent, mail.ByWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := mail.Enqueue(ctx, q, mail.Message{To: "ada@example.com", Subject: "hello", Text: "hi"}, mail.AfterCommit)
	if err != nil {
		t.Fatal(err)
	}

	got, found, err := outbox.Load(ctx, withFiles)
	if err != nil || !found {
		t.Fatalf("Load = found %v, %v", found, err)
	}
	sent.ID = withFiles
	if !reflect.DeepEqual(got, sent) {
		t.Errorf("Load =\n%+v\nwant\n%+v", got, sent)
	}
	got, _, err = outbox.Load(ctx, plain)
	if err != nil || len(got.Attachments) != 0 || got.Text != "hi" {
		t.Errorf("a message without attachments loaded as %+v, %v", got, err)
	}
}

// TestEnqueueRefusesAttachmentsNoMailCouldCarry: a bad attachment is a typed
// error naming it, and nothing is queued.
func TestEnqueueRefusesAttachmentsNoMailCouldCarry(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool, err := database.Open(ctx, testenv.DatabaseURL(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	q := store.New(pool)
	ok := mail.Attachment{Filename: "invite.ics", ContentType: "text/calendar", Content: []byte("x")}
	for _, tc := range []struct {
		name  string
		as    []mail.Attachment
		index int
	}{
		{"no filename", []mail.Attachment{ok, {ContentType: "text/plain"}}, 1},
		{"a path for a filename", []mail.Attachment{{Filename: "../../etc/passwd", ContentType: "text/plain"}}, 0},
		{"a header in the filename", []mail.Attachment{{Filename: "a\r\nBcc: x@y.z", ContentType: "text/plain"}}, 0},
		{"no content type", []mail.Attachment{{Filename: "a.txt"}}, 0},
		{"a header in the content type", []mail.Attachment{{Filename: "a.txt", ContentType: "text/plain\r\nBcc: x@y.z"}}, 0},
		{"too many", slices.Repeat([]mail.Attachment{ok}, mail.MaxAttachments+1), -1},
		{"too large", []mail.Attachment{{Filename: "big.bin", ContentType: "application/octet-stream", Content: make([]byte, mail.MaxAttachmentBytes+1)}}, -1},
	} {
		_, err := mail.Enqueue(ctx, q, mail.Message{To: "ada@example.com", Subject: "s", Text: "t", Attachments: tc.as}, mail.AfterCommit)
		var ae *mail.AttachmentError
		if !errors.Is(err, mail.ErrInvalidAttachment) || !errors.As(err, &ae) || ae.Index != tc.index {
			t.Errorf("%s: Enqueue = %v, want an AttachmentError for index %d", tc.name, err, tc.index)
		}
	}
	var queued int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM mail_outbox").Scan(&queued); err != nil || queued != 0 {
		t.Errorf("%d messages queued (%v), want none", queued, err)
	}
}
