package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/client"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/store"
	"github.com/astralisops/astralis/internal/testenv"
	"github.com/astralisops/astralis/workflows"
)

// testShutdownTimeout is over 5 s: net/http counts a connection that has sent
// no request yet as busy for its first 5 s, and a test's burst of requests
// leaves such dialled, unused ones behind.
const testShutdownTimeout = 15 * time.Second

// startDev runs the API and the worker exactly as `astralis dev` does, against
// the shared test Temporal server and a fresh database (unless an adjustment
// sets one, as sameDeployment does).
func startDev(t *testing.T, adjust ...func(*config.Config)) (apiURL string, s *Services) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	apiURL = "http://" + ln.Addr().String()
	metricsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defaults := config.Defaults()
	cfg := config.Config{
		Env:       config.EnvDevelopment,
		HTTP:      config.HTTP{Addr: ln.Addr().String(), MetricsAddr: metricsLn.Addr().String(), PublicURL: apiURL, MaxBodyBytes: 1 << 20, ShutdownTimeout: testShutdownTimeout},
		Auth:      config.Auth{SessionIdleTimeout: time.Hour, SessionLifetime: 24 * time.Hour, KnownDeviceLifetime: defaults.Auth.KnownDeviceLifetime, KnownDeviceGrace: defaults.Auth.KnownDeviceGrace},
		Limits:    defaults.Limits, // the product's own limits; a test may change one
		Documents: defaults.Documents,
		Storage:   testenv.ObjectStore(t),
		Scan:      config.Scan{ClamdAddress: testenv.ClamdAddress(t), Timeout: defaults.Scan.Timeout},
		Database:  config.Database{MaxConns: 4},
		Temporal: config.Temporal{
			Address:   testenv.TemporalAddress(t),
			Namespace: testenv.TemporalNamespace,
			// Other test packages run workers on the same server: keep their tasks apart.
			TaskQueuePrefix: testenv.TaskQueue(t) + "-",
		},
		Log: config.Log{Level: "warn", Format: "text"},
	}
	for _, f := range adjust {
		f(&cfg)
	}
	if cfg.Database.URL == "" {
		cfg.Database.URL = testenv.DatabaseURL(t)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err = Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := MigrateWithRetry(ctx, s); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	go func() { done <- s.ServeAPI(ctx, ln, metricsLn) }()
	go func() { done <- s.RunWorker(ctx) }()
	t.Cleanup(func() {
		recordHistories(t, s) // only under make record-histories
		cancel()
		for range 2 {
			if err := <-done; err != nil {
				t.Errorf("shutdown: %v", err)
			}
		}
		deleteSchedules(t, cfg.Temporal.TaskQueuePrefix)
		s.Close()
	})
	return apiURL, s
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestEmailWorkflowEndToEnd sends a message through the real worker and
// Temporal server, reads it back over the API, and checks a second start for
// the same message does not deliver it twice.
func TestEmailWorkflowEndToEnd(t *testing.T) {
	t.Parallel()
	apiURL, s := startDev(t)
	if status, body := get(t, apiURL+"/readyz"); status != 200 {
		t.Fatalf("readyz = %d %s", status, body)
	}

	msg := mail.Message{To: "ada@example.com", Subject: "Welcome to AstralisOps", Text: "Hello Ada"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := mail.Enqueue(ctx, store.New(s.Pool), msg, mail.AfterCommit)
	if err != nil {
		t.Fatal(err)
	}
	msg.ID = id
	// Delivery goes through the product's own path, which may dispatch one message
	// more than once (a retried request, the outbox sweeper): twice in a row here,
	// the second while the first delivery most likely still runs, and once more
	// after the delivery completed. Each must neither mail again nor start a run.
	wfID := workflows.EmailWorkflowID(msg.ID)
	mailer := s.mailer()
	for range 2 {
		if err := mailer.Dispatch(ctx, msg.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Temporal.GetWorkflow(ctx, wfID, "").Get(ctx, nil); err != nil {
		t.Fatalf("delivery failed: %v", err)
	}
	latestRun := func() *workflow.WorkflowExecutionInfo {
		t.Helper()
		resp, err := s.Temporal.DescribeWorkflowExecution(ctx, wfID, "")
		if err != nil {
			t.Fatal(err)
		}
		return resp.WorkflowExecutionInfo
	}
	delivered := latestRun()
	if delivered.GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("delivery run %s is %v, want completed", delivered.GetExecution().GetRunId(), delivered.GetStatus())
	}
	if err := mailer.Dispatch(ctx, msg.ID); err != nil {
		t.Fatal(err)
	}
	// Whatever run the id has now is over before the mailbox is read.
	if err := s.Temporal.GetWorkflow(ctx, wfID, "").Get(ctx, nil); err != nil {
		t.Fatalf("after dispatching a delivered message again: %v", err)
	}
	if again := latestRun(); again.GetExecution().GetRunId() != delivered.GetExecution().GetRunId() {
		t.Errorf("dispatching a delivered message again started another run of %s: %s after %s", wfID, again.GetExecution().GetRunId(), delivered.GetExecution().GetRunId())
	}
	// The body (which may hold single-use links) is gone from the outbox and never was in the history.
	var left int
	if err := s.Pool.QueryRow(ctx, "SELECT count(*) FROM mail_outbox").Scan(&left); err != nil || left != 0 {
		t.Errorf("outbox rows after delivery: %d (%v)", left, err)
	}
	iter := s.Temporal.GetWorkflowHistory(ctx, wfID, delivered.GetExecution().GetRunId(), false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(event.String(), "Hello Ada") {
			t.Fatalf("the mail body is in workflow history: %v", event)
		}
	}

	status, body := get(t, apiURL+"/api/v1/dev/mail")
	if status != 200 {
		t.Fatalf("dev mail = %d %s", status, body)
	}
	var page struct {
		Items []mail.Message `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	msg.Attachments = []mail.Attachment{} // the mailbox lists none
	if len(page.Items) != 1 || !reflect.DeepEqual(page.Items[0], msg) {
		t.Fatalf("mailbox = %+v, want exactly %+v", page.Items, msg)
	}

	// The SDK reports into the same /metrics as HTTP.
	_, metrics := get(t, metricsURL(s))
	for _, want := range []string{"temporal_request", "astralis_http_requests_total", "go_goroutines"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// forwardLater listens on addr once called and relays every connection to target, until the test ends.
func forwardLater(t *testing.T, addr, target string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
}

// TestWorkerWaitsForTemporal starts the API and worker while Temporal is
// unreachable (as in a compose stack starting up): /readyz names it, and once
// it is reachable the worker runs workflows without a restart.
func TestWorkerWaitsForTemporal(t *testing.T) {
	reserved, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lateAddr := reserved.Addr().String()
	reserved.Close()

	apiURL, s := startDev(t, func(c *config.Config) { c.Temporal.Address = lateAddr })
	if status, body := get(t, apiURL+"/readyz"); status != 503 || !strings.Contains(body, "temporal unreachable") {
		t.Fatalf("readyz with Temporal down = %d %s", status, body)
	}
	time.Sleep(time.Second) // let the worker fail to reach it at least once
	forwardLater(t, lateAddr, testenv.TemporalAddress(t))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id, err := mail.Enqueue(ctx, store.New(s.Pool), mail.Message{To: "late@example.com", Subject: "after the outage", Text: "hello"}, mail.AfterCommit)
	if err != nil {
		t.Fatal(err)
	}
	run, err := testenv.Temporal(t).ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.EmailWorkflowID(id), TaskQueue: s.TaskQueue(workflows.EmailTaskQueue)}, workflows.SendEmail, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("workflow after Temporal came back: %v", err)
	}
	if status, _ := get(t, apiURL+"/readyz"); status != 200 {
		t.Fatalf("readyz after Temporal came back = %d", status)
	}
}

// TestOutboxSweeperDeliversStrandedMail: mail committed while its delivery
// could not be started (Temporal down, process killed) goes out on the next run
// of the mail sweep schedule; mail whose delivery runs already is left to it.
func TestOutboxSweeperDeliversStrandedMail(t *testing.T) {
	apiURL, s := startDev(t)
	ctx := context.Background()
	enqueue := func(to string) string {
		id, err := mail.Enqueue(ctx, store.New(s.Pool), mail.Message{To: to, Subject: "stranded", Text: "hello"}, mail.AfterCommit)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	stranded, busy := enqueue("stranded@example.com"), enqueue("busy@example.com")
	// busy's delivery runs already (its mail server keeps failing, say): here
	// on a task queue nobody polls. Started before its mail looks stale, so the
	// schedule's own run at the minute mark cannot start a real one first.
	busyRun := startIdle(t, s, workflows.EmailWorkflowID(busy), workflows.SendEmail, busy)
	if _, err := s.Pool.Exec(ctx, "UPDATE mail_outbox SET created_at = now() - interval '30 minutes'"); err != nil {
		t.Fatal(err)
	}
	fresh := enqueue("fresh@example.com") // its API is starting its delivery

	var swept workflows.SweepResult
	runSchedule(t, s, workflows.SweepMailSchedule, &swept)
	if swept.Failed != 0 || swept.AlreadyStarted < 1 || swept.Started+swept.AlreadyStarted != swept.Found {
		t.Errorf("sweep = %+v: want every stale message started or found started", swept)
	}
	if err := s.Temporal.GetWorkflow(ctx, workflows.EmailWorkflowID(stranded), "").Get(ctx, nil); err != nil {
		t.Fatalf("swept delivery: %v", err)
	}
	_, body := get(t, apiURL+"/api/v1/dev/mail")
	if !strings.Contains(body, "stranded@example.com") || strings.Contains(body, "fresh@example.com") {
		t.Fatalf("dev mailbox after the sweep: %s", body)
	}
	if describe(t, s, workflows.EmailWorkflowID(fresh)) != nil {
		t.Error("the sweep started delivery of mail enqueued just now")
	}
	if info := describe(t, s, workflows.EmailWorkflowID(busy)); info.GetExecution().GetRunId() != busyRun.GetRunID() || info.GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("the running delivery of %s was replaced or ended: %v", busy, info)
	}
	// A second run finds only the busy one left, and leaves it running.
	runSchedule(t, s, workflows.SweepMailSchedule, &swept)
	if swept != (workflows.SweepResult{Found: 1, AlreadyStarted: 1}) {
		t.Errorf("second sweep = %+v, want the busy message found started", swept)
	}
}
