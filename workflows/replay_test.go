package workflows

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// historiesDir holds histories recorded from real runs of every workflow type
// and path (make record-histories exports them from the integration tests).
const historiesDir = "testdata/histories"

// TestReplayRecordedHistories replays each recorded history against today's
// workflow code: a change that would break a workflow already running (a
// command added, removed or reordered without a workflow.GetVersion gate)
// fails here. Every workflow type must have recorded histories.
func TestReplayRecordedHistories(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(historiesDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	replayer := worker.NewWorkflowReplayer()
	for _, d := range Definitions() {
		replayer.RegisterWorkflowWithOptions(d.Func, workflow.RegisterOptions{Name: d.Name})
	}
	quiet := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	covered := map[string]int{}
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		history, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		events := history.GetEvents()
		if len(events) == 0 {
			t.Fatalf("%s: no events", file)
		}
		covered[events[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowType().GetName()]++
		t.Run(filepath.Base(file), func(t *testing.T) {
			if err := replayer.ReplayWorkflowHistory(quiet, history); err != nil {
				t.Fatalf("replaying %s against today's code: %v", file, err)
			}
		})
	}
	var missing []string
	for _, d := range Definitions() {
		if covered[d.Name] == 0 {
			missing = append(missing, d.Name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("no recorded history for %v: run `make record-histories` and commit %s", missing, historiesDir)
	}
}
