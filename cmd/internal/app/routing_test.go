package app

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/testenv"
)

// setUpShop signs up an ADMIN with an organisation; with pipelines when asked.
func setUpShop(t *testing.T, withPipelines bool) (*caller, string, *Services, string) {
	t.Helper()
	admin, org, s, _, base := setUpShopFull(t, withPipelines)
	return admin, org, s, base
}

// setUpShopWithInbox is setUpShop with pipelines, returning the SMTP inbox too.
func setUpShopWithInbox(t *testing.T) (*caller, string, *Services, *testenv.Inbox) {
	t.Helper()
	admin, org, s, inbox, _ := setUpShopFull(t, true)
	return admin, org, s, inbox
}

func setUpShopFull(t *testing.T, withPipelines bool, adjust ...func(*config.Config)) (*caller, string, *Services, *testenv.Inbox, string) {
	t.Helper()
	smtp, inbox := withSMTP(t)
	base, s := startDev(t, append([]func(*config.Config){smtp}, adjust...)...)
	admin := signUpVerified(t, base, inbox, "owner@shop.test", "owner password 1")
	var org struct {
		ID string `json:"id"`
	}
	admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Fixit Shop"}).decode(t, &org)
	if withPipelines {
		addShopPipelines(admin, org.ID)
	}
	return admin, org.ID, s, inbox, base
}

// addShopPipelines gives the organisation the repair shop's pipelines: repairs, billing and bookings.
func addShopPipelines(admin *caller, org string) {
	for _, p := range []map[string]any{
		{"key": "repairs", "name": "Repairs", "description": "Broken, cracked or faulty devices: screens, batteries, charging ports, water damage.", "stages": []string{"New", "Diagnosing", "Fixed"}},
		{"key": "billing", "name": "Billing", "description": "Invoices, payments, refunds, charges and receipts."},
		{"key": "bookings", "name": "Appointments", "description": "Booking, moving or cancelling an appointment or a visit to the shop."},
	} {
		admin.must(201, "POST", "/api/v1/orgs/"+org+"/pipelines", p)
	}
}

func postCSV(t *testing.T, c *caller, path, body string) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Origin", c.base)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: data, header: resp.Header}
}

func TestRoutingNeedsPipelines(t *testing.T) {
	t.Parallel()
	admin, org, _, _ := setUpShop(t, false)
	admin.must(409, "POST", "/api/v1/orgs/"+org+"/routing/classify", map[string]string{"text": "my screen is cracked"})
}

func TestPipelinesAndRouting(t *testing.T) {
	t.Parallel()
	admin2, org, s, _ := setUpShop(t, true)
	orgPath := "/api/v1/orgs/" + org
	var board struct {
		Key    string `json:"key"`
		Stages []struct {
			Name     string `json:"name"`
			Position int    `json:"position"`
		} `json:"stages"`
	}
	admin2.must(200, "GET", orgPath+"/pipelines/repairs", nil).decode(t, &board)
	if len(board.Stages) != 3 || board.Stages[1].Name != "Diagnosing" || board.Stages[1].Position != 1 {
		t.Fatalf("board = %+v", board)
	}
	admin2.must(409, "POST", orgPath+"/pipelines", map[string]any{"key": "repairs", "name": "Again"})
	admin2.must(404, "GET", orgPath+"/pipelines/nope", nil)

	// Cold: from the descriptions alone.
	var d struct {
		Pipeline   string  `json:"pipeline"`
		Confidence float64 `json:"confidence"`
		Reason     string  `json:"reason"`
	}
	admin2.must(200, "POST", orgPath+"/routing/classify", map[string]string{"text": "I was charged twice and want a refund"}).decode(t, &d)
	if d.Pipeline != "billing" || d.Confidence <= 0 || d.Reason == "" {
		t.Fatalf("cold classify = %+v", d)
	}
	// This shop's customers say "quote"; the descriptions never do. Teach it, by JSON and by CSV.
	var examples []map[string]string
	for range 30 {
		examples = append(examples, map[string]string{"text": "could I get a quote for fixing it", "pipeline": "billing"})
	}
	var imported struct {
		Imported int `json:"imported"`
	}
	admin2.must(200, "POST", orgPath+"/routing/examples", map[string]any{"examples": examples}).decode(t, &imported)
	if imported.Imported != 30 {
		t.Fatalf("imported %d", imported.Imported)
	}
	csvBody := "text,pipeline\n" + strings.Repeat("\"my screen is cracked, can you fix it\",repairs\n", 20)
	if r := postCSV(t, admin2, orgPath+"/routing/examples", csvBody); r.status != 200 || !strings.Contains(string(r.body), `"imported":20`) {
		t.Fatalf("CSV import = %d %s", r.status, r.body)
	}
	admin2.must(200, "POST", orgPath+"/routing/classify", map[string]string{"text": "how much is a quote"}).decode(t, &d)
	if d.Pipeline != "billing" {
		t.Fatalf("after learning: %+v", d)
	}

	// Bad input: named, and nothing half-imported.
	countExamples := func() int {
		var n int
		if err := s.Pool.QueryRow(context.Background(), "SELECT count(*) FROM routing_examples").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := countExamples()
	r := admin2.must(422, "POST", orgPath+"/routing/examples", map[string]any{"examples": []map[string]string{
		{"text": "fine", "pipeline": "billing"}, {"text": "unknown", "pipeline": "sales"}, {"text": "also unknown", "pipeline": "marketing"},
	}})
	if !strings.Contains(string(r.body), `\"marketing\", \"sales\"`) {
		t.Errorf("unknown keys not named: %s", r.body)
	}
	if r := postCSV(t, admin2, orgPath+"/routing/examples", "message,queue\nhello,billing\n"); r.status != 422 || !strings.Contains(string(r.body), `"field":"header"`) {
		t.Errorf("wrong CSV header = %d %s", r.status, r.body)
	}
	if r := postCSV(t, admin2, orgPath+"/routing/examples", "text,pipeline\n\"ok\",billing\n\"bad \xff\xfe bytes\",billing\n"); r.status != 422 || !strings.Contains(string(r.body), "examples[1].text") {
		t.Errorf("invalid UTF-8 = %d %s", r.status, r.body)
	}
	admin2.must(422, "POST", orgPath+"/routing/examples", map[string]any{"examples": []map[string]string{}})
	admin2.must(422, "POST", orgPath+"/routing/examples", map[string]any{"examples": []map[string]string{{"text": strings.Repeat("x", 10_001), "pipeline": "billing"}}})
	admin2.must(422, "POST", orgPath+"/routing/classify", map[string]string{"text": "   "})
	if after := countExamples(); after != before {
		t.Fatalf("rejected imports stored %d examples", after-before)
	}

	// Settings.
	var st struct {
		Threshold float64 `json:"threshold"`
	}
	admin2.must(200, "GET", orgPath+"/routing/settings", nil).decode(t, &st)
	if st.Threshold != 0.8 {
		t.Fatalf("default threshold = %v", st.Threshold)
	}
	admin2.must(422, "PUT", orgPath+"/routing/settings", map[string]any{"threshold": 1.5})
	admin2.must(200, "PUT", orgPath+"/routing/settings", map[string]any{"threshold": 0.65, "llm_enabled": false})
	admin2.must(200, "GET", orgPath+"/routing/settings", nil).decode(t, &st)
	if st.Threshold != 0.65 {
		t.Fatalf("saved threshold = %v", st.Threshold)
	}
}
