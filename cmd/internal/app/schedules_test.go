package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/testenv"
	"github.com/astralisops/astralis/workflows"
)

// sameDeployment makes startDev start another replica of s's deployment: the
// same database and the same task queues (hence the same schedules).
func sameDeployment(s *Services) func(*config.Config) {
	return func(c *config.Config) {
		c.Database.URL = s.Config.Database.URL
		c.Temporal.TaskQueuePrefix = s.Config.Temporal.TaskQueuePrefix
	}
}

// deleteSchedules deletes a test deployment's schedules, which would otherwise
// keep firing on the shared test server. It dials the server itself: the
// test's own address may be gone (TestWorkerWaitsForTemporal).
func deleteSchedules(t *testing.T, taskQueuePrefix string) {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: testenv.TemporalAddress(t), Namespace: testenv.TemporalNamespace, Logger: testenv.QuietSDKLogger{}})
	if err != nil {
		t.Errorf("delete schedules: %v", err)
		return
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, sch := range workflows.Schedules(taskQueuePrefix) {
		var notFound *serviceerror.NotFound
		if err := c.ScheduleClient().GetHandle(ctx, sch.ID).Delete(ctx); err != nil && !errors.As(err, &notFound) {
			t.Errorf("delete schedule %s: %v", sch.ID, err)
		}
	}
}

// runSchedule triggers the test deployment's schedule name, waits for the run
// it started to finish, fails the test when that run failed, and decodes its
// result into result (unless nil).
func runSchedule(t *testing.T, s *Services, name string, result any) {
	t.Helper()
	if err := triggerSchedule(t.Context(), s, name, result); err != nil {
		t.Fatal(err)
	}
}

// waitForSchedule waits until the worker has created the schedule (at start,
// perhaps after startDev returned) and answers its handle.
func waitForSchedule(ctx context.Context, s *Services, name string) (client.ScheduleHandle, error) {
	id := workflows.ScheduleID(s.Config.Temporal.TaskQueuePrefix, name)
	handle := s.Temporal.ScheduleClient().GetHandle(ctx, id)
	for {
		_, err := handle.Describe(ctx)
		if err == nil {
			return handle, nil
		}
		var notFound *serviceerror.NotFound
		if !errors.As(err, &notFound) && ctx.Err() == nil {
			return nil, fmt.Errorf("schedule %s: %w", id, err)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("schedule %s was not created: %w", id, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// triggerSchedule is runSchedule for any goroutine. The worker creates the
// schedules at start, perhaps after startDev returned, so it first waits for
// the schedule.
func triggerSchedule(ctx context.Context, s *Services, name string, result any) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	handle, err := waitForSchedule(ctx, s, name)
	if err != nil {
		return err
	}
	id := handle.GetID()
	since := time.Now()
	// ALLOW_ALL: a scheduled run going on at this moment must not make the trigger skip.
	if err := handle.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enums.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL}); err != nil {
		return fmt.Errorf("trigger %s: %w", id, err)
	}
	for {
		desc, err := handle.Describe(ctx)
		if err != nil {
			return fmt.Errorf("describe %s: %w", id, err)
		}
		for _, a := range desc.Info.RecentActions {
			// A run started after the trigger sees everything the test did before it.
			if a.StartWorkflowResult == nil || a.ActualTime.Before(since) {
				continue
			}
			run := s.Temporal.GetWorkflow(ctx, a.StartWorkflowResult.WorkflowID, a.StartWorkflowResult.FirstExecutionRunID)
			if err := run.Get(ctx, result); err != nil {
				return fmt.Errorf("run %s of schedule %s: %w", a.StartWorkflowResult.WorkflowID, id, err)
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("schedule %s took no action after the trigger", id)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitForIdleSchedule waits until no run of the schedule is going on.
func waitForIdleSchedule(t *testing.T, s *Services, name string) {
	t.Helper()
	handle := s.Temporal.ScheduleClient().GetHandle(t.Context(), workflows.ScheduleID(s.Config.Temporal.TaskQueuePrefix, name))
	for range 600 {
		desc, err := handle.Describe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(desc.Info.RunningWorkflows) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("schedule %s still running", name)
}

// pauseSchedule pauses the schedule and waits for a run it started to end: a
// test that sets up what the schedule acts on (back-dated rows) and runs its
// activity itself is not raced by the schedule's own run on the clock's mark.
func pauseSchedule(t *testing.T, s *Services, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	handle, err := waitForSchedule(ctx, s, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := handle.Pause(ctx, client.SchedulePauseOptions{Note: "paused by " + t.Name()}); err != nil {
		t.Fatal(err)
	}
	waitForIdleSchedule(t, s, name)
}

// startIdle starts workflow wf with id on a task queue nobody polls: a run that
// stays running until the test ends, when it is terminated.
func startIdle(t *testing.T, s *Services, id string, wf any, args ...any) client.WorkflowRun {
	t.Helper()
	run, err := s.Temporal.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{ID: id, TaskQueue: s.TaskQueue("idle")}, wf, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Temporal.TerminateWorkflow(ctx, id, run.GetRunID(), "test over")
	})
	return run
}

// describe is the workflow id's current run, nil when there is none.
func describe(t *testing.T, s *Services, id string) *workflow.WorkflowExecutionInfo {
	t.Helper()
	resp, err := s.Temporal.DescribeWorkflowExecution(t.Context(), id, "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return resp.WorkflowExecutionInfo
}

// TestSchedulesRunOnceAcrossReplicas: two API+worker processes of one
// deployment (one database, one set of task queues) share one copy of each
// schedule, and a stranded request is started once even when both replicas
// trigger the intake sweep at the same moment.
func TestSchedulesRunOnceAcrossReplicas(t *testing.T) {
	admin, org, first, _ := setUpShop(t, true)
	_, second := startDev(t, sameDeployment(first))
	ctx := t.Context()
	var me struct {
		ID uuid.UUID `json:"id"`
	}
	admin.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 1.0})
	// Stored three minutes ago by an API that stopped before starting its workflow.
	intakeService, err := first.intake()
	if err != nil {
		t.Fatal(err)
	}
	sub, err := intakeService.Submit(ctx, uuid.MustParse(org), me.ID, auth.RoleAdmin, "", intake.RequestInput{Subject: "my phone screen is cracked", Body: "cracked", Source: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Pool.Exec(ctx, "UPDATE intake_requests SET created_at = now() - interval '3 minutes' WHERE id = $1", sub.ID); err != nil {
		t.Fatal(err)
	}

	// Both replicas trigger the sweep at once, each with its own client, overlapping.
	triggered := make(chan error, 2)
	for _, s := range []*Services{first, second} {
		go func() { triggered <- triggerSchedule(ctx, s, workflows.SweepIntakeSchedule, nil) }()
	}
	for range 2 {
		if err := <-triggered; err != nil {
			t.Fatal(err)
		}
	}
	waitForIdleSchedule(t, first, workflows.SweepIntakeSchedule)
	waitForStatus(t, admin, org, sub.ID.String(), "awaiting_approval")

	// One workflow execution with the request's id, and no other routing the
	// organisation's only request.
	for _, query := range []string{
		fmt.Sprintf("WorkflowId = '%s'", workflows.IntakeWorkflowID(sub.ID)),
		fmt.Sprintf("WorkflowType = 'Intake' AND AstralisOrg = '%s'", org),
	} {
		var executions int
		for range 100 { // visibility is eventually consistent
			resp, err := first.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
			if err != nil {
				t.Fatal(err)
			}
			if executions = len(resp.Executions); executions > 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if executions != 1 {
			t.Errorf("%d executions for %s, want 1", executions, query)
		}
	}
	var proposals int
	if err := first.Pool.QueryRow(ctx, "SELECT count(*) FROM intake_events WHERE intake_id = $1 AND kind = 'proposed'", sub.ID).Scan(&proposals); err != nil {
		t.Fatal(err)
	}
	if proposals != 1 {
		t.Errorf("%d proposals for the stranded request, want 1", proposals)
	}

	// Each schedule exists once, as this version of the worker describes it.
	prefix := first.Config.Temporal.TaskQueuePrefix
	var want, listed []string
	for _, sch := range workflows.Schedules(prefix) {
		want = append(want, sch.ID)
		desc, err := first.Temporal.ScheduleClient().GetHandle(ctx, sch.ID).Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !scheduleMatches(desc.Schedule, scheduleOptions(sch)) {
			t.Errorf("schedule %s = %+v, want %+v", sch.ID, desc.Schedule, scheduleOptions(sch))
		}
	}
	slices.Sort(want)
	for range 100 { // the schedule list is eventually consistent
		listed = nil
		iter, err := first.Temporal.ScheduleClient().List(ctx, client.ScheduleListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for iter.HasNext() {
			e, err := iter.Next()
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(e.ID, prefix) {
				listed = append(listed, e.ID)
			}
		}
		slices.Sort(listed)
		if !slices.ContainsFunc(want, func(id string) bool { return !slices.Contains(listed, id) }) {
			break // every schedule listed
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !slices.Equal(listed, want) {
		t.Errorf("schedules of the deployment = %v, want each of %v once", listed, want)
	}

	// A schedule left by another version (another interval) is brought up to date by a starting worker.
	handle := first.Temporal.ScheduleClient().GetHandle(ctx, workflows.ScheduleID(prefix, workflows.PruneSchedule))
	err = handle.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		in.Description.Schedule.Spec = &client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Hour}}}
		return &client.ScheduleUpdate{Schedule: &in.Description.Schedule}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.ensureSchedules(ctx); err != nil {
		t.Fatal(err)
	}
	desc, err := handle.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if every := desc.Schedule.Spec.Intervals; len(every) != 1 || every[0].Every != workflows.PruneEvery {
		t.Errorf("prune schedule after a worker start: every %v, want %s", every, workflows.PruneEvery)
	}
}

// TestStartDevDeletesItsSchedules: a test's schedules end with it, so they do
// not keep firing on the shared test server.
func TestStartDevDeletesItsSchedules(t *testing.T) {
	var prefix string
	t.Run("dev", func(t *testing.T) {
		_, s := startDev(t)
		prefix = s.Config.Temporal.TaskQueuePrefix
		runSchedule(t, s, workflows.PruneSchedule, nil)
	})
	c := testenv.Temporal(t)
	for _, sch := range workflows.Schedules(prefix) {
		_, err := c.ScheduleClient().GetHandle(t.Context(), sch.ID).Describe(t.Context())
		var notFound *serviceerror.NotFound
		if !errors.As(err, &notFound) {
			t.Errorf("schedule %s after its test: %v, want not found", sch.ID, err)
		}
	}
}
