package app

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// TestBadBytesInParametersAre422: bytes PostgreSQL cannot take as text (NUL,
// invalid or overlong UTF-8) in query parameters and path segments answer a
// 422 naming the parameter, never a 500; so does a lone UTF-16 surrogate in
// intake metadata, as a value or a key.
func TestBadBytesInParametersAre422(t *testing.T) {
	t.Parallel()
	admin, org, _, _ := setUpShopWithInbox(t)
	orgPath := "/api/v1/orgs/" + org
	type call struct{ method, path, field string }
	var calls []call
	for _, bad := range []string{"%00", "%FF", "%C0%AF"} {
		calls = append(calls,
			call{"GET", orgPath + "/intake?q=" + bad, "q"},
			call{"GET", orgPath + "/intake?pipeline=" + bad, "pipeline"},
			call{"GET", orgPath + "/activity?action=" + bad, "action"},
			call{"GET", orgPath + "/pipelines/" + bad, "key"},
		)
	}
	calls = append(calls, call{"PATCH", orgPath + "/pipelines/%FF", "key"}, call{"DELETE", orgPath + "/pipelines/%00", "key"})
	for _, c := range calls {
		r := admin.do(c.method, c.path, map[string]any{"name": "x"})
		var p struct {
			Errors []struct {
				Field string `json:"field"`
			} `json:"errors"`
		}
		_ = json.Unmarshal(r.body, &p)
		if r.status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != c.field {
			t.Errorf("%s %s = %d %s, want 422 naming %s", c.method, c.path, r.status, r.body, c.field)
		}
	}

	for name, metadata := range map[string]string{"value": `{"a":"\ud83d"}`, "key": `{"\ud83d":"a"}`} {
		body := `{"subject":"hello","body":"hello","metadata":` + metadata + `}`
		req, _ := http.NewRequest("POST", admin.base+orgPath+"/intake", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", admin.base)
		resp, err := admin.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 422 || !bytes.Contains(buf.Bytes(), []byte(`"field":"metadata"`)) {
			t.Errorf("lone surrogate as a metadata %s: %d %s, want 422 naming metadata", name, resp.StatusCode, buf.Bytes())
		}
	}
}
