package mail_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/astralisops/astralis/internal/invite"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/testenv"
)

// TestDevMailboxKeepsAttachments: in development the mailbox shows the files
// a message carried, as sent; a message without any lists none.
func TestDevMailboxKeepsAttachments(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	mailbox := mail.NewDevMailbox(testenv.Pool(t))
	attachments := []mail.Attachment{
		{Filename: invite.Filename, ContentType: invite.ContentTypeFor(invite.MethodRequest), Content: renderInvite(t, invite.MethodRequest, 1)},
		{Filename: "logo.png", ContentType: "image/png", Content: []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}},
	}
	if err := mailbox.Send(ctx, mail.Message{ID: "plain", To: "ada@example.com", Subject: "hello", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if err := mailbox.Send(ctx, mail.Message{ID: "moved", To: "grace@example.com", Subject: "Moved", Text: "New time", Attachments: attachments}); err != nil {
		t.Fatal(err)
	}
	got, err := mailbox.List(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d messages, want 2", len(got))
	}
	if !reflect.DeepEqual(got[0].Attachments, attachments) {
		t.Errorf("attachments =\n%+v\nwant\n%+v", got[0].Attachments, attachments)
	}
	if got[1].Attachments == nil || len(got[1].Attachments) != 0 {
		t.Errorf("a message without attachments lists %#v, want an empty list", got[1].Attachments)
	}
}

// TestAttachmentJSON: the dev mailbox API shows a text/* file that is UTF-8
// as text and anything else as base64, and reads both back.
func TestAttachmentJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   mail.Attachment
		want string
	}{
		{"an invite is text", mail.Attachment{Filename: "invite.ics", ContentType: "text/calendar; method=CANCEL", Content: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")},
			`{"filename":"invite.ics","content_type":"text/calendar; method=CANCEL","content":"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n","encoding":"utf-8"}`},
		{"a binary file is base64", mail.Attachment{Filename: "a.bin", ContentType: "application/octet-stream", Content: []byte{0, 1, 0xff}},
			`{"filename":"a.bin","content_type":"application/octet-stream","content":"AAH/","encoding":"base64"}`},
		{"text that is not UTF-8 is base64", mail.Attachment{Filename: "a.txt", ContentType: "text/plain; charset=iso-8859-1", Content: []byte("caf\xe9")},
			`{"filename":"a.txt","content_type":"text/plain; charset=iso-8859-1","content":"Y2Fm6Q==","encoding":"base64"}`},
	} {
		out, err := json.Marshal(tc.in)
		if err != nil || string(out) != tc.want {
			t.Errorf("%s: JSON %s, %v; want %s", tc.name, out, err, tc.want)
		}
		var back mail.Attachment
		if err := json.Unmarshal(out, &back); err != nil || !reflect.DeepEqual(back, tc.in) {
			t.Errorf("%s: read back %+v, %v", tc.name, back, err)
		}
	}
}
