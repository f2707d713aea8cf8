package workflows

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/mail"
)

var welcome = mail.Message{ID: "m-1", To: "ada@example.com", Subject: "Welcome", Text: "Hello"}

// memOutbox stands in for the PostgreSQL outbox in workflow unit tests.
type memOutbox struct {
	mu   sync.Mutex
	msgs map[string]mail.Message
}

func outboxWith(msgs ...mail.Message) *memOutbox {
	o := &memOutbox{msgs: map[string]mail.Message{}}
	for _, m := range msgs {
		o.msgs[m.ID] = m
	}
	return o
}

func (o *memOutbox) Load(_ context.Context, id string) (mail.Message, bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.msgs[id]
	return m, ok, nil
}

func (o *memOutbox) Forget(_ context.Context, id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.msgs, id)
	return nil
}

// senderFunc adapts a function to activities.MailSender.
type senderFunc func(mail.Message) error

func (f senderFunc) Send(_ context.Context, m mail.Message) error { return f(m) }

func TestSendEmailRetriesUntilTheServerAccepts(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	attempts := 0
	var delivered []mail.Message
	outbox := outboxWith(welcome)
	env.RegisterActivity(&activities.Mail{Outbox: outbox, Sender: senderFunc(func(m mail.Message) error {
		attempts++
		if attempts < 3 {
			return errors.New("421 service not available")
		}
		delivered = append(delivered, m)
		return nil
	})})

	env.ExecuteWorkflow(SendEmail, welcome.ID)

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if attempts != 3 || len(delivered) != 1 || !reflect.DeepEqual(delivered[0], welcome) {
		t.Fatalf("attempts=%d delivered=%v; want 3 attempts and the message delivered once", attempts, delivered)
	}
	if _, found, _ := outbox.Load(context.Background(), welcome.ID); found {
		t.Fatal("delivered message still in the outbox")
	}
}

func TestSendEmailGivesUpAtOnceOnAnInvalidRecipient(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	attempts := 0
	bad := welcome
	bad.To = "not an address"
	outbox := outboxWith(bad)
	env.RegisterActivity(&activities.Mail{Outbox: outbox, Sender: senderFunc(func(mail.Message) error { attempts++; return nil })})

	env.ExecuteWorkflow(SendEmail, bad.ID)

	err := env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrTypeInvalidMessage {
		t.Fatalf("workflow error = %v; want an %s application error", err, activities.ErrTypeInvalidMessage)
	}
	if attempts != 0 {
		t.Fatalf("sender called %d times for an undeliverable message", attempts)
	}
	// Dropped from the outbox, so no sweep starts its delivery again.
	if _, found, _ := outbox.Load(context.Background(), bad.ID); found {
		t.Fatal("undeliverable message left in the outbox")
	}
}

func TestSendEmailOfAnAlreadyDeliveredMessageSendsNothing(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	attempts := 0
	env.RegisterActivity(&activities.Mail{Outbox: outboxWith(), Sender: senderFunc(func(mail.Message) error { attempts++; return nil })})

	env.ExecuteWorkflow(SendEmail, "gone")

	if err := env.GetWorkflowError(); err != nil || attempts != 0 {
		t.Fatalf("err=%v attempts=%d; a message no longer in the outbox must complete without sending", err, attempts)
	}
}
