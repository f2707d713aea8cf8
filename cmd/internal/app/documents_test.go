package app

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/devclamd"
	"github.com/astralisops/astralis/internal/objectstore"
	"github.com/astralisops/astralis/internal/ocr/ocrtest"
	"github.com/astralisops/astralis/internal/store"
	"github.com/astralisops/astralis/workflows"
)

// uploadDocument posts file as the multipart field `file`, with the given extra fields and Idempotency-Key.
func uploadDocument(t *testing.T, c *caller, org, name string, file []byte, key string, fields map[string]string) reply {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/api/v1/orgs/"+org+"/documents", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
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
	data, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: data, header: resp.Header}
}

type documentView struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Reason      string `json:"reason"`
	PagesTotal  int    `json:"pages_total"`
	PagesDone   int    `json:"pages_done"`
	SHA256      string `json:"sha256"`
	DuplicateOf string `json:"duplicate_of"`
	Stored      bool   `json:"stored"`
	Fields      map[string]struct {
		Value      string  `json:"value"`
		Normalized string  `json:"normalized"`
		Confidence float64 `json:"confidence"`
	} `json:"fields"`
	Annotations []struct {
		Field  string `json:"field"`
		Before string `json:"before"`
		After  string `json:"after"`
	} `json:"annotations"`
	URLs struct {
		Original string `json:"original"`
	} `json:"urls"`
}

// waitForDocument polls a document until its status is one of want.
func waitForDocument(t *testing.T, c *caller, org, id string, want ...string) documentView {
	t.Helper()
	var d documentView
	for range 600 {
		c.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+id, nil).decode(t, &d)
		for _, w := range want {
			if d.Status == w {
				return d
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("document %s is %q (%s), never %v", id, d.Status, d.Reason, want)
	return d
}

var receiptLines = []string{"ACME HARDWARE SDN BHD", "12 JALAN BESAR 50000 KUALA LUMPUR", "DATE: 25/12/2018", "NAILS 1 X 7.50", "TOTAL 12.50"}

// TestDocumentIsReadExtractedAndReviewed: a receipt PDF goes through scan,
// store, its text layer and extraction; its original is served by a
// presigned link; a review corrects a field, is annotated, and teaches the
// vendor so the next receipt from it comes out in the organisation's spelling.
func TestDocumentIsReadExtractedAndReviewed(t *testing.T) {
	admin, org, _, _ := setUpShop(t, false)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"review_threshold": 1})
	pdf := ocrtest.TextPDF(receiptLines)
	r := uploadDocument(t, admin, org, "receipt.pdf", pdf, "", map[string]string{"kind": "receipt"})
	if r.status != 202 {
		t.Fatalf("upload = %d %s", r.status, r.body)
	}
	var up struct{ ID, Status string }
	r.decode(t, &up)
	d := waitForDocument(t, admin, org, up.ID, "needs_review", "processed", "failed")
	if d.Status != "needs_review" || d.PagesTotal != 1 || d.PagesDone != 1 || !d.Stored {
		t.Fatalf("document %+v, want read (1 page), stored, and waiting for review (threshold 1)", d)
	}
	if f := d.Fields["total"]; f.Normalized != "12.50" {
		t.Fatalf("total %+v, want 12.50; fields %+v", f, d.Fields)
	}
	if f := d.Fields["date"]; f.Normalized != "2018-12-25" {
		t.Fatalf("date %+v, want 2018-12-25", f)
	}

	// The page's words, with boxes.
	var page struct {
		Number int    `json:"number"`
		Text   string `json:"text"`
		Words  []struct {
			Text string `json:"text"`
			Box  [4]int `json:"box"`
		} `json:"words"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+up.ID+"/pages/1", nil).decode(t, &page)
	if page.Number != 1 || !strings.Contains(page.Text, "TOTAL 12.50") || len(page.Words) < 10 || page.Words[0].Box[2] <= page.Words[0].Box[0] {
		t.Fatalf("page %+v", page)
	}

	// The page drawn, in the pixels of its words' boxes, cached by the file's hash.
	var size struct{ Width, Height int }
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+up.ID+"/pages/1", nil).decode(t, &size)
	img := admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+up.ID+"/pages/1/image", nil)
	cfg, err := png.DecodeConfig(bytes.NewReader(img.body))
	if err != nil || img.header.Get("Content-Type") != "image/png" {
		t.Fatalf("page image: %s, %v", img.header.Get("Content-Type"), err)
	}
	if cfg.Width != size.Width || cfg.Height != size.Height {
		t.Errorf("page image %dx%d, want the page's %dx%d", cfg.Width, cfg.Height, size.Width, size.Height)
	}
	etag := img.header.Get("ETag")
	if !strings.Contains(etag, d.SHA256) || !strings.HasPrefix(img.header.Get("Cache-Control"), "private") {
		t.Errorf("page image cached as %q, ETag %q; want private, by the SHA-256 %s", img.header.Get("Cache-Control"), etag, d.SHA256)
	}
	req, _ := http.NewRequest("GET", admin.base+"/api/v1/orgs/"+org+"/documents/"+up.ID+"/pages/1/image", nil)
	req.Header.Set("If-None-Match", etag)
	if resp, err := admin.http.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
		t.Errorf("page image again with If-None-Match: %v %v, want 304", resp, err)
	} else {
		resp.Body.Close()
	}
	if typ, _ := problemFields(t, admin.must(404, "GET", "/api/v1/orgs/"+org+"/documents/"+up.ID+"/pages/2/image", nil)); typ != "/problems/not-found" {
		t.Errorf("page 2 of 1: %s", typ)
	}
	admin.must(422, "GET", "/api/v1/orgs/"+org+"/documents/"+up.ID+"/pages/0/image", nil)

	// The original, through its presigned link, byte for byte.
	resp, err := http.Get(d.URLs.Original)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, pdf) {
		t.Fatalf("presigned original: %d, %d bytes, want the %d uploaded", resp.StatusCode, len(got), len(pdf))
	}

	// Full-text search over the OCR text finds it; another word does not.
	var list struct {
		Items []struct{ ID string } `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents?q=nails", nil).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != up.ID {
		t.Fatalf("search for a word on the receipt: %+v", list)
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents?q=screws", nil).decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("search for a word not on the receipt: %+v", list)
	}

	// A review with a bad date is refused before the workflow records it.
	bad := admin.do("POST", "/api/v1/orgs/"+org+"/documents/"+up.ID+"/review", map[string]any{"fields": map[string]string{"date": "31/02/2018", "colour": "red"}})
	if bad.status != 422 || !strings.Contains(string(bad.body), "fields.date") || !strings.Contains(string(bad.body), "fields.colour") {
		t.Fatalf("bad review = %d %s, want 422 naming fields.date and fields.colour", bad.status, bad.body)
	}
	// The reviewer spells the vendor as the organisation does.
	var reviewed documentView
	admin.must(200, "POST", "/api/v1/orgs/"+org+"/documents/"+up.ID+"/review", map[string]any{
		"fields": map[string]string{"company": "Acme Hardware Sdn. Bhd.", "total": "12.50"}, "note": "our spelling",
	}).decode(t, &reviewed)
	if reviewed.Status != "processed" || len(reviewed.Annotations) != 1 || reviewed.Annotations[0].Field != "company" || reviewed.Annotations[0].After != "Acme Hardware Sdn. Bhd." {
		t.Fatalf("reviewed %+v, want processed with one annotation (the company; the total was unchanged)", reviewed)
	}
	again := admin.do("POST", "/api/v1/orgs/"+org+"/documents/"+up.ID+"/review", map[string]any{"fields": map[string]string{"total": "13.00"}})
	if again.status != 409 {
		t.Fatalf("second review = %d %s, want 409", again.status, again.body)
	}

	// The next receipt from that vendor comes out in the organisation's spelling.
	next := ocrtest.TextPDF([]string{"ACME HARDWARE SDN BHD", "12 JALAN BESAR 50000 KUALA LUMPUR", "DATE: 02/01/2019", "SCREWS 2 X 3.00", "TOTAL 6.00"})
	r = uploadDocument(t, admin, org, "next.pdf", next, "", nil)
	r.decode(t, &up)
	d = waitForDocument(t, admin, org, up.ID, "needs_review", "processed", "failed")
	if f := d.Fields["company"]; f.Value != "Acme Hardware Sdn. Bhd." {
		t.Fatalf("next receipt's company %+v, want the reviewed spelling", f)
	}
}

// TestDocumentUploadsAreIdempotentAndDuplicatesFollowThePolicy: the same key
// answers the first document; the same file again is refused (reject) or
// accepted and marked (mark).
func TestDocumentUploadsAreIdempotentAndDuplicatesFollowThePolicy(t *testing.T) {
	admin, org, _, inbox, _ := setUpShopFull(t, false)
	pdf := ocrtest.TextPDF([]string{"ONE RECEIPT", "TOTAL 1.00"})
	var first, second struct{ ID string }
	uploadDocument(t, admin, org, "a.pdf", pdf, "key-1", nil).decode(t, &first)
	r := uploadDocument(t, admin, org, "a.pdf", pdf, "key-1", nil)
	r.decode(t, &second)
	if r.status != 202 || second.ID != first.ID {
		t.Fatalf("same key again = %d %s, want 202 with %s", r.status, r.body, first.ID)
	}
	if r := uploadDocument(t, admin, org, "b.pdf", ocrtest.TextPDF([]string{"ANOTHER"}), "key-1", nil); r.status != 422 {
		t.Fatalf("same key, another file = %d %s, want 422", r.status, r.body)
	}
	r = uploadDocument(t, admin, org, "again.pdf", pdf, "", nil)
	var refused struct {
		Type       string `json:"type"`
		DocumentID string `json:"document_id"`
	}
	if r.decode(t, &refused); r.status != 409 || refused.Type != "/problems/duplicate-document" || refused.DocumentID != first.ID || !strings.Contains(string(r.body), first.ID+")") {
		t.Fatalf("same file again (reject) = %d %s, want 409 duplicate-document naming %s", r.status, r.body, first.ID)
	}
	// A CLIENT is neither refused over, nor told of, a document it cannot see: its copy is its own.
	client, _ := join(t, admin, inbox, org, "client@shop.test", "CLIENT")
	r = uploadDocument(t, client, org, "mine.pdf", pdf, "", nil)
	var mine struct{ ID string }
	r.decode(t, &mine)
	var seen documentView
	client.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+mine.ID, nil).decode(t, &seen)
	if r.status != 202 || seen.DuplicateOf != "" || strings.Contains(string(r.body), first.ID) {
		t.Fatalf("a CLIENT's copy (reject policy) = %d %s, %+v; want accepted, naming no other document", r.status, r.body, seen)
	}
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"duplicate_policy": "mark"})
	r = uploadDocument(t, admin, org, "again.pdf", pdf, "", nil)
	var dup struct{ ID string }
	r.decode(t, &dup)
	var d documentView
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+dup.ID, nil).decode(t, &d)
	if r.status != 202 || d.DuplicateOf != first.ID {
		t.Fatalf("same file again (mark) = %d, document %+v, want a duplicate of %s", r.status, d, first.ID)
	}
	var list struct {
		Items []struct{ ID string } `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents?duplicate=true", nil).decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != dup.ID {
		t.Fatalf("duplicates listed %+v, want only %s", list, dup.ID)
	}
}

// TestBadUploadsAreRefusedClearly: each bad file gets its own clear answer and
// leaves no document behind; an unreadable PDF is accepted and fails with the reason.
func TestBadUploadsAreRefusedClearly(t *testing.T) {
	admin, org, _, _ := setUpShop(t, false)
	for name, c := range map[string]struct {
		file   []byte
		status int
		want   string
	}{
		"empty":              {nil, 422, "empty"},
		"html named pdf":     {[]byte("<!DOCTYPE html><html><body>invoice</body></html>"), 415, "text/html"},
		"executable":         {append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 64)...), 415, "application/x-elf"},
		"30000×30000 png":    {ocrtest.PNGHeader(30000, 30000, 8), 422, "pixels"},
		"eicar as text file": {[]byte(devclamd.EICAR), 415, "text/plain"},
	} {
		r := uploadDocument(t, admin, org, "invoice.pdf", c.file, "", nil)
		if r.status != c.status || r.header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: %d %s %s, want %d problem naming %q", name, r.status, r.header.Get("Content-Type"), r.body, c.status, c.want)
		}
	}
	var list struct {
		Items []struct{ ID string } `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents", nil).decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("refused uploads left documents: %+v", list)
	}
	// Over the size limit: 413 before the body is read in full.
	big := bytes.Repeat([]byte("%PDF-1.4\n"), (25<<20)/9+1)
	if r := uploadDocument(t, admin, org, "big.pdf", big, "", nil); r.status != 413 {
		t.Fatalf("over the limit = %d %s", r.status, r.body)
	}
	// Truncated and encrypted PDFs are accepted, then fail with the reason.
	full := ocrtest.TextPDF([]string{"CUT SHORT"})
	for name, file := range map[string][]byte{"truncated": full[:len(full)/2], "encrypted": ocrtest.EncryptedPDF()} {
		var up struct{ ID string }
		r := uploadDocument(t, admin, org, name+".pdf", file, "", nil)
		if r.status != 202 {
			t.Fatalf("%s: upload = %d %s", name, r.status, r.body)
		}
		r.decode(t, &up)
		d := waitForDocument(t, admin, org, up.ID, "failed", "processed", "needs_review")
		if d.Status != "failed" || !strings.Contains(d.Reason, map[string]string{"truncated": "truncated", "encrypted": "encrypted"}[name]) {
			t.Errorf("%s: %+v, want failed with the reason", name, d)
		}
	}
}

// TestInfectedUploadIsRejectedAndNeverStored: a PDF carrying EICAR is
// rejected by the scan, never reaches object storage, and is audited.
func TestInfectedUploadIsRejectedAndNeverStored(t *testing.T) {
	admin, org, s, _ := setUpShop(t, false)
	infected := append([]byte("%PDF-1.4\n% "+devclamd.EICAR+"\n"), ocrtest.TextPDF([]string{"HELLO"})[9:]...)
	var up struct{ ID string }
	r := uploadDocument(t, admin, org, "clean-looking.pdf", infected, "", nil)
	if r.status != 202 {
		t.Fatalf("upload = %d %s", r.status, r.body)
	}
	r.decode(t, &up)
	d := waitForDocument(t, admin, org, up.ID, "rejected", "processed", "needs_review", "failed")
	if d.Status != "rejected" || !strings.Contains(d.Reason, devclamd.EICARSignature) || d.Stored {
		t.Fatalf("%+v, want rejected naming the signature, not stored", d)
	}
	st, err := objectstore.Open(context.Background(), s.Config.Storage)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Stat(context.Background(), objectstore.Key(uuid.MustParse(org), d.SHA256)); err == nil {
		t.Fatal("the infected file is in object storage")
	}
	chunks, err := store.New(s.Pool).UploadChunk(context.Background(), store.UploadChunkParams{DocumentID: uuid.MustParse(up.ID), Seq: 0})
	if err == nil {
		t.Fatalf("the infected upload is still staged (%d bytes)", len(chunks))
	}
	var activity struct {
		Items []struct {
			Action string `json:"action"`
		} `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/activity", nil).decode(t, &activity)
	found := false
	for _, a := range activity.Items {
		found = found || a.Action == "document.rejected"
	}
	if !found {
		t.Fatalf("rejection not audited: %+v", activity)
	}
}

// TestDocumentWaitsForClamd: with clamd stopped an upload waits (never taken
// for clean), and it is read once clamd is back.
func TestDocumentWaitsForClamd(t *testing.T) {
	clamd, err := devclamd.Start(context.Background(), devclamd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { clamd.Close() })
	admin, org, s, _, _ := setUpShopFull(t, false, func(c *config.Config) { c.Scan.ClamdAddress = clamd.Address() })
	if err := clamd.Stop(); err != nil {
		t.Fatal(err)
	}
	var up, deleted struct{ ID string }
	uploadDocument(t, admin, org, "r.pdf", ocrtest.TextPDF([]string{"WAITING RECEIPT", "TOTAL 3.00"}), "", nil).decode(t, &up)
	uploadDocument(t, admin, org, "gone.pdf", ocrtest.TextPDF([]string{"DELETED RECEIPT", "TOTAL 4.00"}), "", nil).decode(t, &deleted)
	d := waitForDocument(t, admin, org, up.ID, "scanning")
	waitForDocument(t, admin, org, deleted.ID, "scanning")
	time.Sleep(3 * time.Second) // several scan attempts fail meanwhile
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+up.ID, nil).decode(t, &d)
	if d.Status != "scanning" || d.Stored {
		t.Fatalf("with clamd down: %+v, want still scanning, not stored", d)
	}
	// A document deleted while it waits is not read on: its workflow is cancelled.
	admin.must(204, "DELETE", "/api/v1/orgs/"+org+"/documents/"+deleted.ID, nil)
	id, _ := uuid.Parse(deleted.ID)
	if err := s.Temporal.GetWorkflow(t.Context(), workflows.DocumentWorkflowID(id), "").Get(t.Context(), nil); !temporal.IsCanceledError(err) {
		t.Fatalf("the deleted document's workflow ended with %v; want it cancelled", err)
	}
	if err := clamd.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	d = waitForDocument(t, admin, org, up.ID, "processed", "needs_review", "failed", "rejected")
	if d.Status == "failed" || d.Status == "rejected" || !d.Stored {
		t.Fatalf("after clamd came back: %+v", d)
	}
}

// TestDocumentFieldsFromTheModel: with a chat model configured, its valid
// answer gives the fields, with the model and what it cost recorded; a
// malformed answer falls back to the built-in extractor, the error recorded.
func TestDocumentFieldsFromTheModel(t *testing.T) {
	ai := newFakeOpenAI(t)
	admin, org, _, _, _ := setUpShopFull(t, false, func(c *config.Config) {
		c.OpenAI = config.OpenAI{APIKey: "sk-test", BaseURL: ai.srv.URL + "/v1", Model: "gpt-4o-mini", Timeout: 5 * time.Second}
	})
	type extraction struct {
		Extractor    string  `json:"extractor"`
		Model        string  `json:"model"`
		PromptTokens int64   `json:"prompt_tokens"`
		CostUSD      float64 `json:"cost_usd"`
		LLMError     string  `json:"llm_error"`
	}
	read := func(lines ...string) (documentView, extraction) {
		var up struct{ ID string }
		uploadDocument(t, admin, org, "r.pdf", ocrtest.TextPDF(lines), "", nil).decode(t, &up)
		d := waitForDocument(t, admin, org, up.ID, "processed", "needs_review", "failed")
		var x struct {
			Extraction extraction `json:"extraction"`
		}
		admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+up.ID, nil).decode(t, &x)
		return d, x.Extraction
	}

	// Until the organisation turns it on, its documents' text is not sent to the model.
	d, x := read("NOT SENT HARDWARE", "TOTAL 3.00")
	ai.mu.Lock()
	asked := len(ai.requests)
	ai.mu.Unlock()
	if x.Extractor != "builtin" || asked != 0 {
		t.Fatalf("with llm_enabled off: record %+v, %d requests to the model; want none", x, asked)
	}
	var settings struct {
		LLMEnabled bool `json:"llm_enabled"`
	}
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"llm_enabled": true}).decode(t, &settings)
	if !settings.LLMEnabled {
		t.Fatal("PUT llm_enabled true answered it off")
	}

	ai.answer(`{"company":"Acme Hardware Sdn Bhd","address":"12 Jalan Besar 50000 Kuala Lumpur","date":"25/12/2018","total":"12.50",` +
		`"subtotal":"","tax":"","currency":"RM","number":"INV-0042","confidence":0.95}`)
	d, x = read(receiptLines...)
	if x.Extractor != "llm" || x.Model != "gpt-4o-mini-2024-07-18" || x.PromptTokens != 120 || x.CostUSD <= 0 {
		t.Fatalf("extraction record %+v, want the model's name, tokens and cost", x)
	}
	if d.Status != "processed" || d.Fields["number"].Value != "INV-0042" || d.Fields["date"].Normalized != "2018-12-25" || d.Fields["total"].Normalized != "12.50" {
		t.Fatalf("document %+v, want the model's fields (confident: processed)", d)
	}
	ai.mu.Lock()
	req := ai.requests[len(ai.requests)-1]
	ai.mu.Unlock()
	format, _ := json.Marshal(req["response_format"])
	messages, _ := json.Marshal(req["messages"])
	if !strings.Contains(string(format), `"strict":true`) || !strings.Contains(string(format), `"document_fields"`) || !strings.Contains(string(messages), "TOTAL 12.50") {
		t.Fatalf("the model was asked %s with %s", format, messages)
	}

	// A total the page does not bear out (the built-in extractor read 12.50): sent for review.
	ai.answer(`{"company":"Acme Hardware Sdn Bhd","address":"","date":"25/12/2018","total":"21.50",` +
		`"subtotal":"","tax":"","currency":"RM","number":"","confidence":0.95}`)
	d, x = read(append(slices.Clone(receiptLines), "THANK YOU")...)
	if x.Extractor != "llm" || d.Status != "needs_review" || d.Fields["total"].Normalized != "21.50" || d.Fields["total"].Confidence > 0.6 {
		t.Fatalf("a disputed total: record %+v, document %+v; want the model's 21.50 with low confidence, for review", x, d)
	}
	// Also when the organisation's threshold would let 0.6 through.
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"review_threshold": 0.5})
	d, _ = read(append(slices.Clone(receiptLines), "COME AGAIN")...)
	if d.Status != "needs_review" {
		t.Fatalf("a disputed total under a 0.5 threshold: %+v; want it reviewed all the same", d)
	}

	// An answer whose date is no date: the built-in extractor's fields, the model's error kept.
	ai.answer(`{"company":"Acme","address":"","date":"the 31st of February","total":"12.50","subtotal":"","tax":"","currency":"","number":"","confidence":0.9}`)
	d, x = read("ACME HARDWARE SDN BHD", "DATE: 26/12/2018", "TOTAL 7.25")
	if x.Extractor != "builtin" || x.LLMError != "the model's answer was not valid" || d.Fields["total"].Normalized != "7.25" {
		t.Fatalf("fallback: record %+v, document %+v", x, d)
	}
}

// TestUploadTheServerCannotKeepIsA500: a spool directory that cannot be
// written is the server's fault: 500 problem+json, not a 4xx blaming the
// file, and no document is left behind.
func TestUploadTheServerCannotKeepIsA500(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	admin, org, _, _, _ := setUpShopFull(t, false, func(c *config.Config) { c.Documents.SpoolDir = missing })
	r := uploadDocument(t, admin, org, "r.pdf", ocrtest.TextPDF(receiptLines), "", nil)
	if r.status != 500 || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("upload with an unwritable spool = %d %s %s; want 500 problem+json", r.status, r.header.Get("Content-Type"), r.body)
	}
	var list struct {
		Items []struct{ ID string } `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents", nil).decode(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("a failed upload left documents: %+v", list)
	}
}
