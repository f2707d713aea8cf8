package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

// TestRecordsNameTheRequest: a service logging with a request's context names
// the request, in JSON and in text, through loggers derived with With.
func TestRecordsNameTheRequest(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := WithLevel("json", slog.LevelInfo, &buf).With(slog.String("service", "api"))
	logger.WarnContext(WithRequestID(context.Background(), "req-42"), "mail delivery not started")
	logger.Warn("no request here")
	var first, second map[string]any
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 || json.Unmarshal(lines[0], &first) != nil || json.Unmarshal(lines[1], &second) != nil {
		t.Fatalf("log = %s", buf.String())
	}
	if first["request_id"] != "req-42" || first["service"] != "api" {
		t.Errorf("record with the request's context = %v, want request_id req-42", first)
	}
	if _, ok := second["request_id"]; ok {
		t.Errorf("record without a request names one: %v", second)
	}
}
