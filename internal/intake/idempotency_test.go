package intake_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/problem"
)

// TestIdempotencyKeysBelongToTheirSubmitter: a key is scoped to the member who
// sent it. Another member reusing it gets a request of their own; the same
// member re-sending it with the same request gets the earlier one; with a
// different request it is a 422 naming Idempotency-Key, and nothing is stored.
func TestIdempotencyKeysBelongToTheirSubmitter(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "repairs")
	ctx := t.Context()
	var client uuid.UUID
	if err := f.pool.QueryRow(ctx, "INSERT INTO users (email, name, email_verified_at) VALUES ('client@fixit.test', 'Client', now()) RETURNING id").Scan(&client); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, "INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'CLIENT')", f.org, client); err != nil {
		t.Fatal(err)
	}
	cracked := intake.RequestInput{Subject: "my phone screen is cracked", Body: "It fell.", Contact: intake.Contact{Name: "Cleo", Email: "cleo@example.com"}, Source: "web", Metadata: json.RawMessage(`{"form":"repair","n":1}`)}
	refund := intake.RequestInput{Subject: "please refund my invoice", Body: "Charged twice.", Source: "web"}

	mine, err := f.svc.Submit(ctx, f.org, f.admin, auth.RoleAdmin, "form-1", cracked)
	if err != nil || !mine.Created {
		t.Fatalf("first submission: %+v, %v", mine, err)
	}
	theirs, err := f.svc.Submit(ctx, f.org, client, auth.RoleClient, "form-1", refund)
	if err != nil || !theirs.Created || theirs.ID == mine.ID {
		t.Fatalf("another member reusing the key: %+v, %v; want a request of their own (not %s)", theirs, err, mine.ID)
	}
	// The same request again, written differently (spacing, metadata's key order): the earlier one.
	again := cracked
	again.Subject = "  my phone screen is cracked "
	again.Contact.Email = " cleo@example.com"
	again.Metadata = json.RawMessage(`{ "n": 1, "form": "repair" }`)
	repeat, err := f.svc.Submit(ctx, f.org, f.admin, auth.RoleAdmin, "form-1", again)
	if err != nil || repeat.Created || repeat.ID != mine.ID {
		t.Fatalf("same member, same key, same request: %+v, %v; want the earlier %s", repeat, err, mine.ID)
	}
	// The same key for something else.
	_, err = f.svc.Submit(ctx, f.org, f.admin, auth.RoleAdmin, "form-1", refund)
	p := problem.From(err)
	if err == nil || p.Status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "Idempotency-Key" || p.Errors[0].Message != "was used for a different request" {
		t.Fatalf("same member, same key, another request: %v %+v; want 422 naming Idempotency-Key", err, p)
	}
	if n := f.count(t, "SELECT count(*) FROM intake_requests WHERE idempotency_key = 'form-1'"); n != 2 {
		t.Fatalf("%d requests stored with the key, want 2 (one per member)", n)
	}
	for who, id := range map[uuid.UUID]uuid.UUID{f.admin: mine.ID, client: theirs.ID} {
		if n := f.count(t, "SELECT count(*) FROM intake_requests WHERE id = $1 AND created_by = $2", id, who); n != 1 {
			t.Errorf("request %s is not %s's", id, who)
		}
	}
}
