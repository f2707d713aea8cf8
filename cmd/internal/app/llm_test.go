package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/config"
)

// fakeOpenAI speaks the Chat Completions wire protocol; the test sets what it answers.
type fakeOpenAI struct {
	srv *httptest.Server

	mu       sync.Mutex
	mode     string // answer, 429, garbage, slow, unknown, or raw (answers content)
	pipeline string
	content  string
	requests []map[string]any
	auth     []string
}

func newFakeOpenAI(t *testing.T) *fakeOpenAI {
	f := &fakeOpenAI{mode: "answer"}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		var req map[string]any
		_ = json.NewDecoder(r.Body).Decode(&req)
		f.mu.Lock()
		f.requests = append(f.requests, req)
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		mode, pipeline, raw := f.mode, f.pipeline, f.content
		f.mu.Unlock()

		content := `{"pipeline":"` + pipeline + `","priority":"urgent","confidence":0.97,"reason":"the customer asks for a price"}`
		switch mode {
		case "429":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`))
			return
		case "slow":
			time.Sleep(3 * time.Second)
		case "garbage":
			content = "Sure! It should go to billing."
		case "unknown":
			content = `{"pipeline":"marketing","confidence":0.9,"reason":"?"}`
		case "raw":
			content = raw
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "created": time.Now().Unix(), "model": "gpt-4o-mini-2024-07-18",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": content}}},
			"usage":   map[string]any{"prompt_tokens": 120, "completion_tokens": 15, "total_tokens": 135},
		})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOpenAI) set(mode, pipeline string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode, f.pipeline = mode, pipeline
}

// answer makes the model answer content as it is.
func (f *fakeOpenAI) answer(content string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode, f.content = "raw", content
}

type historyView struct {
	Status   string `json:"status"`
	Priority string `json:"priority"`
	Routing  struct {
		Pipeline          string `json:"pipeline"`
		DecidedBy         string `json:"decided_by"`
		PriorityDecidedBy string `json:"priority_decided_by"`
	} `json:"routing"`
	History []struct {
		Kind   string         `json:"kind"`
		Model  string         `json:"model"`
		Detail map[string]any `json:"detail"`
	} `json:"history"`
}

func TestLLMRoutesAndFailuresFallBackToLocal(t *testing.T) {
	t.Parallel()
	ai := newFakeOpenAI(t)
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp, func(c *config.Config) {
		c.OpenAI = config.OpenAI{APIKey: "sk-test", BaseURL: ai.srv.URL + "/v1", Model: "gpt-4o-mini", Timeout: time.Second}
	})
	admin := signUpVerified(t, base, inbox, "owner@shop.test", "owner password 1")
	var org struct {
		ID string `json:"id"`
	}
	admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Fixit"}).decode(t, &org)
	for _, p := range []map[string]any{
		{"key": "repairs", "name": "Repairs", "description": "Broken, cracked or faulty devices: screens, batteries."},
		{"key": "billing", "name": "Billing", "description": "Invoices, payments, refunds and quotes."},
	} {
		admin.must(201, "POST", "/api/v1/orgs/"+org.ID+"/pipelines", p)
	}
	admin.must(200, "PUT", "/api/v1/orgs/"+org.ID+"/routing/settings", map[string]any{"threshold": 0.0, "llm_enabled": true})

	route := func(subject string) historyView {
		var sub struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(submit(t, admin, org.ID, "", subject).body, &sub)
		waitForStatus(t, admin, org.ID, sub.ID, "routed")
		var v historyView
		admin.must(200, "GET", "/api/v1/orgs/"+org.ID+"/intake/"+sub.ID, nil).decode(t, &v)
		return v
	}

	// The model answers: its routing is applied, with its name, tokens and cost recorded.
	ai.set("answer", "billing")
	v := route("my phone screen is cracked, how much to fix?")
	if v.Routing.Pipeline != "billing" || v.Routing.DecidedBy != "model" || v.Priority != "urgent" || v.Routing.PriorityDecidedBy != "model" {
		t.Fatalf("model routing = %+v, priority %q", v.Routing, v.Priority)
	}
	if len(v.History) == 0 || v.History[0].Kind != "proposed" || v.History[0].Model != "gpt-4o-mini-2024-07-18" ||
		v.History[0].Detail["prompt_tokens"] != float64(120) || v.History[0].Detail["cost_usd"].(float64) <= 0 {
		t.Fatalf("history = %+v", v.History)
	}
	// What the model was sent: the pipelines and the JSON schema, with the key.
	ai.mu.Lock()
	req, auth := ai.requests[0], ai.auth[0]
	ai.mu.Unlock()
	if auth != "Bearer sk-test" || req["model"] != "gpt-4o-mini" {
		t.Errorf("auth %q, model %v", auth, req["model"])
	}
	format, _ := json.Marshal(req["response_format"])
	messages, _ := json.Marshal(req["messages"])
	for _, want := range []string{`"type":"json_schema"`, `"enum":["repairs","billing"]`, `"enum":["low","normal","high","urgent"]`, `"strict":true`} {
		if !strings.Contains(string(format), want) {
			t.Errorf("response_format lacks %s: %s", want, format)
		}
	}
	if !strings.Contains(string(messages), "Invoices, payments, refunds and quotes.") || !strings.Contains(string(messages), "how much to fix") {
		t.Errorf("messages lack the pipelines or the request: %s", messages)
	}

	// Every failure falls back to the local classifier, and the request is still routed.
	for _, mode := range []string{"429", "garbage", "unknown", "slow"} {
		ai.set(mode, "billing")
		v := route("my phone screen is cracked")
		if v.Routing.Pipeline != "repairs" || v.Routing.DecidedBy != "model" || v.Priority != "normal" || v.Routing.PriorityDecidedBy != "rules" {
			t.Errorf("%s: routing = %+v, priority %q", mode, v.Routing, v.Priority)
		}
		kinds := []string{}
		for _, e := range v.History {
			kinds = append(kinds, e.Kind+"/"+e.Model)
		}
		if len(v.History) < 2 || v.History[0].Kind != "llm_failed" || v.History[1].Model != "local-nb-v1" {
			t.Errorf("%s: history %v", mode, kinds)
		}
	}
}
