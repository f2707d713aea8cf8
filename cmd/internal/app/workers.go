package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/workflows"
)

// NewWorkers registers every workflow and activity of the project on its task queue.
func (s *Services) NewWorkers() ([]worker.Worker, error) {
	acc, err := s.accounts()
	if err != nil {
		return nil, err
	}
	email := worker.New(s.Temporal, s.TaskQueue(workflows.EmailTaskQueue), worker.Options{})
	email.RegisterWorkflow(workflows.SendEmail)
	email.RegisterWorkflow(workflows.PasswordReset)
	mailActivities := &activities.Mail{Outbox: mail.NewOutbox(s.Pool), Sender: s.mailSender()}
	email.RegisterActivity(mailActivities)
	email.RegisterActivity(&activities.Accounts{Accounts: acc})

	routing := worker.New(s.Temporal, s.TaskQueue(workflows.IntakeTaskQueue), worker.Options{})
	routing.RegisterWorkflow(workflows.Intake)
	routing.RegisterActivity(&activities.Intake{Intake: s.intake(), Mail: mailActivities})
	return []worker.Worker{email, routing}, nil
}

// RunWorker polls every task queue until ctx is cancelled. While Temporal is
// unreachable it waits instead of exiting; workers are created only once it
// answers, because an SDK worker that failed to start cannot be started again.
func (s *Services) RunWorker(ctx context.Context) error {
	if err := s.waitForTemporal(ctx); err != nil {
		return nil // cancelled while waiting: a clean stop
	}
	if err := s.ensureSearchAttributes(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while registering: a clean stop
		}
		return err
	}
	workers, err := s.NewWorkers()
	if err != nil {
		return err
	}
	for _, w := range workers {
		if err := w.Start(); err != nil {
			return fmt.Errorf("worker: start: %w", err)
		}
		defer w.Stop()
	}
	s.Logger.Info("worker polling", slog.Int("task_queues", len(workers)))
	<-ctx.Done()
	return nil
}

// ensureSearchAttributes registers the workflows' search attributes in the
// namespace when missing; without them their workflows could not run.
func (s *Services) ensureSearchAttributes(ctx context.Context) error {
	ns := s.Config.Temporal.Namespace
	existing, err := s.Temporal.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		return fmt.Errorf("worker: list search attributes of %s: %w", ns, err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name, typ := range workflows.SearchAttributes {
		if _, ok := existing.CustomAttributes[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = s.Temporal.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: ns, SearchAttributes: missing})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("worker: register search attributes %v in namespace %s (an operator can add them as Keyword): %w", keys(missing), ns, err)
	}
	s.Logger.Info("registered search attributes", slog.Any("names", keys(missing)))
	return nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// waitForTemporal returns once the frontend answers a health check, backing off up to 30 s.
func (s *Services) waitForTemporal(ctx context.Context) error {
	delay := 500 * time.Millisecond
	for {
		checkCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := s.Temporal.CheckHealth(checkCtx, &client.CheckHealthRequest{})
		cancel()
		if err == nil {
			return nil
		}
		s.Logger.Warn("Temporal not reachable yet; waiting", slog.Any("error", err), slog.Duration("retry_in", delay))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 30*time.Second)
	}
}
