package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/intake"
	"github.com/astralisops/astralis/internal/testenv"
	"github.com/astralisops/astralis/workflows"
)

// submit posts an intake request, as c's session or token, with an optional Idempotency-Key.
func submit(t *testing.T, c *caller, org, key, subject string) reply {
	t.Helper()
	data, _ := json.Marshal(map[string]any{"subject": subject, "body": subject, "contact": map[string]string{"name": "Cleo", "email": "cleo@example.com"}, "source": "web"})
	req, _ := http.NewRequest("POST", c.base+"/api/v1/orgs/"+org+"/intake", bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", c.base)
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return reply{status: resp.StatusCode, body: buf.Bytes(), header: resp.Header}
}

type intakeView struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Routing struct {
		Pipeline   string   `json:"pipeline"`
		Confidence *float64 `json:"confidence"`
		DecidedBy  string   `json:"decided_by"`
	} `json:"routing"`
	History []struct {
		Kind string `json:"kind"`
	} `json:"history"`
}

// waitForStatus polls a request until it reaches status.
func waitForStatus(t *testing.T, c *caller, org, id, status string) intakeView {
	t.Helper()
	var v intakeView
	for range 300 {
		c.must(200, "GET", "/api/v1/orgs/"+org+"/intake/"+id, nil).decode(t, &v)
		if v.Status == status {
			return v
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("request %s is %q, never %q", id, v.Status, status)
	return v
}

func TestIntakeIsRoutedOrDecided(t *testing.T) {
	admin, org, s, inbox := setUpShopWithInbox(t)

	// Below the threshold: an operator decides.
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 1.0})
	first := submit(t, admin, org, "form-42", "my phone screen is cracked")
	again := submit(t, admin, org, "form-42", "my phone screen is cracked")
	var a, b struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	_ = json.Unmarshal(first.body, &a)
	_ = json.Unmarshal(again.body, &b)
	if first.status != 202 || again.status != 202 || a.ID == "" || a.ID != b.ID {
		t.Fatalf("same Idempotency-Key: %d %s / %d %s", first.status, first.body, again.status, again.body)
	}
	waiting := waitForStatus(t, admin, org, a.ID, "awaiting_approval")
	if waiting.Routing.Pipeline != "repairs" || waiting.Routing.Confidence == nil {
		t.Fatalf("proposal = %+v", waiting.Routing)
	}
	decide := "/api/v1/orgs/" + org + "/intake/" + a.ID + "/decision"
	if r := admin.must(422, "POST", decide, map[string]string{"action": "reassign", "pipeline": "marketing"}); !bytes.Contains(r.body, []byte(`"field":"pipeline"`)) {
		t.Errorf("unknown pipeline: %s", r.body)
	}
	admin.must(200, "POST", decide, map[string]string{"action": "reassign", "pipeline": "billing", "note": "they want a quote"})
	admin.must(409, "POST", decide, map[string]string{"action": "approve"})
	routed := waitForStatus(t, admin, org, a.ID, "routed")
	if routed.Routing.Pipeline != "billing" || routed.Routing.DecidedBy != "operator" {
		t.Fatalf("after reassign: %+v", routed.Routing)
	}
	// The only OPERATOR-or-ADMIN, the owner, is assigned and told.
	var me struct {
		ID string `json:"id"`
	}
	admin.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	var assigned struct {
		AssigneeID string `json:"assignee_id"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/intake/"+a.ID, nil).decode(t, &assigned)
	if assigned.AssigneeID != me.ID {
		t.Errorf("assignee = %q, want the owner %q", assigned.AssigneeID, me.ID)
	}
	if m := inbox.WaitFor(t, "owner@shop.test", "New request for you: my phone screen is cracked"); !strings.Contains(m.Text, "/intake/"+a.ID) {
		t.Errorf("assignment mail lacks the link:\n%s", m.Text)
	}
	var items, workflowsStarted, examples int
	if err := s.Pool.QueryRow(t.Context(), "SELECT (SELECT count(*) FROM pipeline_items), (SELECT count(*) FROM intake_requests), (SELECT count(*) FROM routing_examples WHERE source = 'operator')").Scan(&items, &workflowsStarted, &examples); err != nil {
		t.Fatal(err)
	}
	if items != 1 || workflowsStarted != 1 || examples != 1 {
		t.Fatalf("items %d, requests %d, learned examples %d; want 1 each", items, workflowsStarted, examples)
	}

	// At or above the threshold: routed by the model, no operator.
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 0.0})
	var c struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(submit(t, admin, org, "", "please move my appointment to friday").body, &c)
	auto := waitForStatus(t, admin, org, c.ID, "routed")
	if auto.Routing.Pipeline != "bookings" || auto.Routing.DecidedBy != "model" {
		t.Fatalf("auto-routed: %+v", auto.Routing)
	}
	admin.must(409, "POST", "/api/v1/orgs/"+org+"/intake/"+c.ID+"/decision", map[string]string{"action": "approve"})

	// The dashboard counts them: one reassigned by an operator, one routed by the model.
	var dash struct {
		Stages []struct {
			Pipeline string `json:"pipeline"`
			Stage    string `json:"stage"`
			Items    int    `json:"items"`
		} `json:"stages"`
		Volume []struct {
			Requests int `json:"requests"`
		} `json:"intake_per_day"`
		Routing struct {
			AutoRouted int `json:"auto_routed"`
			Approved   int `json:"approved"`
			Reassigned int `json:"reassigned"`
			Rejected   int `json:"rejected"`
		} `json:"routing"`
		Wait struct {
			P50 float64 `json:"p50"`
		} `json:"approval_wait_seconds"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/dashboard", nil).decode(t, &dash)
	requests := 0 // on one day, or two if the test ran past midnight (UTC)
	for _, day := range dash.Volume {
		requests += day.Requests
	}
	if dash.Routing.Reassigned != 1 || dash.Routing.AutoRouted != 1 || dash.Routing.Approved != 0 || dash.Wait.P50 <= 0 || requests != 2 || len(dash.Volume) > 2 {
		t.Fatalf("dashboard = %+v", dash)
	}
	billingNew := 0
	for _, st := range dash.Stages {
		if st.Pipeline == "billing" && st.Stage == "New" {
			billingNew = st.Items
		}
	}
	if billingNew != 1 || len(dash.Stages) != 9 {
		t.Fatalf("stages = %+v", dash.Stages)
	}

	// The Temporal Web UI finds them by organisation, status and pipeline.
	query := fmt.Sprintf("AstralisOrg = '%s' AND AstralisIntakeStatus = 'routed' AND AstralisPipeline = 'billing'", org)
	found := 0
	for range 100 {
		resp, err := s.Temporal.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatal(err)
		}
		if found = len(resp.Executions); found == 1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if found != 1 {
		t.Errorf("visibility query %q found %d workflows, want 1", query, found)
	}

	// The queue: filters and pages.
	type queuePage struct {
		Items []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	list := func(query string) (q queuePage) {
		admin.must(200, "GET", "/api/v1/orgs/"+org+"/intake"+query, nil).decode(t, &q)
		return q
	}
	queue := list("?status=routed&pipeline=billing")
	if len(queue.Items) != 1 || queue.Items[0].ID != a.ID {
		t.Fatalf("filtered queue = %+v", queue)
	}
	queue = list("?limit=1")
	if len(queue.Items) != 1 || queue.Items[0].ID != c.ID || queue.NextCursor == "" {
		t.Fatalf("first page = %+v", queue)
	}
	queue = list("?limit=1&cursor=" + queue.NextCursor)
	if len(queue.Items) != 1 || queue.Items[0].ID != a.ID || queue.NextCursor != "" {
		t.Fatalf("second page = %+v", queue)
	}
	queue = list("?q=appointment")
	if len(queue.Items) != 1 || queue.Items[0].ID != c.ID {
		t.Fatalf("text search = %+v", queue)
	}
	admin.must(422, "GET", "/api/v1/orgs/"+org+"/intake?status=lost", nil)

	// Bad input names the problem.
	if r := submit(t, admin, org, "", ""); r.status != 422 || !bytes.Contains(r.body, []byte(`"field":"subject"`)) {
		t.Errorf("empty subject: %d %s", r.status, r.body)
	}
	for name, body := range map[string]string{
		"invalid UTF-8":  "{\"subject\":\"caf\xe9\",\"body\":\"x\"}",
		"empty body":     `{"subject":"hello","body":"   "}`,
		"oversized body": `{"subject":"hello","body":"` + strings.Repeat("x", 70<<10) + `"}`,
	} {
		req, _ := http.NewRequest("POST", admin.base+"/api/v1/orgs/"+org+"/intake", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", admin.base)
		resp, err := admin.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 422 || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s", name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	admin.must(404, "GET", "/api/v1/orgs/"+org+"/intake/00000000-0000-0000-0000-000000000000", nil)
}

// TestWaitingTooLongEscalatesToAdmins: past the organisation's limit the
// request is marked as an SLA breach and its ADMINs get a mail, once.
func TestWaitingTooLongEscalatesToAdmins(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 1.0, "escalate_after_seconds": 1})
	var sub struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(submit(t, admin, org, "", "my phone screen is cracked").body, &sub)
	m := inbox.WaitFor(t, "owner@shop.test", "Waiting for a decision: my phone screen is cracked")
	if !bytes.Contains([]byte(m.Text), []byte("/intake/"+sub.ID)) {
		t.Errorf("escalation mail lacks the link to the request:\n%s", m.Text)
	}
	var v struct {
		Status      string `json:"status"`
		SLABreached bool   `json:"sla_breached"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/intake/"+sub.ID, nil).decode(t, &v)
	if !v.SLABreached || v.Status != "awaiting_approval" {
		t.Fatalf("after escalation: %+v", v)
	}
	// Still waiting: the operator can decide. The assignee's mail comes after
	// the workflow escalated; by then exactly one escalation mail went out.
	admin.must(200, "POST", "/api/v1/orgs/"+org+"/intake/"+sub.ID+"/decision", map[string]string{"action": "approve"})
	inbox.WaitFor(t, "owner@shop.test", "New request for you: my phone screen is cracked")
	if n := len(inbox.Find("owner@shop.test", "Waiting for a decision")); n != 1 {
		t.Fatalf("%d escalation mails, want exactly 1", n)
	}
}

// TestIntakePriorityAndOperatorPicks: the rules set a priority the queue can
// filter on, and an operator's decision can pick the assignee and the priority.
func TestIntakePriorityAndOperatorPicks(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	_, operatorID := join(t, admin, inbox, org, "op@shop.test", "OPERATOR")
	_, clientID := join(t, admin, inbox, org, "client@shop.test", "CLIENT")
	admin.must(200, "PUT", orgPath+"/routing/settings", map[string]any{"threshold": 1.0}) // every request waits for an operator

	type view struct {
		Status     string `json:"status"`
		Priority   string `json:"priority"`
		AssigneeID string `json:"assignee_id"`
		Routing    struct {
			Pipeline          string `json:"pipeline"`
			DecidedBy         string `json:"decided_by"`
			PriorityDecidedBy string `json:"priority_decided_by"`
		} `json:"routing"`
	}
	ids := map[string]string{}
	for name, subject := range map[string]string{
		"urgent": "URGENT: water is leaking out of the phone you repaired",
		"low":    "Not urgent: could you send me last month's invoice when you have time?",
		"normal": "What time do you open on Saturday?",
	} {
		var sub struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(submit(t, admin, org, "", subject).body, &sub)
		waitForStatus(t, admin, org, sub.ID, "awaiting_approval")
		var v view
		admin.must(200, "GET", orgPath+"/intake/"+sub.ID, nil).decode(t, &v)
		if v.Priority != name || v.Routing.PriorityDecidedBy != "rules" {
			t.Errorf("%q: priority %q set by %q, want %q by the rules", subject, v.Priority, v.Routing.PriorityDecidedBy, name)
		}
		ids[name] = sub.ID
	}
	var urgentOnly struct {
		Items []struct {
			ID       string `json:"id"`
			Priority string `json:"priority"`
		} `json:"items"`
	}
	admin.must(200, "GET", orgPath+"/intake?priority=urgent", nil).decode(t, &urgentOnly)
	if len(urgentOnly.Items) != 1 || urgentOnly.Items[0].ID != ids["urgent"] {
		t.Errorf("?priority=urgent = %+v, want only %s", urgentOnly.Items, ids["urgent"])
	}

	decide := orgPath + "/intake/" + ids["urgent"] + "/decision"
	if r := admin.must(422, "POST", decide, map[string]any{"action": "reassign", "assignee": clientID}); !bytes.Contains(r.body, []byte("OPERATOR or ADMIN")) {
		t.Errorf("a CLIENT as assignee: %s", r.body)
	}
	if r := admin.must(422, "POST", decide, map[string]any{"action": "approve", "priority": "whenever"}); !bytes.Contains(r.body, []byte(`"field":"priority","message":"must be low, normal, high, urgent"`)) {
		t.Errorf("an unknown priority: %s", r.body)
	}
	admin.must(200, "POST", decide, map[string]any{"action": "reassign", "assignee": operatorID, "priority": "high", "note": "Sam knows this phone"})
	waitForStatus(t, admin, org, ids["urgent"], "routed")
	var routed view
	admin.must(200, "GET", orgPath+"/intake/"+ids["urgent"], nil).decode(t, &routed)
	if routed.AssigneeID != operatorID || routed.Priority != "high" || routed.Routing.PriorityDecidedBy != "operator" ||
		routed.Routing.Pipeline == "" || routed.Routing.DecidedBy != "operator" {
		t.Fatalf("after reassigning to the operator: %+v", routed)
	}
	inbox.WaitFor(t, "op@shop.test", "New request for you: URGENT: water is leaking out of the phone you repaired")
}

// TestSweeperStartsStrandedRequests: a request stored by an API that stopped
// before starting its workflow is routed by the next run of the intake sweep
// schedule, once; one whose workflow runs already is left to it.
func TestSweeperStartsStrandedRequests(t *testing.T) {
	admin, org, s, _ := setUpShop(t, true)
	ctx := t.Context()
	var me struct {
		ID uuid.UUID `json:"id"`
	}
	admin.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 1.0})
	orgID := uuid.MustParse(org)
	intakeService, err := s.intake()
	if err != nil {
		t.Fatal(err)
	}
	stored := func(subject string) string {
		sub, err := intakeService.Submit(ctx, orgID, me.ID, auth.RoleAdmin, "", intake.RequestInput{Subject: subject, Body: subject, Source: "web"})
		if err != nil {
			t.Fatal(err)
		}
		return sub.ID.String()
	}
	stranded, fresh, busy := stored("my phone screen is cracked"), stored("the battery dies by noon"), stored("the charging port is loose")
	// busy's workflow was started and has not proposed yet: here it runs on a
	// task queue nobody polls (started before busy looks stale, as in life).
	busyRun := startIdle(t, s, workflows.IntakeWorkflowID(uuid.MustParse(busy)), workflows.Intake, workflows.IntakeInput{OrgID: orgID, IntakeID: uuid.MustParse(busy)})
	if _, err := s.Pool.Exec(ctx, "UPDATE intake_requests SET created_at = now() - interval '5 minutes' WHERE id = ANY($1::uuid[])", []string{stranded, busy}); err != nil {
		t.Fatal(err)
	}
	var swept workflows.SweepResult
	runSchedule(t, s, workflows.SweepIntakeSchedule, &swept)
	if swept.Failed != 0 || swept.Started+swept.AlreadyStarted != swept.Found {
		t.Errorf("sweep = %+v: want every stranded request started or found started", swept)
	}
	// A second run finds them swept and starts nothing.
	runSchedule(t, s, workflows.SweepIntakeSchedule, &swept)
	if swept != (workflows.SweepResult{}) {
		t.Errorf("second sweep = %+v, want nothing found", swept)
	}
	waitForStatus(t, admin, org, stranded, "awaiting_approval")
	if info := describe(t, s, workflows.IntakeWorkflowID(uuid.MustParse(busy))); info.GetExecution().GetRunId() != busyRun.GetRunID() || info.GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("the running workflow of %s was replaced or ended: %v", busy, info)
	}
	var v intakeView
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/intake/"+fresh, nil).decode(t, &v)
	if v.Status != "received" {
		t.Errorf("a request stored just now is %q: the sweeper must leave it to the API that is starting it", v.Status)
	}
	var proposals int
	if err := s.Pool.QueryRow(ctx, "SELECT count(*) FROM intake_events WHERE intake_id = $1 AND kind = 'proposed'", stranded).Scan(&proposals); err != nil {
		t.Fatal(err)
	}
	if proposals != 1 {
		t.Errorf("%d proposals for the swept request, want 1", proposals)
	}
	// Swept once: a later sweep passes it by even while it is 'received' (as when its
	// workflow was terminated before proposing), so it cannot crowd out newly stranded ones.
	if _, err := s.Pool.Exec(ctx, "UPDATE intake_requests SET status = 'received' WHERE id = $1", stranded); err != nil {
		t.Fatal(err)
	}
	left, err := intakeService.Stranded(ctx, time.Now().Add(-time.Hour), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range left {
		if r.ID.String() == stranded || r.ID.String() == busy {
			t.Errorf("the swept request %s is still listed as stranded", r.ID)
		}
	}
}

// join makes a new verified user a member of org with role, by invitation; it returns them and their id.
func join(t *testing.T, admin *caller, inbox *testenv.Inbox, org, email, role string) (*caller, string) {
	t.Helper()
	c := signUpVerified(t, admin.base, inbox, email, "member password 1")
	admin.must(202, "POST", "/api/v1/orgs/"+org+"/members", map[string]string{"email": email, "role": role})
	c.must(200, "POST", "/api/v1/invitations/accept", map[string]string{"token": linkToken(t, inbox.WaitFor(t, email, "You are invited"))})
	var me struct {
		ID string `json:"id"`
	}
	c.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	return c, me.ID
}

// TestRoutingAssignsTheOperatorWithFewestOpenItems: items in a pipeline's last stage are done and do not count.
func TestRoutingAssignsTheOperatorWithFewestOpenItems(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	join(t, admin, inbox, org, "ben@shop.test", "OPERATOR")
	admin.must(200, "PUT", orgPath+"/routing/settings", map[string]any{"threshold": 0.0})
	route := func(subject string) (assignee, item string) {
		var sub struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(submit(t, admin, org, "", subject).body, &sub)
		waitForStatus(t, admin, org, sub.ID, "routed")
		var v struct {
			AssigneeID string `json:"assignee_id"`
		}
		admin.must(200, "GET", orgPath+"/intake/"+sub.ID, nil).decode(t, &v)
		var board struct {
			Stages []struct {
				ID string `json:"id"`
			} `json:"stages"`
			Items map[string][]struct {
				ID       string `json:"id"`
				IntakeID string `json:"intake_id"`
			} `json:"items_by_stage"`
		}
		admin.must(200, "GET", orgPath+"/pipelines/repairs", nil).decode(t, &board)
		for _, i := range board.Items[board.Stages[0].ID] {
			if i.IntakeID == sub.ID {
				return v.AssigneeID, i.ID
			}
		}
		t.Fatalf("request %s is not in the first stage of repairs: %+v", sub.ID, board.Items)
		return "", ""
	}
	// Ties go to the lower user id: Ana or Ben gets two of three, the other one.
	first, item1 := route("my phone screen is cracked")
	second, _ := route("the screen of my tablet is cracked")
	third, item3 := route("my watch screen is cracked")
	if first == "" || second == "" || first == second || third != first {
		t.Fatalf("three requests went to %q, %q and %q: want one operator, the other, then the first again", first, second, third)
	}
	// Both of the first operator's items are done: they have no open items
	// (though two items in all), the other operator has one.
	var board struct {
		Stages []struct {
			ID string `json:"id"`
		} `json:"stages"`
	}
	admin.must(200, "GET", orgPath+"/pipelines/repairs", nil).decode(t, &board)
	for _, item := range []string{item1, item3} {
		admin.must(200, "POST", orgPath+"/items/"+item+"/move", map[string]string{"stage_id": board.Stages[len(board.Stages)-1].ID})
	}
	if fourth, _ := route("cracked screen on my laptop"); fourth != first {
		t.Errorf("fourth request went to %s, want %s (no open items)", fourth, first)
	}
}

// TestEditItem: an operator renames an item, reassigns it (the new assignee is
// mailed and the request follows) and sets or clears its due date.
func TestEditItem(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	_, benID := join(t, admin, inbox, org, "ben@shop.test", "OPERATOR") // the only OPERATOR: routing assigns him
	_, clientID := join(t, admin, inbox, org, "client@shop.test", "CLIENT")
	admin.must(200, "PUT", orgPath+"/routing/settings", map[string]any{"threshold": 0.0})
	requestID, itemPath := routedItemPath(t, admin, org, "my phone screen is cracked")

	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"title": strings.Repeat("x", 201)}, "title"},
		{map[string]any{"title": "two\nlines"}, "title"},
		{map[string]any{"assignee_id": clientID}, "assignee_id"},
		{map[string]any{"due_at": "1999-12-31T23:00:00Z"}, "due_at"},
		{map[string]any{"priority": "high"}, "priority"},
		{map[string]any{"assignee_id": "abc"}, `"field":"assignee_id","message":"must be a UUID"`},
		{map[string]any{"title": nil}, "title"},
		{map[string]any{}, "nothing to change"},
		{map[string]any{"due_at": "2027-01-15"}, `"field":"due_at","message":"must be an RFC 3339 date-time`},
	} {
		if r := admin.must(422, "PATCH", itemPath, bad.body); !bytes.Contains(r.body, []byte(bad.field)) {
			t.Errorf("%v: %s does not name %s", bad.body, r.body, bad.field)
		}
	}

	type item struct {
		Title      string  `json:"title"`
		AssigneeID string  `json:"assignee_id"`
		DueAt      *string `json:"due_at"`
	}
	var owner struct {
		ID string `json:"id"`
	}
	admin.must(200, "GET", "/api/v1/me", nil).decode(t, &owner)
	var got item
	admin.must(200, "PATCH", itemPath, map[string]any{"title": "Cracked screen, iPhone 12", "assignee_id": owner.ID, "due_at": "2027-01-15T17:00:00Z"}).decode(t, &got)
	if got.Title != "Cracked screen, iPhone 12" || got.AssigneeID != owner.ID || got.DueAt == nil || *got.DueAt != "2027-01-15T17:00:00Z" {
		t.Fatalf("after the edit: %+v (Ben was %s)", got, benID)
	}
	inbox.WaitFor(t, "owner@shop.test", "New request for you: Cracked screen, iPhone 12")
	var request struct {
		AssigneeID string `json:"assignee_id"`
	}
	admin.must(200, "GET", orgPath+"/intake/"+requestID, nil).decode(t, &request)
	if request.AssigneeID != owner.ID {
		t.Errorf("the request's assignee is %q, want the item's, %s", request.AssigneeID, owner.ID)
	}
	// Absent fields stay; null clears.
	got = item{}
	admin.must(200, "PATCH", itemPath, map[string]any{"due_at": nil}).decode(t, &got)
	if got.DueAt != nil || got.AssigneeID != owner.ID || got.Title != "Cracked screen, iPhone 12" {
		t.Errorf("after clearing the due date: %+v", got)
	}
	var activity struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	admin.must(200, "GET", orgPath+"/activity", nil).decode(t, &activity)
	edits := 0
	for _, a := range activity.Items {
		if a.Action == "pipeline.item.updated" {
			edits++
		}
	}
	if edits != 2 {
		t.Errorf("%d item edits in the audit log, want 2", edits)
	}
}

// TestConcurrentRoutingKeepsRanksDistinct: requests routed into one stage at
// the same moment each get their own place, so moves next to them land where asked.
func TestConcurrentRoutingKeepsRanksDistinct(t *testing.T) {
	admin, org, s, _ := setUpShop(t, true)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 0.0})
	const n = 24
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var sub struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(submit(t, admin, org, "", fmt.Sprintf("my phone screen is cracked (%d)", i)).body, &sub)
			ids <- sub.ID
		})
	}
	wg.Wait()
	close(ids)
	for id := range ids {
		waitForStatus(t, admin, org, id, "routed")
	}
	var items, ranks int
	if err := s.Pool.QueryRow(t.Context(), "SELECT count(*), count(DISTINCT (stage_id, rank)) FROM pipeline_items").Scan(&items, &ranks); err != nil {
		t.Fatal(err)
	}
	if items != n || ranks != n {
		t.Fatalf("%d items with %d distinct places, want %d of each", items, ranks, n)
	}
}

// TestSingleStagePipelinesShareTheWork: in a pipeline with one stage, that
// stage is not "Done": its items are open work and count for assignment.
func TestSingleStagePipelinesShareTheWork(t *testing.T) {
	admin, org, _, inbox, _ := setUpShopFull(t, false)
	orgPath := "/api/v1/orgs/" + org
	admin.must(201, "POST", orgPath+"/pipelines", map[string]any{"key": "inbox", "name": "Inbox", "description": "Every request", "stages": []string{"Inbox"}})
	join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	join(t, admin, inbox, org, "ben@shop.test", "OPERATOR")
	admin.must(200, "PUT", orgPath+"/routing/settings", map[string]any{"threshold": 0.0})
	assignees := map[string]int{}
	for i := range 4 {
		var sub struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(submit(t, admin, org, "", fmt.Sprintf("request number %d", i)).body, &sub)
		waitForStatus(t, admin, org, sub.ID, "routed")
		var v struct {
			AssigneeID string `json:"assignee_id"`
		}
		admin.must(200, "GET", orgPath+"/intake/"+sub.ID, nil).decode(t, &v)
		assignees[v.AssigneeID]++
	}
	if len(assignees) != 2 {
		t.Fatalf("4 requests went to %v: want 2 each for the two operators", assignees)
	}
	for who, n := range assignees {
		if n != 2 {
			t.Errorf("%s got %d of 4 requests, want 2", who, n)
		}
	}
}

// TestRequestWithoutPipelinesWaitsForAnOperator: in an organisation with no
// pipelines a request is not retried for ever: it waits for an operator with
// the reason shown, one proposal recorded, and once a pipeline exists an
// operator routes it there.
func TestRequestWithoutPipelinesWaitsForAnOperator(t *testing.T) {
	admin, org, s, _ := setUpShop(t, false)
	var sub struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(submit(t, admin, org, "", "my phone screen is cracked").body, &sub)
	waitForStatus(t, admin, org, sub.ID, "awaiting_approval")
	var v struct {
		Routing struct {
			Pipeline string `json:"pipeline"`
			Reason   string `json:"reason"`
		} `json:"routing"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/intake/"+sub.ID, nil).decode(t, &v)
	if v.Routing.Pipeline != "" || v.Routing.Reason != intake.NoPipelinesReason {
		t.Fatalf("routing = %+v, want no pipeline and the reason", v.Routing)
	}
	var proposals int
	if err := s.Pool.QueryRow(t.Context(), "SELECT count(*) FROM intake_events WHERE intake_id = $1 AND kind = 'proposed'", sub.ID).Scan(&proposals); err != nil || proposals != 1 {
		t.Fatalf("%d proposals recorded (%v), want 1", proposals, err)
	}
	decide := "/api/v1/orgs/" + org + "/intake/" + sub.ID + "/decision"
	if r := admin.must(422, "POST", decide, map[string]string{"action": "approve"}); !bytes.Contains(r.body, []byte("nothing was proposed")) {
		t.Errorf("approving nothing: %s", r.body)
	}
	admin.must(201, "POST", "/api/v1/orgs/"+org+"/pipelines", map[string]any{"key": "repairs", "name": "Repairs"})
	admin.must(200, "POST", decide, map[string]string{"action": "reassign", "pipeline": "repairs"})
	if routed := waitForStatus(t, admin, org, sub.ID, "routed"); routed.Routing.Pipeline != "repairs" {
		t.Fatalf("routed to %q, want repairs", routed.Routing.Pipeline)
	}
}

// TestDecisionNamingADeletedPipelineIsRefused: the proposed pipeline is
// deleted while the request waits; approving it answers a 409 that says why,
// at once, and the request can still be reassigned.
func TestDecisionNamingADeletedPipelineIsRefused(t *testing.T) {
	admin, org, _, _ := setUpShopWithInbox(t)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 1.0})
	var sub struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(submit(t, admin, org, "", "my phone screen is cracked").body, &sub)
	if waiting := waitForStatus(t, admin, org, sub.ID, "awaiting_approval"); waiting.Routing.Pipeline != "repairs" {
		t.Fatalf("proposed %q, want repairs", waiting.Routing.Pipeline)
	}
	admin.must(204, "DELETE", "/api/v1/orgs/"+org+"/pipelines/repairs", nil)
	decide := "/api/v1/orgs/" + org + "/intake/" + sub.ID + "/decision"
	r := admin.must(409, "POST", decide, map[string]string{"action": "approve"})
	var p struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
	}
	r.decode(t, &p)
	if p.Type != "/problems/pipeline-gone" || !strings.Contains(p.Detail, `"repairs" no longer exists`) {
		t.Fatalf("approve after the pipeline was deleted: %s", r.body)
	}
	admin.must(200, "POST", decide, map[string]string{"action": "reassign", "pipeline": "billing"})
	if routed := waitForStatus(t, admin, org, sub.ID, "routed"); routed.Routing.Pipeline != "billing" {
		t.Fatalf("routed to %q, want billing", routed.Routing.Pipeline)
	}
}

// TestDecisionIsAnsweredWhileSMTPIsDown: the operator's decision is answered
// at once while the mail server refuses connections; the assignee's mail goes
// out once the server is back, exactly once.
func TestDecisionIsAnsweredWhileSMTPIsDown(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 1.0})
	var sub struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(submit(t, admin, org, "", "my phone screen is cracked").body, &sub)
	waitForStatus(t, admin, org, sub.ID, "awaiting_approval")

	inbox.SetDown(true)
	var state struct {
		Status string `json:"status"`
	}
	admin.must(200, "POST", "/api/v1/orgs/"+org+"/intake/"+sub.ID+"/decision", map[string]string{"action": "approve"}).decode(t, &state)
	if state.Status != "routed" {
		t.Fatalf("decision answered %q, want routed", state.Status)
	}
	subject := "New request for you: my phone screen is cracked"
	time.Sleep(2 * time.Second) // delivery keeps failing meanwhile
	if n := len(inbox.Find("owner@shop.test", subject)); n != 0 {
		t.Fatalf("%d assignment mails while SMTP is down", n)
	}
	inbox.SetDown(false)
	inbox.WaitFor(t, "owner@shop.test", subject)
	time.Sleep(3 * time.Second) // a second delivery would follow within the retry interval
	if n := len(inbox.Find("owner@shop.test", subject)); n != 1 {
		t.Fatalf("%d assignment mails after SMTP came back, want 1", n)
	}
}

// routedItemPath submits text, waits until it is routed to the repairs
// pipeline and returns the request's id and the path of the item it became.
func routedItemPath(t *testing.T, admin *caller, org, text string) (requestID, itemPath string) {
	t.Helper()
	orgPath := "/api/v1/orgs/" + org
	var sub struct {
		ID string `json:"id"`
	}
	submit(t, admin, org, "", text).decode(t, &sub)
	waitForStatus(t, admin, org, sub.ID, "routed")
	var board struct {
		Items map[string][]struct {
			ID       string `json:"id"`
			IntakeID string `json:"intake_id"`
		} `json:"items_by_stage"`
	}
	admin.must(200, "GET", orgPath+"/pipelines/repairs", nil).decode(t, &board)
	for _, items := range board.Items {
		for _, i := range items {
			if i.IntakeID == sub.ID {
				itemPath = orgPath + "/items/" + i.ID
			}
		}
	}
	if itemPath == "" {
		t.Fatalf("no item for request %s: %+v", sub.ID, board.Items)
	}
	return sub.ID, itemPath
}
