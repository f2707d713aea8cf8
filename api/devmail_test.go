package api

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/testenv"
)

// TestDevMailShowsAttachments: GET /api/v1/dev/mail lists each message's
// attachments, an invite as its text (CRLFs intact), a binary file as base64,
// and an empty list for a message without any.
func TestDevMailShowsAttachments(t *testing.T) {
	t.Parallel()
	mailbox := mail.NewDevMailbox(testenv.Pool(t))
	ics := "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Haircut\\, wash\r\n \r\nEND:VCALENDAR\r\n"
	png := []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0}
	for _, msg := range []mail.Message{
		{ID: "plain", To: "ada@example.com", Subject: "hello", Text: "hi"},
		{ID: "booked", To: "grace@example.com", Subject: "Booked", Text: "See you", Attachments: []mail.Attachment{
			{Filename: "invite.ics", ContentType: "text/calendar; charset=utf-8; method=REQUEST", Content: []byte(ics)},
			{Filename: "logo.png", ContentType: "image/png", Content: png},
		}},
	} {
		if err := mailbox.Send(t.Context(), msg); err != nil {
			t.Fatal(err)
		}
	}
	srv, _ := newServer(t, Deps{DevMailbox: mailbox})
	resp := do(t, "GET", srv.URL+"/api/v1/dev/mail", "", "")
	if resp.status != 200 {
		t.Fatalf("status %d: %s", resp.status, resp.body)
	}
	var page struct {
		Items []struct {
			ID          string            `json:"id"`
			Attachments []json.RawMessage `json:"attachments"`
		} `json:"items"`
	}
	if err := json.Unmarshal(resp.body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Items[0].ID != "booked" || page.Items[1].ID != "plain" {
		t.Fatalf("items %s", resp.body)
	}
	want := []map[string]string{
		{"filename": "invite.ics", "content_type": "text/calendar; charset=utf-8; method=REQUEST", "content": ics, "encoding": "utf-8"},
		{"filename": "logo.png", "content_type": "image/png", "content": base64.StdEncoding.EncodeToString(png), "encoding": "base64"},
	}
	var got []map[string]string
	for _, raw := range page.Items[0].Attachments {
		var a map[string]string
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("attachment %s: %v", raw, err)
		}
		got = append(got, a)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("attachments =\n%v\nwant\n%v", got, want)
	}
	if page.Items[1].Attachments == nil || len(page.Items[1].Attachments) != 0 {
		t.Errorf("a message without attachments shows %s, want \"attachments\": []", resp.body)
	}
}
