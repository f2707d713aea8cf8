package app

import (
	"encoding/json"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/testenv"
)

// tcpSwitch relays connections to target while up; while down it cuts every
// live connection and refuses new ones, as a server that went away does.
type tcpSwitch struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func newTCPSwitch(t *testing.T, target string) *tcpSwitch {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sw := &tcpSwitch{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); sw.setDown(true) })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			sw.mu.Lock()
			down := sw.down
			sw.mu.Unlock()
			if down {
				in.Close()
				continue
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			sw.track(in, out)
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	return sw
}

func (sw *tcpSwitch) addr() string { return sw.ln.Addr().String() }

func (sw *tcpSwitch) track(conns ...net.Conn) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	for _, c := range conns {
		sw.conns[c] = true
	}
}

func (sw *tcpSwitch) setDown(down bool) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	sw.down = down
	if down {
		for c := range sw.conns {
			c.Close()
		}
		clear(sw.conns)
	}
}

// TestTemporalDownIs503WithRetryAfter: while Temporal cannot be reached,
// submitting and deciding answer 503 with Retry-After, and the submitted
// request is kept: once Temporal is back, submitting it again with the same
// Idempotency-Key routes the one stored request.
func TestTemporalDownIs503WithRetryAfter(t *testing.T) {
	temporal := newTCPSwitch(t, testenv.TemporalAddress(t))
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, smtp, func(c *config.Config) { c.Temporal.Address = temporal.addr() })
	admin := signUpVerified(t, base, inbox, "owner@shop.test", "owner password 1")
	var org struct {
		ID string `json:"id"`
	}
	admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Fixit Shop"}).decode(t, &org)
	admin.must(201, "POST", "/api/v1/orgs/"+org.ID+"/pipelines", map[string]any{"key": "repairs", "name": "Repairs", "description": "Broken or cracked screens."})
	admin.must(201, "POST", "/api/v1/orgs/"+org.ID+"/pipelines", map[string]any{"key": "billing", "name": "Billing", "description": "Invoices and refunds."})
	admin.must(200, "PUT", "/api/v1/orgs/"+org.ID+"/routing/settings", map[string]any{"threshold": 1.0})
	var waiting struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(submit(t, admin, org.ID, "", "my phone screen is cracked").body, &waiting)
	waitForStatus(t, admin, org.ID, waiting.ID, "awaiting_approval")

	temporal.setDown(true)
	unavailable := func(name string, r reply) {
		t.Helper()
		var p struct {
			Type   string `json:"type"`
			Status int    `json:"status"`
		}
		_ = json.Unmarshal(r.body, &p)
		after, err := strconv.Atoi(r.header.Get("Retry-After"))
		if r.status != 503 || p.Type != "/problems/unavailable" || err != nil || after <= 0 {
			t.Errorf("%s with Temporal down: %d %s, Retry-After %q; want 503 unavailable with Retry-After", name, r.status, r.body, r.header.Get("Retry-After"))
		}
	}
	start := time.Now()
	unavailable("submit", submit(t, admin, org.ID, "form-7", "the battery is swollen"))
	unavailable("decide", admin.do("POST", "/api/v1/orgs/"+org.ID+"/intake/"+waiting.ID+"/decision", map[string]string{"action": "approve"}))
	t.Logf("both answered in %v", time.Since(start))
	var stored int
	if err := s.Pool.QueryRow(t.Context(), "SELECT count(*) FROM intake_requests WHERE idempotency_key = 'form-7'").Scan(&stored); err != nil || stored != 1 {
		t.Fatalf("%d requests stored for the refused submission (%v), want it kept", stored, err)
	}

	temporal.setDown(false)
	// A client retries as told: the SDK's connection may still be backing off
	// for a moment after Temporal comes back.
	retried := submit(t, admin, org.ID, "form-7", "the battery is swollen")
	for attempt := 1; retried.status == 503 && attempt < 6; attempt++ {
		after, _ := strconv.Atoi(retried.header.Get("Retry-After"))
		time.Sleep(time.Duration(after) * time.Second)
		retried = submit(t, admin, org.ID, "form-7", "the battery is swollen")
	}
	var again struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(retried.body, &again)
	if retried.status != 202 {
		t.Fatalf("retry after Temporal came back: %d %s", retried.status, retried.body)
	}
	waitForStatus(t, admin, org.ID, again.ID, "awaiting_approval")
	admin.must(200, "POST", "/api/v1/orgs/"+org.ID+"/intake/"+waiting.ID+"/decision", map[string]string{"action": "approve"})
}
