package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

type evalOptions struct {
	dir, api, email, password string
	seed                      int64
	holdout, threshold        float64
}

// apiSession is a signed-in browser session on the API.
type apiSession struct {
	base string
	http *http.Client
}

func (s *apiSession) call(method, path string, in, out any) error {
	return s.send(method, path, in, out, nil)
}

func (s *apiSession) send(method, path string, in, out any, header map[string]string) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", s.base)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

func evalThroughAPI(o evalOptions) int {
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "astralis eval-routing: %v\n", err)
		return 1
	}
	pipelines, rows, err := loadRoutingData(o.dir)
	if err != nil {
		return fail(err)
	}
	if o.api == "" {
		dev, err := startScratchDev("evaluation")
		if err != nil {
			return fail(err)
		}
		defer dev.Stop()
		o.api, o.email, o.password = dev.API, dev.AdminEmail, dev.AdminPass
	}
	jar, _ := cookiejar.New(nil)
	s := &apiSession{base: o.api, http: &http.Client{Jar: jar, Timeout: 5 * time.Minute}}
	if err := s.call("POST", "/api/v1/auth/login", map[string]string{"email": o.email, "password": o.password}, nil); err != nil {
		return fail(err)
	}
	var org struct {
		ID string `json:"id"`
	}
	if err := s.call("POST", "/api/v1/orgs", map[string]string{"name": "Routing evaluation " + time.Now().Format(time.RFC3339)}, &org); err != nil {
		return fail(err)
	}
	orgPath := "/api/v1/orgs/" + org.ID
	for _, p := range pipelines {
		if err := s.call("POST", orgPath+"/pipelines", map[string]string{"key": p.Key, "name": p.Name, "description": p.Description}, nil); err != nil {
			return fail(err)
		}
	}
	rand.New(rand.NewSource(o.seed)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	split := len(rows) - int(float64(len(rows))*o.holdout)
	train, test := rows[:split], rows[split:]
	fmt.Printf("through the API at %s, organisation %s\n", o.api, org.ID)
	fmt.Printf("%d pipelines, %d rows: importing %d as history, measuring on %d (seed %d)\n\n", len(pipelines), len(rows), len(train), len(test), o.seed)
	fmt.Printf("%-34s %9s %12s %12s %12s\n", "", "accuracy", fmt.Sprintf("acc@%.2f", o.threshold), fmt.Sprintf("share@%.2f", o.threshold), "ms/request")

	measure := func(label string) error {
		var correct, confident, confidentCorrect int
		start := time.Now()
		for _, r := range test {
			var d struct {
				Pipeline   string  `json:"pipeline"`
				Confidence float64 `json:"confidence"`
			}
			if err := s.call("POST", orgPath+"/routing/classify", map[string]string{"text": r.text}, &d); err != nil {
				return err
			}
			if d.Pipeline == r.pipeline {
				correct++
			}
			if d.Confidence >= o.threshold {
				confident++
				if d.Pipeline == r.pipeline {
					confidentCorrect++
				}
			}
		}
		n := float64(len(test))
		fmt.Printf("%-34s %8.1f%% %11.1f%% %11.1f%% %12.2f\n", label, 100*float64(correct)/n,
			100*float64(confidentCorrect)/max(1, float64(confident)), 100*float64(confident)/n,
			float64(time.Since(start).Microseconds())/1000/n)
		return nil
	}
	if err := measure("cold (names and descriptions only)"); err != nil {
		return fail(err)
	}
	examples := make([]map[string]string, len(train))
	for i, r := range train {
		examples[i] = map[string]string{"text": r.text, "pipeline": r.pipeline}
	}
	start := time.Now()
	var imported struct {
		Imported int `json:"imported"`
	}
	if err := s.call("POST", orgPath+"/routing/examples", map[string]any{"examples": examples}, &imported); err != nil {
		return fail(err)
	}
	importTime := time.Since(start)
	if err := measure(fmt.Sprintf("warm (after importing %d)", imported.Imported)); err != nil {
		return fail(err)
	}
	fmt.Printf("\nimporting %d examples took %v\n", imported.Imported, importTime.Round(time.Millisecond))
	return 0
}

// scratchDev is an `astralis dev` on a fresh data directory and free ports,
// for measurements that must not touch a developer's data.
type scratchDev struct {
	Stop                  func() // Ctrl-C, and the data directory is removed
	Kill                  func() // kill -9: nothing is cleaned up, not even PostgreSQL
	API, Temporal         string
	AdminEmail, AdminPass string
	DataDir               string
	ports                 []string
}

// startScratchDev starts `astralis dev` on a fresh data directory and free
// ports; configure, when given, runs first with the API's URL to come (to
// put settings that name it in the environment the process inherits).
func startScratchDev(purpose string, configure ...func(apiURL string)) (*scratchDev, error) {
	dataDir, err := os.MkdirTemp("", "astralis-"+purpose+"-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dataDir, 0o755); err != nil { // the unprivileged postgres user must reach it
		return nil, err
	}
	ports := make([]string, 4)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ports[i] = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		ln.Close()
	}
	for _, f := range configure {
		f("http://127.0.0.1:" + ports[0])
	}
	return startDevAt(purpose, dataDir, ports)
}

// startDevAt starts `astralis dev` on dataDir and ports (API, Temporal, Web UI, PostgreSQL), again after a crash too.
func startDevAt(purpose, dataDir string, ports []string) (*scratchDev, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "dev")
	cmd.Env = append(os.Environ(),
		"ASTRALIS_HTTP_ADDR=127.0.0.1:"+ports[0], "ASTRALIS_DEV_TEMPORAL_ADDR=127.0.0.1:"+ports[1],
		"ASTRALIS_DEV_TEMPORAL_UI_ADDR=127.0.0.1:"+ports[2], "ASTRALIS_DEV_POSTGRES_PORT="+ports[3], "ASTRALIS_DEV_S3_ADDR=127.0.0.1:0",
		"ASTRALIS_DEV_DATA_DIR="+dataDir, "ASTRALIS_LOG_LEVEL=warn", "DATABASE_URL=", "ASTRALIS_STORAGE_ENDPOINT=",
		"ASTRALIS_HTTP_METRICS_ADDR=", // no metrics listener: it would take the one of a running `make dev`
		// The bench and the crash test submit thousands of intakes as one member within minutes:
		// they measure the workflows, not the intake limits.
		"ASTRALIS_LIMITS_INTAKE_PER_SUBMITTER=1000000", "ASTRALIS_LIMITS_INTAKE_PER_ORG=1000000")
	logFile, err := os.OpenFile(filepath.Join(dataDir, "dev.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	d := &scratchDev{API: "http://127.0.0.1:" + ports[0], Temporal: "127.0.0.1:" + ports[1], DataDir: dataDir, ports: ports}
	d.Kill = func() {
		_ = cmd.Process.Kill()
		<-done
		logFile.Close()
	}
	d.Stop = func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
		}
		logFile.Close()
		os.RemoveAll(dataDir)
	}
	fmt.Fprintf(os.Stderr, "starting astralis dev for the %s (log: %s)\n", purpose, logFile.Name())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for {
		if resp, err := http.Get(d.API + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-done:
			return nil, fmt.Errorf("astralis dev exited; see %s", logFile.Name())
		case <-ctx.Done():
			d.Stop()
			return nil, fmt.Errorf("astralis dev not ready in time")
		case <-time.After(250 * time.Millisecond):
		}
	}
	data, err := os.ReadFile(filepath.Join(dataDir, "demo-admin.json"))
	if err != nil {
		d.Stop()
		return nil, err
	}
	var creds demoCredentials
	if err := json.Unmarshal(data, &creds); err != nil {
		d.Stop()
		return nil, err
	}
	d.AdminEmail, d.AdminPass = creds.Email, creds.Password
	return d, nil
}

// database connects to the dev's private PostgreSQL, to read what the API does not show.
func (d *scratchDev) database(ctx context.Context) (*pgx.Conn, error) {
	pw, err := os.ReadFile(filepath.Join(d.DataDir, "pg", "astralis-password"))
	if err != nil {
		return nil, err
	}
	return pgx.Connect(ctx, fmt.Sprintf("postgres://astralis:%s@127.0.0.1:%s/astralis?sslmode=disable", strings.TrimSpace(string(pw)), d.ports[3]))
}
