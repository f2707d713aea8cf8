package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"os"
	"sync/atomic"
	"time"
)

// runCrashTest kills `astralis dev` with SIGKILL while intakes are in flight,
// restarts it, lets clients retry with their Idempotency-Keys, and checks that
// every request ends routed or awaiting approval exactly once: no duplicate
// requests, pipeline items, routing decisions or escalation mails.
func runCrashTest(args []string) int {
	fs := flag.NewFlagSet("crash-test", flag.ContinueOnError)
	n := fs.Int("n", 500, "intakes")
	concurrency := fs.Int("concurrency", 32, "requests in flight")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "astralis crash-test: FAIL: %v\n", err)
		return 1
	}
	dev, err := startScratchDev("crash-test")
	if err != nil {
		return fail(err)
	}
	stop := dev.Stop
	defer func() { stop() }()

	session := func(d *scratchDev) (*apiSession, error) {
		jar, _ := cookiejar.New(nil)
		s := &apiSession{base: d.API, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
		return s, s.call("POST", "/api/v1/auth/login", map[string]string{"email": d.AdminEmail, "password": d.AdminPass}, nil)
	}
	s, err := session(dev)
	if err != nil {
		return fail(err)
	}
	var org struct {
		ID string `json:"id"`
	}
	if err := s.call("POST", "/api/v1/orgs", map[string]string{"name": "Crash test"}, &org); err != nil {
		return fail(err)
	}
	orgPath := "/api/v1/orgs/" + org.ID
	for _, p := range [][2]string{
		{"cards", "Ordering, delivering and activating cards"},
		{"transfers", "Sending and receiving bank transfers"},
		{"security", "Lost or stolen cards, payments you do not recognise"},
	} {
		if err := s.call("POST", orgPath+"/pipelines", map[string]string{"key": p[0], "name": p[0], "description": p[1]}, nil); err != nil {
			return fail(err)
		}
	}
	// Some requests are routed at once, the others wait for an operator and escalate after a second.
	if err := s.call("PUT", orgPath+"/routing/settings", map[string]any{"threshold": 0.6, "escalate_after_seconds": 1}, nil); err != nil {
		return fail(err)
	}
	texts := []string{"My new card has not been delivered yet", "Hello, I have a question", "A transfer to my friend is still pending", "something is wrong"}
	submitAll := func(s *apiSession, killAt int, kill func()) (accepted int64) {
		var count atomic.Int64
		_ = inParallel(*n, *concurrency, func(i int) error {
			key := fmt.Sprintf("crash-%d", i)
			err := s.callWithKey("POST", orgPath+"/intake", key, map[string]string{"subject": texts[i%len(texts)], "body": fmt.Sprintf("request %d", i)})
			if err == nil && count.Add(1) == int64(killAt) && kill != nil {
				kill()
			}
			return nil // after the kill, refused connections are expected: clients retry below
		})
		return count.Load()
	}

	fmt.Fprintf(os.Stderr, "submitting %d intakes; kill -9 after %d are accepted\n", *n, *n/2)
	accepted := submitAll(s, *n/2, func() { go dev.Kill() })
	fmt.Fprintf(os.Stderr, "%d accepted before and during the kill; restarting on the same data\n", accepted)
	time.Sleep(time.Second)
	dev, err = startDevAt("crash-test", dev.DataDir, dev.ports)
	if err != nil {
		return fail(fmt.Errorf("restart: %w", err))
	}
	stop = dev.Stop
	if s, err = session(dev); err != nil {
		return fail(err)
	}
	fmt.Fprintf(os.Stderr, "clients retry all %d with the same Idempotency-Keys\n", *n)
	if again := submitAll(s, 0, nil); again != int64(*n) {
		return fail(fmt.Errorf("only %d of %d retried submissions were accepted", again, *n))
	}

	db, err := dev.database(context.Background())
	if err != nil {
		return fail(err)
	}
	defer db.Close(context.Background())
	deadline := time.Now().Add(5 * time.Minute)
	for {
		var pending int
		if err := db.QueryRow(context.Background(), "SELECT count(*) FROM intake_requests WHERE status = 'received'").Scan(&pending); err != nil {
			return fail(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("%d requests never left 'received'", pending))
		}
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // let escalations and their mail finish

	var requests, routed, awaiting, items, maxRouted, escalated, maxEscalated, mails, assignedMails, duplicateMails int
	err = db.QueryRow(context.Background(), `
		SELECT
		  (SELECT count(*) FROM intake_requests),
		  (SELECT count(*) FROM intake_requests WHERE status = 'routed'),
		  (SELECT count(*) FROM intake_requests WHERE status = 'awaiting_approval'),
		  (SELECT count(*) FROM pipeline_items),
		  (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM intake_events WHERE kind = 'routed' GROUP BY intake_id) x),
		  (SELECT count(*) FROM intake_events WHERE kind = 'escalated'),
		  (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM intake_events WHERE kind = 'escalated' GROUP BY intake_id) x),
		  (SELECT count(*) FROM dev_mail WHERE subject LIKE 'Waiting for a decision%'),
		  (SELECT count(*) FROM dev_mail WHERE subject LIKE 'New request for you%'),
		  (SELECT count(*) - count(DISTINCT message_id) FROM dev_mail)`).
		Scan(&requests, &routed, &awaiting, &items, &maxRouted, &escalated, &maxEscalated, &mails, &assignedMails, &duplicateMails)
	if err != nil {
		return fail(err)
	}
	fmt.Printf("requests %d (of %d submitted): %d routed, %d awaiting approval\n", requests, *n, routed, awaiting)
	fmt.Printf("pipeline items %d; most routing decisions for one request %d\n", items, maxRouted)
	fmt.Printf("escalations %d (most for one request %d); escalation mails %d; assignment mails %d; duplicate mails %d\n", escalated, maxEscalated, mails, assignedMails, duplicateMails)
	switch {
	case requests != *n:
		return fail(fmt.Errorf("%d requests for %d submissions", requests, *n))
	case routed+awaiting != *n:
		return fail(fmt.Errorf("%d requests are neither routed nor awaiting approval", *n-routed-awaiting))
	case items != routed || maxRouted > 1:
		return fail(fmt.Errorf("%d items for %d routed requests (max %d decisions for one)", items, routed, maxRouted))
	case maxEscalated > 1 || mails > escalated || assignedMails > routed || duplicateMails > 0:
		return fail(fmt.Errorf("mails duplicated"))
	}
	fmt.Println("PASS: every request ended routed or awaiting approval, once")
	return 0
}

// callWithKey is call with an Idempotency-Key header.
func (s *apiSession) callWithKey(method, path, key string, in any) error {
	return s.send(method, path, in, nil, map[string]string{"Idempotency-Key": key})
}
