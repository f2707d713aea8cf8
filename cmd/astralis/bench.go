package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/astralisops/astralis/internal/testenv"
	"github.com/astralisops/astralis/workflows"
)

// runBench measures, on one fresh `astralis dev`, the engine's ceiling here (a
// bare workflow running as many no-op activities as an auto-routed intake)
// beside end-to-end intakes (HTTP POST → routed), and the API's accept latency.
// It runs several rounds, alternating which goes first, and reports medians:
// one run on this machine varies by ±10% (WAL checkpoints, kernel writeback, GC),
// and the machine's speed drifts over minutes, so the ratio is taken within
// each round (two measurements a minute apart) and its median reported.
func runBench(args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	n := fs.Int("n", 500, "workflows and intakes per measurement")
	concurrency := fs.Int("concurrency", 32, "requests in flight")
	rounds := fs.Int("rounds", 5, "measurements of each")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *n < 1 || *concurrency < 1 || *rounds < 1 {
		fmt.Fprintln(os.Stderr, "astralis bench: --n, --concurrency and --rounds must be positive")
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "astralis bench: %v\n", err)
		return 1
	}
	dev, err := startScratchDev("benchmark")
	if err != nil {
		return fail(err)
	}
	defer dev.Stop()
	ceiling, err := newCeilingBench(dev.Temporal)
	if err != nil {
		return fail(err)
	}
	defer ceiling.close()
	intakes, err := newIntakeBench(dev)
	if err != nil {
		return fail(err)
	}
	defer intakes.close()

	// Warm up both (connection pools, caches, the organisation's model) before measuring.
	if _, err := ceiling.run(4*(*concurrency), *concurrency); err != nil {
		return fail(err)
	}
	if _, _, err := intakes.run(4*(*concurrency), *concurrency); err != nil {
		return fail(err)
	}

	var ceilingRates, intakeRates, ceilingCPU, intakeCPU []float64
	var accept []time.Duration
	cpu := benchCPU{dataDir: dev.DataDir}
	perItem := func(before time.Duration) float64 { return ms(cpu.used()-before) / float64(*n) }
	measureCeiling := func() error {
		before := cpu.used()
		rate, err := ceiling.run(*n, *concurrency)
		ceilingRates, ceilingCPU = append(ceilingRates, rate), append(ceilingCPU, perItem(before))
		return err
	}
	measureIntakes := func() error {
		before := cpu.used()
		rate, latencies, err := intakes.run(*n, *concurrency)
		intakeRates, intakeCPU = append(intakeRates, rate), append(intakeCPU, perItem(before))
		accept = append(accept, latencies...)
		return err
	}
	for round := range *rounds {
		order := []func() error{measureCeiling, measureIntakes}
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, measure := range order {
			// Each measurement starts on an idle machine: the server finishes a
			// phase's work late (visibility records, activity timeout timers
			// firing after their StartToClose), which must not be charged to the next.
			settle(benchActivityTimeout)
			if err := measure(); err != nil {
				return fail(err)
			}
		}
		fmt.Fprintf(os.Stderr, "round %d: ceiling %.1f /s, end to end %.1f /s (%.2f ×); CPU per item %.1f and %.1f ms\n",
			round+1, ceilingRates[round], intakeRates[round], intakeRates[round]/ceilingRates[round], ceilingCPU[round], intakeCPU[round])
	}
	slices.Sort(accept)
	pct := func(p float64) time.Duration { return accept[int(p*float64(len(accept)-1))] }
	ratios := make([]float64, len(ceilingRates))
	for i := range ratios {
		ratios[i] = intakeRates[i] / ceilingRates[i]
	}
	fmt.Printf("\n%d each, %d in flight, median of %d rounds, on the embedded Temporal server (SQLite, WAL) and private PostgreSQL\n\n", *n, *concurrency, *rounds)
	fmt.Printf("%-52s %10.1f /s\n", "ceiling: bare workflow with 3 no-op activities", median(ceilingRates))
	fmt.Printf("%-52s %10.1f /s  (%.2f × the ceiling, median of the rounds' ratios)\n", "end to end: POST /intake → routed", median(intakeRates), median(ratios))
	fmt.Printf("%-52s %7.1f ms p50, %.1f ms p99\n", "API accept latency (POST /intake → 202)", ms(pct(0.5)), ms(pct(0.99)))
	fmt.Printf("%-52s %7.1f ms a workflow, %.1f ms an intake (%.2f ×, medians)\n", "CPU time of the benchmark's processes",
		median(ceilingCPU), median(intakeCPU), median(ceilingCPU)/median(intakeCPU))
	return 0
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchActivityTimeout is the intake's activity StartToClose timeout: its timer fires that long after each activity starts.
const benchActivityTimeout = 30 * time.Second

// benchWorkflow is the ceiling: the same number of activities an auto-routed
// intake runs (propose, route, notify the assignee), doing nothing, with the same timeout.
func benchWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: benchActivityTimeout})
	for range 3 {
		if err := workflow.ExecuteActivity(ctx, benchNoop).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

func benchNoop(context.Context) error { return nil }

// ceilingBench runs benchWorkflow on its own task queue and worker.
type ceilingBench struct {
	client client.Client
	worker worker.Worker
}

func newCeilingBench(temporalAddr string) (*ceilingBench, error) {
	c, err := client.Dial(client.Options{HostPort: temporalAddr, Logger: testenv.QuietSDKLogger{}})
	if err != nil {
		return nil, err
	}
	w := worker.New(c, "bench-ceiling", worker.Options{})
	w.RegisterWorkflow(benchWorkflow)
	w.RegisterActivity(benchNoop)
	if err := w.Start(); err != nil {
		c.Close()
		return nil, err
	}
	return &ceilingBench{client: c, worker: w}, nil
}

func (b *ceilingBench) close() {
	b.worker.Stop()
	b.client.Close()
}

// run completes n workflows, concurrency at a time, and returns workflows per second.
func (b *ceilingBench) run(n, concurrency int) (float64, error) {
	start := time.Now()
	err := inParallel(n, concurrency, func(int) error {
		id := "bench-" + uuid.NewString()
		if _, err := b.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: id, TaskQueue: "bench-ceiling"}, benchWorkflow); err != nil {
			return err
		}
		return awaitResult(b.client, id, nil)
	})
	return float64(n) / time.Since(start).Seconds(), err
}

// intakeBench submits intakes over HTTP to an organisation that routes every one without an operator.
type intakeBench struct {
	api     *apiSession
	orgPath string
	client  client.Client
}

func newIntakeBench(dev *scratchDev) (*intakeBench, error) {
	jar, _ := cookiejar.New(nil)
	s := &apiSession{base: dev.API, http: &http.Client{Jar: jar, Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	if err := s.call("POST", "/api/v1/auth/login", map[string]string{"email": dev.AdminEmail, "password": dev.AdminPass}, nil); err != nil {
		return nil, err
	}
	var org struct {
		ID string `json:"id"`
	}
	if err := s.call("POST", "/api/v1/orgs", map[string]string{"name": "Benchmark"}, &org); err != nil {
		return nil, err
	}
	orgPath := "/api/v1/orgs/" + org.ID
	for _, p := range [][2]string{{"cards", "Cards: ordering, delivering and activating cards"}, {"transfers", "Transfers: sending and receiving money"}} {
		if err := s.call("POST", orgPath+"/pipelines", map[string]string{"key": p[0], "name": p[0], "description": p[1]}, nil); err != nil {
			return nil, err
		}
	}
	// Every intake is routed without an operator, as a confident proposal is.
	if err := s.call("PUT", orgPath+"/routing/settings", map[string]any{"threshold": 0}, nil); err != nil {
		return nil, err
	}
	c, err := client.Dial(client.Options{HostPort: dev.Temporal, Logger: testenv.QuietSDKLogger{}})
	if err != nil {
		return nil, err
	}
	return &intakeBench{api: s, orgPath: orgPath, client: c}, nil
}

func (b *intakeBench) close() { b.client.Close() }

// run submits n intakes, concurrency at a time, each until its workflow has
// routed it; it returns intakes per second and each POST's latency.
func (b *intakeBench) run(n, concurrency int) (float64, []time.Duration, error) {
	accept := make([]time.Duration, n)
	start := time.Now()
	err := inParallel(n, concurrency, func(i int) error {
		t0 := time.Now()
		var sub struct {
			ID uuid.UUID `json:"id"`
		}
		if err := b.api.call("POST", b.orgPath+"/intake", map[string]string{"subject": "My card has not arrived", "body": "I ordered it two weeks ago."}, &sub); err != nil {
			return err
		}
		accept[i] = time.Since(t0)
		var state workflows.IntakeState
		if err := awaitResult(b.client, workflows.IntakeWorkflowID(sub.ID), &state); err != nil {
			return err
		}
		if state.Status != "routed" {
			return fmt.Errorf("intake %s ended %s", sub.ID, state.Status)
		}
		return nil
	})
	return float64(n) / time.Since(start).Seconds(), accept, err
}

// inParallel runs f(0..n-1) with at most concurrency at once and returns the first error.
// awaitResult waits for the workflow's close event and decodes its result
// into out (when not nil). Both sides of the bench wait this way: one
// long poll, without the DescribeWorkflowExecution call that
// client.GetWorkflow(id, "").Get makes to find the run, which the ceiling's
// run handle would not make and the intakes' would.
func awaitResult(c client.Client, workflowID string, out any) error {
	iter := c.GetWorkflowHistory(context.Background(), workflowID, "", true, enums.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	if !iter.HasNext() {
		return fmt.Errorf("workflow %s: no close event", workflowID)
	}
	ev, err := iter.Next()
	if err != nil {
		return err
	}
	done := ev.GetWorkflowExecutionCompletedEventAttributes()
	if done == nil {
		return fmt.Errorf("workflow %s closed with %s", workflowID, ev.GetEventType())
	}
	if out == nil {
		return nil
	}
	return converter.GetDefaultDataConverter().FromPayloads(done.GetResult(), out)
}

func inParallel(n, concurrency int, f func(i int) error) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	slots := make(chan struct{}, concurrency)
	for i := range n {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := f(i); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// settle waits out timers due within horizon, writes dirty pages back (else
// the kernel does it about 30 s later, in the next measurement), then waits
// until the machine's CPUs are at least 90% idle over a second (at most a minute more).
func settle(horizon time.Duration) {
	time.Sleep(horizon)
	syscall.Sync()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		idle0, total0, err := cpuTimes()
		if err != nil {
			return // not Linux: nothing to wait on
		}
		time.Sleep(time.Second)
		idle1, total1, _ := cpuTimes()
		if total1 > total0 && float64(idle1-idle0)/float64(total1-total0) >= 0.9 {
			return
		}
	}
}

// cpuTimes reads the machine's idle and total CPU ticks from /proc/stat.
func cpuTimes() (idle, total uint64, err error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal (guest time is within user)
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0, 0, fmt.Errorf("unexpected /proc/stat: %q", line)
	}
	for i, f := range fields[1:9] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, 0, err
		}
		total += v
		if i == 3 || i == 4 { // idle, iowait
			idle += v
		}
	}
	return idle, total, nil
}
