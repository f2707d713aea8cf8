package app

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/config"
)

// TestIntakeIsLimitedPerSubmitterAndOrganisation: with limits.intake_per_submitter
// at 3 and limits.intake_per_org at 5, a CLIENT's 4th request (token or session:
// the same member) is a 429 with Retry-After and is not stored; another member
// is still accepted until the organisation has taken 5; another organisation is
// not held up; and a repeated Idempotency-Key still answers its request.
func TestIntakeIsLimitedPerSubmitterAndOrganisation(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, func(c *config.Config) {
		c.Limits.IntakePerSubmitter, c.Limits.IntakePerSubmitterWindow = 3, 24*time.Hour
		c.Limits.IntakePerOrg, c.Limits.IntakePerOrgWindow = 5, 24*time.Hour
	})
	owner := signUpVerified(t, base, inbox, "owner@shop.test", "owner password 1")
	var org struct {
		ID string `json:"id"`
	}
	owner.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Fixit Shop"}).decode(t, &org)
	client, _ := join(t, owner, inbox, org.ID, "cleo@example.com", "CLIENT")
	var tok struct {
		Token string `json:"token"`
	}
	client.must(201, "POST", "/api/v1/orgs/"+org.ID+"/tokens", map[string]string{"name": "contact form"}).decode(t, &tok)
	form := newScript(t, base, tok.Token)

	accepted := func(r reply) string {
		t.Helper()
		var sub struct {
			ID string `json:"id"`
		}
		if r.status != 202 {
			t.Fatalf("submission: %d %s, want 202", r.status, r.body)
		}
		r.decode(t, &sub)
		return sub.ID
	}
	refused := func(r reply, detail string) {
		t.Helper()
		after, err := strconv.Atoi(r.header.Get("Retry-After"))
		typ, _ := problemFields(t, r)
		if r.status != 429 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") || typ != "/problems/rate-limited" ||
			err != nil || after < 1 || after > int((24*time.Hour).Seconds()) || !strings.Contains(string(r.body), detail) {
			t.Fatalf("submission over the limit: %d %s %s, Retry-After %q; want 429 problem+json saying %q with Retry-After within the day",
				r.status, r.header.Get("Content-Type"), r.body, r.header.Get("Retry-After"), detail)
		}
	}

	first := accepted(submit(t, form, org.ID, "form-1", "my phone screen is cracked"))
	accepted(submit(t, form, org.ID, "", "my battery is swollen"))
	accepted(submit(t, form, org.ID, "", "my charging port is loose"))
	refused(submit(t, form, org.ID, "", "my speaker crackles"), "you have submitted too many requests")
	refused(submit(t, client, org.ID, "", "my speaker crackles"), "you have submitted too many requests") // the same member by session
	if again := accepted(submit(t, form, org.ID, "form-1", "my phone screen is cracked")); again != first {
		t.Fatalf("the repeated Idempotency-Key answered %s, want the earlier %s", again, first)
	}
	var mine struct {
		Items []struct{} `json:"items"`
	}
	client.must(200, "GET", "/api/v1/orgs/"+org.ID+"/intake", nil).decode(t, &mine)
	if len(mine.Items) != 3 {
		t.Fatalf("the CLIENT has %d requests stored, want the 3 accepted", len(mine.Items))
	}

	// Another member of the organisation is accepted until the organisation has taken 5.
	accepted(submit(t, owner, org.ID, "", "please call me back"))
	accepted(submit(t, owner, org.ID, "", "invoice 1042 is wrong"))
	refused(submit(t, owner, org.ID, "", "can I book a repair"), "this organisation has received too many requests")
	if again := accepted(submit(t, form, org.ID, "form-1", "my phone screen is cracked")); again != first {
		t.Fatalf("the repeated Idempotency-Key, the organisation at its limit, answered %s, want %s", again, first)
	}
	var queue struct {
		Items []struct{} `json:"items"`
	}
	owner.must(200, "GET", "/api/v1/orgs/"+org.ID+"/intake", nil).decode(t, &queue)
	if len(queue.Items) != 5 {
		t.Fatalf("the queue holds %d requests, want the 5 accepted", len(queue.Items))
	}

	// Counts are per organisation: the owner's other one is not held up.
	var other struct {
		ID string `json:"id"`
	}
	owner.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Second Shop"}).decode(t, &other)
	accepted(submit(t, owner, other.ID, "", "please call me back"))
}
