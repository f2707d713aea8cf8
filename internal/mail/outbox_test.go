package mail_test

import (
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/database"
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
