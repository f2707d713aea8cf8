// Package e2e drives the built `astralis` binary the way a developer does.
// It has only tests, so its test binary stays free of the Temporal server.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/astralisops/astralis/internal/devclamd"
	"github.com/astralisops/astralis/internal/mail"
	"github.com/astralisops/astralis/internal/testenv"
	"github.com/astralisops/astralis/internal/virusscan"
)

// lockedBuffer collects the child's output from two pipes at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

type devInstance struct {
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan error // receives the exit once
}

// TestDevRunsStopsAndKeepsData starts `astralis dev` on a fresh data
// directory, uses it, stops it with Ctrl-C (SIGINT), starts it again and
// finds the earlier mail and workflow still there.
func TestDevRunsStopsAndKeepsData(t *testing.T) {
	bin := os.Getenv(testenv.BinaryEnv)
	if bin == "" {
		t.Fatalf("%s is not set: run the tests with `make test`", testenv.BinaryEnv)
	}
	dataDir, err := os.MkdirTemp("", "astralis-dev-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dataDir) })
	if err := os.Chmod(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}

	apiAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	temporalAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	uiAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	metricsAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	pgPort := freePort(t)
	env := []string{}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "ASTRALIS_") || name == "DATABASE_URL" || strings.HasPrefix(name, "TEMPORAL_") {
			continue // the developer's own settings must not leak into this instance
		}
		env = append(env, kv)
	}
	env = append(env,
		"ASTRALIS_HTTP_ADDR="+apiAddr,
		"ASTRALIS_HTTP_METRICS_ADDR="+metricsAddr,
		"ASTRALIS_DEV_DATA_DIR="+dataDir,
		"ASTRALIS_DEV_TEMPORAL_ADDR="+temporalAddr,
		"ASTRALIS_DEV_TEMPORAL_UI_ADDR="+uiAddr,
		"ASTRALIS_DEV_POSTGRES_PORT="+strconv.Itoa(pgPort),
		"ASTRALIS_DEV_S3_ADDR=127.0.0.1:0",
		"ASTRALIS_LOG_FORMAT=text",
	)

	start := func() *devInstance {
		t.Helper()
		d := &devInstance{cmd: exec.Command(bin, "dev"), out: &lockedBuffer{}, done: make(chan error, 1)}
		d.cmd.Env = env
		d.cmd.Dir = dataDir
		d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
		if err := d.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { d.done <- d.cmd.Wait() }()
		t.Cleanup(func() { _ = d.cmd.Process.Kill() })
		waitReady(t, d, "http://"+apiAddr+"/readyz")
		return d
	}
	stop := func(d *devInstance) {
		t.Helper()
		if err := d.cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-d.done:
			if err != nil {
				t.Fatalf("astralis dev did not exit cleanly on Ctrl-C: %v\n%s", err, d.out)
			}
		case <-time.After(2 * time.Minute): // a hang guard, not a speed target
			t.Fatalf("astralis dev still running after Ctrl-C\n%s", d.out)
		}
		if conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(pgPort), time.Second); err == nil {
			conn.Close()
			t.Fatal("PostgreSQL still listening after astralis dev exited")
		}
	}

	first := start()
	if !strings.Contains(first.out.String(), "Temporal Web UI http://"+uiAddr) {
		t.Errorf("banner does not show the Web UI address:\n%s", first.out)
	}
	// Metrics are on their own listener, which the banner names, not on the API's.
	if !strings.Contains(first.out.String(), "Metrics         http://"+metricsAddr+"/metrics") {
		t.Errorf("banner does not show the metrics address:\n%s", first.out)
	}
	for url, want := range map[string]int{"http://" + metricsAddr + "/metrics": 200, "http://" + apiAddr + "/metrics": 404} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", url, resp.StatusCode, want)
		}
	}
	// Its own clamd, with the EICAR test signature, answers at the address the banner names.
	clamd := clamdAddress.FindStringSubmatch(first.out.String())
	if clamd == nil {
		t.Fatalf("banner does not show the clamd address:\n%s", first.out)
	}
	scanner := virusscan.New(virusscan.Config{Address: clamd[1], Timeout: 30 * time.Second})
	if v, err := scanner.Scan(context.Background(), strings.NewReader(devclamd.EICAR)); err != nil || !v.Infected {
		t.Errorf("dev clamd at %s on EICAR: %+v, %v; want infected", clamd[1], v, err)
	}
	demo := demoSignIn.FindStringSubmatch(first.out.String())
	if demo == nil {
		t.Fatalf("banner does not show the demo credentials:\n%s", first.out)
	}
	var orgs struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			Role string `json:"role"`
		} `json:"items"`
	}
	signIn(t, "http://"+apiAddr, demo[1], demo[2]).getJSON("/api/v1/orgs", &orgs)
	if len(orgs.Items) != 1 || orgs.Items[0].Name != "Demo Service Co" || orgs.Items[0].Role != "ADMIN" {
		t.Fatalf("demo admin's organisations = %+v", orgs)
	}

	// The admin CLI adds an account to the demo organisation; it signs in at once.
	pgPassword, err := os.ReadFile(dataDir + "/pg/astralis-password")
	if err != nil {
		t.Fatal(err)
	}
	cli := exec.Command(bin, "admin", "create-user", "--email", "ops@example.com", "--password", "operator password 1", "--org", orgs.Items[0].ID, "--role", "OPERATOR")
	cli.Env = append(append([]string{}, env...), "DATABASE_URL=postgres://astralis:"+strings.TrimSpace(string(pgPassword))+"@127.0.0.1:"+strconv.Itoa(pgPort)+"/astralis?sslmode=disable")
	if out, err := cli.CombinedOutput(); err != nil {
		t.Fatalf("astralis admin create-user: %v\n%s", err, out)
	}
	signIn(t, "http://"+apiAddr, "ops@example.com", "operator password 1").getJSON("/api/v1/orgs", &orgs)
	if len(orgs.Items) != 1 || orgs.Items[0].Role != "OPERATOR" {
		t.Fatalf("CLI-made operator's organisations = %+v", orgs)
	}
	var namespaces struct {
		Namespaces []struct {
			NamespaceInfo struct {
				Name string `json:"name"`
			} `json:"namespaceInfo"`
		} `json:"namespaces"`
	}
	getJSON(t, "http://"+uiAddr+"/api/v1/namespaces", &namespaces)
	if len(namespaces.Namespaces) == 0 || namespaces.Namespaces[0].NamespaceInfo.Name != "default" {
		t.Errorf("Web UI lists namespaces %+v, want default", namespaces)
	}

	// Mail the product sends: a password reset for the demo admin, through the outbox, the worker and the dev mailbox.
	resp, err := http.Post("http://"+apiAddr+"/api/v1/auth/password/forgot", "application/json", strings.NewReader(`{"email":"`+demo[1]+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("forgot password = %d", resp.StatusCode)
	}
	var page struct {
		Items []mail.Message `json:"items"`
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for len(page.Items) == 0 && ctx.Err() == nil {
		time.Sleep(200 * time.Millisecond)
		getJSON(t, "http://"+apiAddr+"/api/v1/dev/mail", &page)
	}
	if len(page.Items) != 1 || page.Items[0].To != demo[1] || !strings.Contains(page.Items[0].Text, "reset-password?token=") {
		t.Fatalf("dev mailbox = %+v", page.Items)
	}
	msg := page.Items[0]
	c, err := client.Dial(client.Options{HostPort: temporalAddr, Logger: testenv.QuietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	// The reset ran as a PasswordReset workflow; the Web UI's list (visibility) finds it.
	var resetID string
	for resetID == "" && ctx.Err() == nil {
		list, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowType = 'PasswordReset'"})
		if err != nil {
			t.Fatalf("list workflows: %v", err)
		}
		if len(list.Executions) == 1 && list.Executions[0].Status == enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			resetID = list.Executions[0].Execution.WorkflowId
		} else {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if resetID == "" {
		t.Fatalf("no completed PasswordReset workflow in the Web UI's list\n%s", first.out)
	}
	c.Close()
	stop(first)
	if err := scanner.Ping(context.Background()); !errors.Is(err, virusscan.ErrUnavailable) {
		t.Errorf("dev clamd still answers after astralis dev exited: %v", err)
	}

	second := start()
	if again := demoSignIn.FindStringSubmatch(second.out.String()); again == nil || again[2] != demo[2] {
		t.Errorf("second start does not print the same demo credentials:\n%s", second.out)
	}
	getJSON(t, "http://"+apiAddr+"/api/v1/dev/mail", &page)
	if len(page.Items) != 1 || !reflect.DeepEqual(page.Items[0], msg) {
		t.Errorf("dev mailbox after restart = %+v, want the earlier message", page.Items)
	}
	c, err = client.Dial(client.Options{HostPort: temporalAddr, Logger: testenv.QuietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	desc, err := c.DescribeWorkflowExecution(ctx, resetID, "")
	c.Close()
	if err != nil {
		t.Fatalf("workflow history lost across restart: %v", err)
	}
	if status := desc.WorkflowExecutionInfo.Status; status != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("workflow status after restart = %v", status)
	}
	stop(second)
}

var demoSignIn = regexp.MustCompile(`Demo sign-in\s+(\S+) / (\S+)`)

var clamdAddress = regexp.MustCompile(`clamd\s+(tcp://\S+)`)

// session is a browser's cookie jar on the dev API.
type session struct {
	t    *testing.T
	base string
	http *http.Client
}

func signIn(t *testing.T, base, email, password string) *session {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &session{t: t, base: base, http: &http.Client{Jar: jar}}
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, _ := http.NewRequest("POST", base+"/api/v1/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(resp.Body)
		t.Fatalf("sign in as %s = %d %s", email, resp.StatusCode, data)
	}
	return s
}

func (s *session) getJSON(path string, v any) {
	s.t.Helper()
	resp, err := s.http.Get(s.base + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s = %d %s", path, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, v); err != nil {
		s.t.Fatal(err)
	}
}

func waitReady(t *testing.T, d *devInstance, url string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute) // first start initialises PostgreSQL and Temporal's schema
	for time.Now().Before(deadline) {
		select {
		case err := <-d.done:
			t.Fatalf("astralis dev exited before it was ready (%v):\n%s", err, d.out)
		default:
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("astralis dev not ready:\n%s", d.out)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, body)
	}
}
