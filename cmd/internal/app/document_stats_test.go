package app

import (
	"net/url"
	"testing"
	"time"

	"github.com/astralisops/astralis/internal/ocr/ocrtest"
)

type documentStats struct {
	Fields []struct {
		Field    string  `json:"field"`
		Reviewed int     `json:"reviewed"`
		Accepted int     `json:"accepted"`
		Accuracy float64 `json:"accuracy"`
	} `json:"fields"`
	Statuses map[string]int `json:"statuses"`
}

// TestDocumentStatsCountDocumentsAndReviews: documents/stats counts the
// organisation's documents by status as they move on (waiting for review,
// then processed), and per field the reviewed values accepted unchanged;
// another organisation of the same ADMIN, and a since after the upload, count none.
func TestDocumentStatsCountDocumentsAndReviews(t *testing.T) {
	admin, org, _, _ := setUpShop(t, false)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"review_threshold": 1})
	stats := func(org, query string) documentStats {
		t.Helper()
		var s documentStats
		admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/stats"+query, nil).decode(t, &s)
		return s
	}
	if s := stats(org, ""); len(s.Statuses) != 0 || len(s.Fields) != 0 {
		t.Fatalf("stats before any document: %+v", s)
	}

	r := uploadDocument(t, admin, org, "receipt.pdf", ocrtest.TextPDF(receiptLines), "", map[string]string{"kind": "receipt"})
	if r.status != 202 {
		t.Fatalf("upload = %d %s", r.status, r.body)
	}
	var up struct{ ID string }
	r.decode(t, &up)
	waitForDocument(t, admin, org, up.ID, "needs_review")
	if s := stats(org, ""); len(s.Statuses) != 1 || s.Statuses["needs_review"] != 1 || len(s.Fields) != 0 {
		t.Fatalf("stats with one document waiting for review: %+v, want it counted as needs_review and no field reviewed", s)
	}

	// The total corrected, the date left as read.
	admin.must(200, "POST", "/api/v1/orgs/"+org+"/documents/"+up.ID+"/review", map[string]any{"fields": map[string]string{"total": "13.00"}})
	s := stats(org, "")
	if len(s.Statuses) != 1 || s.Statuses["processed"] != 1 {
		t.Fatalf("statuses after the review: %v, want one processed", s.Statuses)
	}
	reviewed := map[string][2]int{}
	for _, f := range s.Fields {
		reviewed[f.Field] = [2]int{f.Reviewed, f.Accepted}
	}
	if reviewed["total"] != [2]int{1, 0} || reviewed["date"] != [2]int{1, 1} {
		t.Fatalf("fields after the review: %+v, want total reviewed and corrected, date reviewed and accepted", s.Fields)
	}

	if s := stats(org, "?since="+url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))); len(s.Statuses) != 0 || len(s.Fields) != 0 {
		t.Fatalf("stats since an hour ahead: %+v, want none", s)
	}
	var other struct {
		ID string `json:"id"`
	}
	admin.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Other Shop"}).decode(t, &other)
	if s := stats(other.ID, ""); len(s.Statuses) != 0 || len(s.Fields) != 0 {
		t.Fatalf("another organisation's stats: %+v, want none of the first's", s)
	}
}
