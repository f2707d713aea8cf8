package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestProductionBinariesDoNotLinkTheTemporalServer keeps cmd/api and cmd/worker
// small: they talk to Temporal through the SDK only.
func TestProductionBinariesDoNotLinkTheTemporalServer(t *testing.T) {
	for _, pkg := range []string{"github.com/astralisops/astralis/cmd/api", "github.com/astralisops/astralis/cmd/worker"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 50 {
			t.Fatalf("go list %s printed only %d packages; the check is broken", pkg, len(deps))
		}
		for _, dep := range deps {
			if strings.HasPrefix(dep, "go.temporal.io/server") || strings.HasPrefix(dep, "github.com/temporalio/ui-server") {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}
