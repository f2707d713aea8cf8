package app

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/config"
)

// acceptedIntake asserts a submission was taken (202) and returns its id.
func acceptedIntake(t *testing.T, r reply) string {
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

// refusedIntake asserts a submission was refused by a limit: 429 problem+json
// saying detail, with a Retry-After within the day.
func refusedIntake(t *testing.T, r reply, detail string) {
	t.Helper()
	after, err := strconv.Atoi(r.header.Get("Retry-After"))
	typ, _ := problemFields(t, r)
	if r.status != 429 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") || typ != "/problems/rate-limited" ||
		err != nil || after < 1 || after > int((24*time.Hour).Seconds()) || !strings.Contains(string(r.body), detail) {
		t.Fatalf("submission over the limit: %d %s %s, Retry-After %q; want 429 problem+json saying %q with Retry-After within the day",
			r.status, r.header.Get("Content-Type"), r.body, r.header.Get("Retry-After"), detail)
	}
}

const (
	submitterFull = "you have submitted too many requests"
	orgFull       = "this organisation has received too many requests"
)

// TestIntakeIsLimitedPerSubmitterAndOrganisation: with limits.intake_per_submitter
// at 3 and limits.intake_per_org at 5, a CLIENT's 4th request (token or session:
// the same member) is a 429 with Retry-After and is neither stored nor counted;
// another CLIENT is still accepted until the organisation has taken 5 (the
// refusals took none of them); another organisation is not held up; and a
// repeated Idempotency-Key still answers its request.
func TestIntakeIsLimitedPerSubmitterAndOrganisation(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, smtp, func(c *config.Config) {
		c.Limits.IntakePerSubmitter, c.Limits.IntakePerSubmitterWindow = 3, 24*time.Hour
		c.Limits.IntakePerOrg, c.Limits.IntakePerOrgWindow = 5, 24*time.Hour
	})
	owner := signUpVerified(t, base, inbox, "owner@shop.test", "owner password 1")
	var org struct {
		ID string `json:"id"`
	}
	owner.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Fixit Shop"}).decode(t, &org)
	client, clientID := join(t, owner, inbox, org.ID, "cleo@example.com", "CLIENT")
	var tok struct {
		Token string `json:"token"`
	}
	client.must(201, "POST", "/api/v1/orgs/"+org.ID+"/tokens", map[string]string{"name": "contact form"}).decode(t, &tok)
	form := newScript(t, base, tok.Token)

	first := acceptedIntake(t, submit(t, form, org.ID, "form-1", "my phone screen is cracked"))
	acceptedIntake(t, submit(t, form, org.ID, "", "my battery is swollen"))
	acceptedIntake(t, submit(t, form, org.ID, "", "my charging port is loose"))
	for range 3 {
		refusedIntake(t, submit(t, form, org.ID, "", "my speaker crackles"), submitterFull)
	}
	refusedIntake(t, submit(t, client, org.ID, "", "my speaker crackles"), submitterFull) // the same member by session
	if again := acceptedIntake(t, submit(t, form, org.ID, "form-1", "my phone screen is cracked")); again != first {
		t.Fatalf("the repeated Idempotency-Key answered %s, want the earlier %s", again, first)
	}
	var mine struct {
		Items []struct{} `json:"items"`
	}
	client.must(200, "GET", "/api/v1/orgs/"+org.ID+"/intake", nil).decode(t, &mine)
	if len(mine.Items) != 3 {
		t.Fatalf("the CLIENT has %d requests stored, want the 3 accepted", len(mine.Items))
	}
	// The 4 refusals and the repeated key counted nothing.
	for key, want := range map[string]int{"intake-submitter:" + org.ID + ":" + clientID: 3, "intake-org:" + org.ID: 3} {
		var hits int
		if err := s.Pool.QueryRow(t.Context(), "SELECT coalesce(sum(count), 0) FROM rate_limit_windows WHERE key = $1", key).Scan(&hits); err != nil {
			t.Fatal(err)
		}
		if hits != want {
			t.Errorf("after 3 accepted and 4 refused requests %s counts %d, want %d", key, hits, want)
		}
	}

	// Another CLIENT is accepted until the organisation has taken 5: exactly 2 more.
	other, _ := join(t, owner, inbox, org.ID, "dora@example.com", "CLIENT")
	acceptedIntake(t, submit(t, other, org.ID, "", "please call me back"))
	acceptedIntake(t, submit(t, other, org.ID, "", "invoice 1042 is wrong"))
	refusedIntake(t, submit(t, other, org.ID, "", "can I book a repair"), orgFull)
	if again := acceptedIntake(t, submit(t, form, org.ID, "form-1", "my phone screen is cracked")); again != first {
		t.Fatalf("the repeated Idempotency-Key, the organisation at its limit, answered %s, want %s", again, first)
	}
	var queue struct {
		Items []struct{} `json:"items"`
	}
	owner.must(200, "GET", "/api/v1/orgs/"+org.ID+"/intake", nil).decode(t, &queue)
	if len(queue.Items) != 5 {
		t.Fatalf("the queue holds %d requests, want the 5 accepted", len(queue.Items))
	}

	// Counts are per organisation: a CLIENT's other one is not held up.
	var second struct {
		ID string `json:"id"`
	}
	client.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Second Shop"}).decode(t, &second)
	acceptedIntake(t, submit(t, client, second.ID, "", "please call me back"))
}

// TestAClientFloodDoesNotBlockStaff: limits.intake_per_org counts CLIENTs'
// requests only. Once one CLIENT (or a leaked CLIENT token) has filled it,
// other CLIENTs get 429, but OPERATORs and ADMINs entering requests (phoned
// in, say) are accepted, each within their own limits.intake_per_submitter
// (before: the OPERATOR's and the owner's requests were 429 as well).
func TestAClientFloodDoesNotBlockStaff(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, func(c *config.Config) {
		c.Limits.IntakePerSubmitter, c.Limits.IntakePerSubmitterWindow = 4, 24*time.Hour
		c.Limits.IntakePerOrg, c.Limits.IntakePerOrgWindow = 3, 24*time.Hour
	})
	owner := signUpVerified(t, base, inbox, "owner@shop.test", "owner password 1")
	var org struct {
		ID string `json:"id"`
	}
	owner.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Fixit Shop"}).decode(t, &org)
	flooder, _ := join(t, owner, inbox, org.ID, "flood@example.com", "CLIENT")
	client, _ := join(t, owner, inbox, org.ID, "cleo@example.com", "CLIENT")
	operator, _ := join(t, owner, inbox, org.ID, "otto@shop.test", "OPERATOR")

	for range 3 {
		acceptedIntake(t, submit(t, flooder, org.ID, "", "spam spam spam"))
	}
	refusedIntake(t, submit(t, flooder, org.ID, "", "spam spam spam"), orgFull)
	refusedIntake(t, submit(t, client, org.ID, "", "my phone screen is cracked"), orgFull)

	for range 4 {
		acceptedIntake(t, submit(t, operator, org.ID, "", "phoned in: battery swollen"))
	}
	refusedIntake(t, submit(t, operator, org.ID, "", "phoned in: battery swollen"), submitterFull)
	acceptedIntake(t, submit(t, owner, org.ID, "", "walk-in: charging port loose"))
	// Staff requests took nothing from the CLIENTs' limit: it is still full, no fuller.
	refusedIntake(t, submit(t, client, org.ID, "", "my phone screen is cracked"), orgFull)
}

// TestRefusedIntakeRequestsAreNotInserted: a request over a limit is refused
// before anything is written (before: each one was inserted, counted and
// rolled back, so a refused flood cost the database what an accepted one
// does). A trigger counts insert attempts in a sequence, which rollbacks do
// not undo.
func TestRefusedIntakeRequestsAreNotInserted(t *testing.T) {
	t.Parallel()
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, smtp, func(c *config.Config) {
		c.Limits.IntakePerSubmitter, c.Limits.IntakePerSubmitterWindow = 2, 24*time.Hour
	})
	owner := signUpVerified(t, base, inbox, "owner@shop.test", "owner password 1")
	var org struct {
		ID string `json:"id"`
	}
	owner.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Fixit Shop"}).decode(t, &org)
	for range 2 {
		acceptedIntake(t, submit(t, owner, org.ID, "", "phoned in: battery swollen"))
	}
	if _, err := s.Pool.Exec(t.Context(), `
		CREATE SEQUENCE intake_insert_attempts;
		CREATE FUNCTION count_intake_insert() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN PERFORM nextval('intake_insert_attempts'); RETURN NEW; END $$;
		CREATE TRIGGER count_intake_insert BEFORE INSERT ON intake_requests FOR EACH ROW EXECUTE FUNCTION count_intake_insert();`); err != nil {
		t.Fatal(err)
	}
	attempts := func() (n int) {
		t.Helper()
		if err := s.Pool.QueryRow(t.Context(), "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM intake_insert_attempts").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for range 5 {
		refusedIntake(t, submit(t, owner, org.ID, "", "phoned in: battery swollen"), submitterFull)
	}
	if n := attempts(); n != 0 {
		t.Errorf("5 refused requests made %d inserts, want none", n)
	}
	operator, _ := join(t, owner, inbox, org.ID, "otto@shop.test", "OPERATOR")
	acceptedIntake(t, submit(t, operator, org.ID, "", "walk-in: charging port loose"))
	if n := attempts(); n != 1 {
		t.Errorf("an accepted request made %d inserts, want 1", n)
	}
}
