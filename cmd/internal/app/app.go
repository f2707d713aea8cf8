// Package app assembles the API server and the worker from configuration. The
// production binaries (cmd/api, cmd/worker) and `astralis dev` share it, so the
// three run exactly the same code.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/api"
	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/database"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/llm"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/ratelimit"
	"github.com/astralisops/astralis/internal/store"
	"github.com/astralisops/astralis/internal/temporalclient"
	"github.com/astralisops/astralis/workflows"
)

// Services are the long-lived dependencies of a process.
type Services struct {
	Config   config.Config
	Logger   *slog.Logger
	Metrics  *prometheus.Registry
	Pool     *pgxpool.Pool
	Temporal client.Client

	closers []io.Closer

	intakeOnce    sync.Once
	intakeService *intake.Service
}

// Open creates the pool and the Temporal client. Neither connects yet, so a
// process comes up while a dependency is down and /readyz names it.
func Open(ctx context.Context, cfg config.Config, logger *slog.Logger) (*Services, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	metricsHandler, metricsCloser := temporalclient.NewMetricsHandler(reg, logger)
	s := &Services{Config: cfg, Logger: logger, Metrics: reg, closers: []io.Closer{metricsCloser}}

	var err error
	s.Pool, err = database.Open(ctx, cfg.Database.URL, cfg.Database.MaxConns)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.Temporal, err = temporalclient.New(cfg.Temporal, logger, metricsHandler)
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases everything Open created.
func (s *Services) Close() {
	if s.Temporal != nil {
		s.Temporal.Close()
	}
	if s.Pool != nil {
		s.Pool.Close()
	}
	for _, c := range s.closers {
		_ = c.Close()
	}
}

// Migrate applies pending database migrations.
func (s *Services) Migrate(ctx context.Context) error {
	return database.Migrate(ctx, s.Config.Database.URL, s.Logger)
}

// Router builds the API's HTTP handler.
func (s *Services) Router() (http.Handler, error) {
	deps, err := s.APIDeps()
	if err != nil {
		return nil, err
	}
	return api.NewHandler(deps)
}

// APIDeps wires the API's dependencies from the services.
func (s *Services) APIDeps() (api.Deps, error) {
	acc, err := s.accounts()
	if err != nil {
		return api.Deps{}, err
	}
	deps := api.Deps{
		Logger:         s.Logger,
		Metrics:        s.Metrics,
		MaxBodyBytes:   s.Config.HTTP.MaxBodyBytes,
		Accounts:       acc,
		Intake:         s.intake(),
		Routing:        s.intakeRouting(),
		Sessions:       s.sessions(),
		AllowedOrigins: s.Config.Origins(),
		TrustedProxies: s.Config.HTTP.TrustedProxies,
		Readiness: []api.ReadinessCheck{
			{Name: "database", Check: s.Pool.Ping},
			{Name: "temporal", Check: func(ctx context.Context) error {
				_, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			}},
		},
	}
	if g := s.Config.Google; g.ClientID != "" {
		deps.Google = &api.GoogleConfig{
			ClientID: g.ClientID, ClientSecret: g.ClientSecret, DiscoveryURL: g.DiscoveryURL,
			CallbackURL: strings.TrimSuffix(s.Config.HTTP.PublicURL, "/") + "/api/v1/auth/google/callback",
			DoneURL:     strings.TrimSuffix(s.Config.HTTP.PublicURL, "/") + "/",
		}
	}
	if s.Config.Env == config.EnvDevelopment {
		deps.DevMailbox = mail.NewDevMailbox(s.Pool)
	}
	return deps, nil
}

// accounts is the users, organisations and sessions service.
func (s *Services) accounts() (*accounts.Service, error) {
	return accounts.New(s.Pool, s.mailer(), ratelimit.New(s.Pool), s.Config.HTTP.PublicURL, s.Logger)
}

// intake is the pipelines and routing service; one per process, as it caches parsed models.
func (s *Services) intake() *intake.Service {
	s.intakeOnce.Do(func() {
		var router intake.LLMRouter // without an API key, routing stays local
		if c := s.Config.OpenAI; c.APIKey != "" {
			router = llm.New(llm.Config{APIKey: c.APIKey, BaseURL: c.BaseURL, Model: c.Model, Timeout: c.Timeout})
		}
		s.intakeService = intake.New(s.Pool, s.mailer(), s.Config.HTTP.PublicURL, router)
	})
	return s.intakeService
}

func (s *Services) mailer() *workflowMailer {
	return &workflowMailer{client: s.Temporal, taskQueue: s.TaskQueue(workflows.EmailTaskQueue)}
}

func (s *Services) intakeRouting() *intakeRouting {
	return &intakeRouting{client: s.Temporal, taskQueue: s.TaskQueue(workflows.IntakeTaskQueue)}
}

// intakeRouting starts and steers IntakeWorkflows for the API.
type intakeRouting struct {
	client    client.Client
	taskQueue string
}

func (r *intakeRouting) Start(ctx context.Context, org, intakeID uuid.UUID) error {
	_, err := r.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    workflows.IntakeWorkflowID(intakeID),
		TaskQueue:             r.taskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.OrgAttribute.ValueSet(org.String()), workflows.IntakeStatusAttribute.ValueSet(intake.StatusReceived)),
	}, workflows.Intake, workflows.IntakeInput{OrgID: org, IntakeID: intakeID})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("intake: start routing of %s: %w", intakeID, err)
	}
	return nil
}

func (r *intakeRouting) Decide(ctx context.Context, intakeID uuid.UUID, d workflows.Decision) (workflows.IntakeState, error) {
	handle, err := r.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.IntakeWorkflowID(intakeID),
		UpdateName:   workflows.DecideUpdate,
		Args:         []any{d},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var state workflows.IntakeState
	if err == nil {
		err = handle.Get(ctx, &state)
	}
	return state, decisionProblem(err)
}

// decisionProblem turns the workflow's answers into API problems.
func decisionProblem(err error) error {
	var notFound *serviceerror.NotFound
	var appErr *temporal.ApplicationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &notFound):
		// The API checked the request exists: its workflow has finished, so it was decided.
		return problem.New(problem.ErrConflict, workflows.ErrNotAwaiting.Error())
	case errors.As(err, &appErr):
		msg := appErr.Message()
		if strings.Contains(msg, workflows.ErrAlreadyDecided.Error()) || strings.Contains(msg, workflows.ErrNotAwaiting.Error()) {
			return problem.New(problem.ErrConflict, msg)
		}
		return problem.Invalid(msg, problem.FieldError{Field: "decision", Message: msg})
	default:
		return err
	}
}

// sessions is the browser session manager: PostgreSQL-backed, so every API replica shares it.
// Expired rows are pruned by pruneLoop (pgxstore's own cleanup goroutine races with StopCleanup).
func (s *Services) sessions() *scs.SessionManager {
	sm := scs.New()
	sm.IdleTimeout = s.Config.Auth.SessionIdleTimeout
	sm.Store = newIdleRenewals(pgxstore.NewWithCleanupInterval(s.Pool, 0), min(time.Minute, sm.IdleTimeout/10))
	sm.Lifetime = s.Config.Auth.SessionLifetime
	sm.Cookie.Name = "astralis_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = strings.HasPrefix(s.Config.HTTP.PublicURL, "https://")
	return sm
}

// workflowMailer hands mail to the SendEmail workflow, which retries delivery durably.
type workflowMailer struct {
	client    client.Client
	taskQueue string
}

// Dispatch starts delivery of one outbox message. Starting it again while it
// runs or after it succeeded does nothing; after it failed for good, it retries.
func (m *workflowMailer) Dispatch(ctx context.Context, outboxID string) error {
	_, err := m.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    workflows.EmailWorkflowID(outboxID),
		TaskQueue:             m.taskQueue,
		WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	}, workflows.SendEmail, outboxID)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("mail: start delivery of %s: %w", outboxID, err)
	}
	return nil
}

// StartPasswordReset starts the workflow that carries out a forgot-password request.
func (m *workflowMailer) StartPasswordReset(ctx context.Context, r accounts.PasswordReset) error {
	_, err := m.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflows.PasswordResetWorkflowID(r),
		TaskQueue: m.taskQueue,
	}, workflows.PasswordReset, r)
	if err != nil {
		return fmt.Errorf("accounts: start password reset: %w", err)
	}
	return nil
}

// RunAPI serves HTTP until ctx is cancelled, then drains in-flight requests.
func (s *Services) RunAPI(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.Config.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("api: unable to listen on %s: %w", s.Config.HTTP.Addr, err)
	}
	return s.ServeAPI(ctx, ln)
}

// ServeAPI is RunAPI on a listener the caller opened.
func (s *Services) ServeAPI(ctx context.Context, ln net.Listener) error {
	handler, err := s.Router()
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	background := make(chan struct{}, 2)
	go func() { s.pruneLoop(ctx); background <- struct{}{} }()
	go func() { s.sweepStranded(ctx); background <- struct{}{} }()
	defer func() { <-background; <-background }() // the pool closes after ServeAPI returns
	s.Logger.Info("api listening", slog.String("addr", ln.Addr().String()))

	select {
	case err := <-errc:
		return fmt.Errorf("api: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Config.HTTP.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("api: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("api: %w", err)
	}
	return nil
}

// TaskQueue is the deployment's name for one of the project's task queues.
func (s *Services) TaskQueue(name string) string {
	return s.Config.Temporal.TaskQueuePrefix + name
}

// pruneLoop prunes every half hour until ctx ends.
func (s *Services) pruneLoop(ctx context.Context) {
	for {
		if err := s.prune(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("prune", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Minute):
		}
	}
}

// sweepStranded hands over, every minute, work whose hand-over to Temporal
// failed: mail queued while Temporal was down, and requests stored by an API
// that stopped before it started their workflow.
func (s *Services) sweepStranded(ctx context.Context) {
	mailer, routing := s.mailer(), s.intakeRouting()
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
		if err := s.sweepOutboxOnce(ctx, mailer); err != nil && ctx.Err() == nil {
			s.Logger.Warn("outbox sweep", slog.Any("error", err))
		}
		if err := s.sweepIntakeOnce(ctx, routing); err != nil && ctx.Err() == nil {
			s.Logger.Warn("intake sweep", slog.Any("error", err))
		}
	}
}

// strandedAfter is how old undelivered mail must be before the sweeper takes
// it over: longer than a mail activity inside a workflow keeps retrying at first.
const strandedAfter = 15 * time.Minute

// sweepOutboxOnce dispatches mail waiting longer than strandedAfter; it stops at
// the first failure (Temporal is likely down) and tries again next time.
func (s *Services) sweepOutboxOnce(ctx context.Context, mailer *workflowMailer) error {
	ids, err := mail.NewOutbox(s.Pool).Stale(ctx, time.Now().Add(-strandedAfter))
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := mailer.Dispatch(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// intakeStrandedAfter is how long a request may stay 'received' before the
// sweeper starts its workflow: far longer than storing and starting it take.
// Starting a workflow that runs or ran already is a no-op; each request is
// swept once, and only requests of the last day are tried.
const intakeStrandedAfter = 2 * time.Minute

// sweepIntakeOnce starts the workflows of stranded requests; it stops at the
// first failure (Temporal is likely down) and tries again next time.
func (s *Services) sweepIntakeOnce(ctx context.Context, routing *intakeRouting) error {
	now := time.Now()
	stranded, err := s.intake().Stranded(ctx, now.Add(-24*time.Hour), now.Add(-intakeStrandedAfter))
	if err != nil {
		return err
	}
	for _, r := range stranded {
		if err := routing.Start(ctx, r.OrgID, r.ID); err != nil {
			return err
		}
		if err := s.intake().MarkSwept(ctx, r.OrgID, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// prune deletes expired sessions, spent email tokens, and rate-limit windows and password reset requests older than a day.
func (s *Services) prune(ctx context.Context) error {
	q := store.New(s.Pool)
	if _, err := q.DeleteExpiredSessions(ctx); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if _, err := q.DeleteSpentEmailTokens(ctx); err != nil {
		return fmt.Errorf("email tokens: %w", err)
	}
	if err := q.DeleteExpiredRateLimits(ctx, time.Now().Add(-24*time.Hour)); err != nil {
		return fmt.Errorf("rate limits: %w", err)
	}
	// A day is far longer than a PasswordReset workflow retries its lookup.
	if _, err := q.DeleteOldPasswordResetRequests(ctx, time.Now().Add(-24*time.Hour)); err != nil {
		return fmt.Errorf("password reset requests: %w", err)
	}
	return nil
}

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

// mailSender is SMTP when configured (always in production), else the dev mailbox.
func (s *Services) mailSender() activities.MailSender {
	if c := s.Config.SMTP; c.Host != "" {
		return mail.NewSMTP(mail.SMTPConfig{Host: c.Host, Port: c.Port, Username: c.Username, Password: c.Password, TLS: c.TLS, From: c.From})
	}
	return mail.NewDevMailbox(s.Pool)
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
