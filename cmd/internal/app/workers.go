package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/ocr"
	"github.com/astralisops/astralis/internal/store"
	"github.com/astralisops/astralis/internal/virusscan"
	"github.com/astralisops/astralis/workflows"
)

// NewWorkers registers every workflow and activity of the project on its task queue.
func (s *Services) NewWorkers() ([]worker.Worker, error) {
	acc, err := s.accounts()
	if err != nil {
		return nil, err
	}
	intakeService, err := s.intake()
	if err != nil {
		return nil, err
	}
	// The scheduled maintenance workflows run on the email, intake and
	// documents task queues (see workflows.Schedules); their workers carry
	// the activities.
	maintenance := &activities.Maintenance{Outbox: mail.NewOutbox(s.Pool), Intake: intakeService, Documents: s.documents(),
		Expired: store.New(s.Pool), Retention: s.documents(), Originals: originals{s}, Bookings: s.bookings()}

	email := worker.New(s.Temporal, s.TaskQueue(workflows.EmailTaskQueue), worker.Options{})
	mailActivities := &activities.Mail{Outbox: mail.NewOutbox(s.Pool), Sender: s.mailSender()}
	email.RegisterActivity(mailActivities)
	email.RegisterActivity(&activities.Accounts{Accounts: acc})
	email.RegisterActivity(maintenance)

	routing := worker.New(s.Temporal, s.TaskQueue(workflows.IntakeTaskQueue), worker.Options{})
	routing.RegisterActivity(&activities.Intake{Intake: intakeService, Mail: mailActivities})
	routing.RegisterActivity(mailActivities) // the IntakeWorkflow delivers its own mail
	routing.RegisterActivity(maintenance)

	docs, err := s.documentsWorker()
	if err != nil {
		return nil, err
	}
	docs.RegisterActivity(maintenance)

	calendar, err := s.calendar()
	if err != nil {
		return nil, err
	}
	booking := worker.New(s.Temporal, s.TaskQueue(workflows.BookingTaskQueue), worker.Options{})
	booking.RegisterActivity(&activities.Bookings{Bookings: s.bookings()})
	booking.RegisterActivity(&activities.Calendar{Sync: calendar}) // the calendar sync and the bookings' calendar writes
	booking.RegisterActivity(mailActivities)                       // the BookingWorkflow delivers its own mail
	booking.RegisterActivity(maintenance)

	// Every workflow type, under its explicit name (what histories and schedules store).
	byQueue := map[string]worker.Worker{workflows.EmailTaskQueue: email, workflows.IntakeTaskQueue: routing, workflows.DocumentTaskQueue: docs,
		workflows.BookingTaskQueue: booking}
	for _, d := range workflows.Definitions() {
		byQueue[d.TaskQueue].RegisterWorkflowWithOptions(d.Func, workflow.RegisterOptions{Name: d.Name})
	}
	return []worker.Worker{email, routing, docs, booking}, nil
}

// documentsWorker runs the DocumentWorkflow's activities. Pages are read by
// a pool of OCR clients, one per core (documents.ocr_workers); the worker
// takes at most that many pages at a time, so pages it cannot start wait in
// Temporal for another worker rather than in its own queue.
func (s *Services) documentsWorker() (worker.Worker, error) {
	d := s.Config.Documents
	pages := d.OCRWorkers
	if pages <= 0 {
		pages = runtime.NumCPU()
	}
	engine, err := ocr.NewEngine(pages, ocrLimits(s.documents().Limits(), d.DPI))
	if err != nil {
		return nil, fmt.Errorf("worker: OCR: %w", err)
	}
	s.closers = append(s.closers, closerFunc(engine.Close))
	cacheDir := d.CacheDir
	if cacheDir == "" {
		// This process's own: removed when it stops, with any copy a finished
		// document left; one a killed worker left is removed by the next.
		removeOrphanedCaches(os.TempDir())
		if cacheDir, err = os.MkdirTemp("", cacheDirPrefix+strconv.Itoa(os.Getpid())+"-*"); err != nil {
			return nil, fmt.Errorf("worker: cache directory: %w", err)
		}
		s.closers = append(s.closers, closerFunc(func() { _ = os.RemoveAll(cacheDir) }))
	}
	docs := worker.New(s.Temporal, s.TaskQueue(workflows.DocumentTaskQueue), worker.Options{
		MaxConcurrentActivityExecutionSize: pages + 4, // the pages, and bookkeeping beside them
	})
	docs.RegisterActivity(&activities.Documents{
		Documents: s.documents(),
		Scanner:   scanner{virusscan.New(virusscan.Config{Address: s.Config.Scan.ClamdAddress, Timeout: s.Config.Scan.Timeout})},
		Originals: originals{s},
		Reader:    pageReader{engine},
		CacheDir:  cacheDir,
	})
	return docs, nil
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
	if err := s.ensureSchedules(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
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

// ensureSchedules creates the deployment's maintenance schedules when missing.
// Every worker replica does this at start; the schedule ids are fixed, so the
// first creates each and the others find it there. A schedule that exists but
// differs from this version's (interval, workflow, task queue, timeout,
// policies) is updated to it, so a deploy rolls a change out; its state (paused
// by an operator, say) and history stay. The workflows are started by Temporal,
// not by a replica, so each runs once per interval however many replicas run.
func (s *Services) ensureSchedules(ctx context.Context) error {
	sc := s.Temporal.ScheduleClient()
	for _, sch := range workflows.Schedules(s.Config.Temporal.TaskQueuePrefix) {
		opts := scheduleOptions(sch)
		_, err := sc.Create(ctx, opts)
		if err == nil {
			s.Logger.Info("created schedule", slog.String("schedule", sch.ID), slog.Duration("every", sch.Every))
			continue
		}
		if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
			return fmt.Errorf("worker: create schedule %s: %w", sch.ID, err)
		}
		updated := false
		err = sc.GetHandle(ctx, sch.ID).Update(ctx, client.ScheduleUpdateOptions{
			DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
				current := in.Description.Schedule
				if scheduleMatches(current, opts) {
					return nil, temporal.ErrSkipScheduleUpdate
				}
				updated = true
				current.Spec = &opts.Spec
				current.Action = opts.Action
				current.Policy = &client.SchedulePolicies{Overlap: opts.Overlap, CatchupWindow: opts.CatchupWindow}
				return &client.ScheduleUpdate{Schedule: &current}, nil
			},
		})
		if err != nil {
			return fmt.Errorf("worker: update schedule %s: %w", sch.ID, err)
		}
		if updated {
			s.Logger.Info("updated schedule", slog.String("schedule", sch.ID), slog.Duration("every", sch.Every))
		}
	}
	return nil
}

// scheduleOptions turns a maintenance schedule into the SDK's options. The
// workflow id is the schedule id (Temporal appends the time of each run).
// Missed runs are not caught up beyond one interval: the next run does the
// same work. Overlap SKIP: a run still going when the next is due makes it skip.
func scheduleOptions(sch workflows.Schedule) client.ScheduleOptions {
	return client.ScheduleOptions{
		ID:   sch.ID,
		Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: sch.Every}}},
		Action: &client.ScheduleWorkflowAction{
			ID:                       sch.ID,
			Workflow:                 sch.Workflow,
			TaskQueue:                sch.TaskQueue,
			WorkflowExecutionTimeout: sch.Timeout,
		},
		Overlap:       enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: max(sch.Every, 10*time.Second), // the server's minimum is 10 s
	}
}

// scheduleMatches reports whether an existing schedule is the one opts describes.
func scheduleMatches(current client.Schedule, opts client.ScheduleOptions) bool {
	spec, want := current.Spec, opts.Action.(*client.ScheduleWorkflowAction)
	action, ok := current.Action.(*client.ScheduleWorkflowAction)
	return ok && spec != nil && current.Policy != nil &&
		len(spec.Intervals) == 1 && spec.Intervals[0] == opts.Spec.Intervals[0] &&
		len(spec.Calendars) == 0 && len(spec.CronExpressions) == 0 &&
		action.ID == want.ID && action.Workflow == want.Workflow && action.TaskQueue == want.TaskQueue &&
		action.WorkflowExecutionTimeout == want.WorkflowExecutionTimeout &&
		current.Policy.Overlap == opts.Overlap && current.Policy.CatchupWindow == opts.CatchupWindow
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

// closerFunc makes a func() an io.Closer.
type closerFunc func()

func (f closerFunc) Close() error { f(); return nil }
