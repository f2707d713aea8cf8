package app

import (
	"strings"
	"testing"

	"go.temporal.io/api/enums/v1"
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
