package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/astralisops/astralis/internal/problem"
)

// readinessTimeout bounds each dependency check so /readyz answers promptly when one hangs.
const readinessTimeout = 2 * time.Second

type healthHandler struct {
	checks []ReadinessCheck
}

// live answers 200 while the process can serve HTTP at all.
func (h *healthHandler) live(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// readinessProblem is the 503 body: a problem that also says which check failed.
type readinessProblem struct {
	problem.Problem
	Checks map[string]string `json:"checks"`
}

// ready runs every dependency check concurrently and answers 503 naming the failing ones.
func (h *healthHandler) ready(c *gin.Context) {
	results := make(map[string]string, len(h.checks))
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		failed []string
	)
	for _, check := range h.checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(c.Request.Context(), readinessTimeout)
			defer cancel()
			err := check.Check(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				results[check.Name] = "unavailable"
				failed = append(failed, check.Name)
				return
			}
			results[check.Name] = "ok"
		}()
	}
	wg.Wait()
	if len(failed) == 0 {
		c.JSON(http.StatusOK, readiness{Status: "ready", Checks: results})
		return
	}
	slices.Sort(failed)
	p := problem.From(problem.New(problem.ErrUnavailable, "not ready: "+strings.Join(failed, ", ")+" unreachable"))
	writeProblemBody(c, p, func(p problem.Problem) any { return readinessProblem{Problem: p, Checks: results} })
}
