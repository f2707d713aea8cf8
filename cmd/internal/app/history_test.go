package app

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/astralisops/astralis/workflows"
)

// assertNotInHistory fails the test when any of secrets appears anywhere in
// the history of workflow id: payloads carry ids, not personal data.
func assertNotInHistory(t *testing.T, s *Services, id string, secrets ...string) {
	t.Helper()
	iter := s.Temporal.GetWorkflowHistory(t.Context(), id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range secrets {
			if strings.Contains(event.String(), secret) {
				t.Fatalf("%q is in the history of %s: %v", secret, id, event)
			}
		}
	}
}

// RecordHistoriesEnv names a folder: when set, each test exports the history
// of every workflow it ran there when it ends, one file per distinct path
// (workflow type and sequence of events), for the replay test in package
// workflows. `make record-histories` sets it to workflows/testdata/histories.
const RecordHistoriesEnv = "ASTRALIS_RECORD_HISTORIES"

// recordHistories exports the histories of the workflows on the test's task
// queues, running or closed: a running one is the history a deploy would
// meet (a request waiting for its decision).
func recordHistories(t *testing.T, s *Services) {
	dir := os.Getenv(RecordHistoriesEnv)
	if dir == "" {
		return
	}
	ctx := context.WithoutCancel(t.Context())
	seen := map[string]bool{}
	for _, d := range workflows.Definitions() {
		queue := s.TaskQueue(d.TaskQueue)
		if seen[queue] {
			continue
		}
		seen[queue] = true
		var token []byte
		for {
			resp, err := s.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: fmt.Sprintf("TaskQueue = '%s'", queue), NextPageToken: token})
			if err != nil {
				t.Errorf("record histories: list %s: %v", queue, err)
				return
			}
			for _, e := range resp.Executions {
				if err := recordHistory(ctx, s, dir, e.GetType().GetName(), e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId()); err != nil {
					t.Errorf("record history of %s: %v", e.GetExecution().GetWorkflowId(), err)
				}
			}
			if token = resp.NextPageToken; len(token) == 0 {
				break
			}
		}
	}
}

func recordHistory(ctx context.Context, s *Services, dir, workflowType, id, runID string) error {
	history := &historypb.History{}
	var shape strings.Builder
	iter := s.Temporal.GetWorkflowHistory(ctx, id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			return err
		}
		history.Events = append(history.Events, event)
		if name := event.GetEventType().String(); !strings.Contains(name, "WORKFLOW_TASK") {
			shape.WriteString(name + "\n")
		}
	}
	if len(history.Events) < 3 {
		return nil // not yet picked up by a worker: nothing to replay
	}
	sum := sha256.Sum256([]byte(workflowType + "\n" + shape.String()))
	path := filepath.Join(dir, fmt.Sprintf("%s-%x.json", workflowType, sum[:4]))
	if _, err := os.Stat(path); err == nil {
		return nil // this path is recorded already
	}
	data, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(history)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
