package workflows

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/mail"
)

var welcome = mail.Message{ID: "m-1", To: "ada@example.com", Subject: "Welcome", Text: "Hello"}

// senderFunc adapts a function to activities.MailSender.
type senderFunc func(mail.Message) error

func (f senderFunc) Send(_ context.Context, m mail.Message) error { return f(m) }

func TestSendEmailRetriesUntilTheServerAccepts(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	attempts := 0
	var delivered []mail.Message
	env.RegisterActivity(&activities.Mail{Sender: senderFunc(func(m mail.Message) error {
		attempts++
		if attempts < 3 {
			return errors.New("421 service not available")
		}
		delivered = append(delivered, m)
		return nil
	})})

	env.ExecuteWorkflow(SendEmail, welcome)

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	if attempts != 3 || len(delivered) != 1 || delivered[0] != welcome {
		t.Fatalf("attempts=%d delivered=%v; want 3 attempts and the message delivered once", attempts, delivered)
	}
}

func TestSendEmailGivesUpAtOnceOnAnInvalidRecipient(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	attempts := 0
	env.RegisterActivity(&activities.Mail{Sender: senderFunc(func(mail.Message) error { attempts++; return nil })})

	bad := welcome
	bad.To = "not an address"
	env.ExecuteWorkflow(SendEmail, bad)

	err := env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrTypeInvalidMessage {
		t.Fatalf("workflow error = %v; want an %s application error", err, activities.ErrTypeInvalidMessage)
	}
	if attempts != 0 {
		t.Fatalf("sender called %d times for an undeliverable message", attempts)
	}
}
