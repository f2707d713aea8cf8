package app

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// problemFields decodes a problem's status and the fields it names.
func problemFields(t *testing.T, r reply) (typ string, fields []string) {
	t.Helper()
	var p struct {
		Type   string `json:"type"`
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("not a problem: %d %s", r.status, r.body)
	}
	for _, e := range p.Errors {
		fields = append(fields, e.Field)
	}
	return p.Type, fields
}

// TestOrganisationNamesAreNames: a name is a short line of text with a letter,
// not a link or a sentence, and invitations quote it as a name.
func TestOrganisationNamesAreNames(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	for _, name := range []string{
		"Your mailbox is full – restore access at https://mail.example.com/restore",
		"Visit www.example.com",
		"ftp://files.example.com",
		strings.Repeat("Acme ", 17), // 85 characters, 84 once trimmed
		"1234 - 5678",
		"Acme\u202eRepairs",
		"Acme\tRepairs",
		"   ",
	} {
		r := admin.do("POST", "/api/v1/orgs", map[string]string{"name": name})
		if _, fields := problemFields(t, r); r.status != 422 || len(fields) != 1 || fields[0] != "name" {
			t.Errorf("name %q: %d %s; want 422 naming name", name, r.status, r.body)
		}
	}
	admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "  " + strings.Repeat("Ä", 80) + " "})

	admin.must(202, "POST", "/api/v1/orgs/"+org+"/members", map[string]string{"email": "ana@shop.test", "role": "OPERATOR"})
	m := inbox.WaitFor(t, "ana@shop.test", "You are invited")
	if m.Subject != "You are invited to the organisation “Fixit Shop” on AstralisOps" {
		t.Errorf("subject = %q", m.Subject)
	}
	if !strings.Contains(m.Text, "invited you to join the organisation “Fixit Shop” on AstralisOps") || strings.Contains(strings.ReplaceAll(m.Text, "“Fixit Shop”", ""), "Fixit Shop") {
		t.Errorf("text does not quote the name every time:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, "the organisation <b>“Fixit Shop”</b>") || strings.Contains(strings.ReplaceAll(m.HTML, "“Fixit Shop”", ""), "Fixit Shop") {
		t.Errorf("HTML does not quote the name every time:\n%s", m.HTML)
	}
}

// TestOrganisationCreationIsRateLimited: ten organisations a day per user, then 429 with Retry-After.
func TestOrganisationCreationIsRateLimited(t *testing.T) {
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp)
	admin := signUpVerified(t, base, inbox, "owner@shop.test", "owner password 1")
	for i := range 10 {
		admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Shop " + strconv.Itoa(i+1)})
	}
	r := admin.do("POST", "/api/v1/orgs", map[string]string{"name": "Shop 11"})
	after, err := strconv.Atoi(r.header.Get("Retry-After"))
	if typ, _ := problemFields(t, r); r.status != 429 || typ != "/problems/rate-limited" || err != nil || after <= 0 || after > int((24*time.Hour).Seconds()) {
		t.Fatalf("11th organisation in a day: %d %s, Retry-After %q; want 429 with Retry-After", r.status, r.body, r.header.Get("Retry-After"))
	}
	// Someone else is not held up.
	signUpVerified(t, base, inbox, "other@shop.test", "other password 1").must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Other Shop"})
}
