package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/testsuite"

	"github.com/astralisops/astralis/activities"
	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/objectstore"
	"github.com/astralisops/astralis/internal/ocr/ocrtest"
	"github.com/astralisops/astralis/workflows"
)

// storeUploadOnly records a PDF as a document of org exactly as the upload
// route does, but starts no workflow: an API that stopped between the two.
func storeUploadOnly(t *testing.T, s *Services, org, by uuid.UUID, lines ...string) uuid.UUID {
	t.Helper()
	sp, err := documents.Spool(bytes.NewReader(ocrtest.TextPDF(lines)), t.TempDir(), s.documents().Limits().MaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	up, err := s.documents().Upload(t.Context(), org, by, nil, documents.UploadInput{Filename: "stranded.pdf", Kind: "receipt"}, sp)
	if err != nil {
		t.Fatal(err)
	}
	return up.ID
}

// TestSweeperStartsStrandedDocuments: an upload stored by an API that stopped
// before starting its workflow is read once the sweep finds it, by the
// workflow the API would have started (same id, same organisation
// attribute); a document whose workflow runs is left to it, and one stored
// just now to the API that is starting it.
func TestSweeperStartsStrandedDocuments(t *testing.T) {
	admin, org, s, _ := setUpShop(t, false)
	ctx := t.Context()
	var me struct {
		ID uuid.UUID `json:"id"`
	}
	admin.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"review_threshold": 1})
	orgID := uuid.MustParse(org)
	stranded := storeUploadOnly(t, s, orgID, me.ID, "STRANDED HARDWARE", "TOTAL 3.00")
	fresh := storeUploadOnly(t, s, orgID, me.ID, "FRESH HARDWARE", "TOTAL 4.00")
	busy := storeUploadOnly(t, s, orgID, me.ID, "BUSY HARDWARE", "TOTAL 5.00")
	// busy's workflow was started and has not begun: here it runs on a task
	// queue nobody polls (started before busy looks stale, as in life).
	busyRun := startIdle(t, s, workflows.DocumentWorkflowID(busy), workflows.Document, workflows.NewDocumentInput(orgID, busy))
	if _, err := s.Pool.Exec(ctx, "UPDATE documents SET created_at = now() - interval '5 minutes' WHERE id = ANY($1::uuid[])", []uuid.UUID{stranded, busy}); err != nil {
		t.Fatal(err)
	}

	var swept workflows.SweepResult
	runSchedule(t, s, workflows.SweepDocumentsSchedule, &swept)
	// A scheduled run may have taken them first: this one then finds none.
	if swept.Failed != 0 || swept.Started+swept.AlreadyStarted != swept.Found {
		t.Errorf("sweep = %+v: want every stranded document started or found started", swept)
	}
	runSchedule(t, s, workflows.SweepDocumentsSchedule, &swept)
	if swept != (workflows.SweepResult{}) {
		t.Errorf("second sweep = %+v, want nothing found", swept)
	}

	d := waitForDocument(t, admin, org, stranded.String(), "needs_review", "processed", "failed")
	if d.Status != "needs_review" || !d.Stored || d.PagesDone != 1 || d.Fields["total"].Normalized != "3.00" {
		t.Errorf("swept document %+v, want it scanned, stored, read and waiting for review with total 3.00", d)
	}
	info := describe(t, s, workflows.DocumentWorkflowID(stranded))
	if got := string(info.GetSearchAttributes().GetIndexedFields()[workflows.OrgAttribute.GetName()].GetData()); !strings.Contains(got, org) {
		t.Errorf("the swept workflow's %s = %s, want %s", workflows.OrgAttribute.GetName(), got, org)
	}
	if info := describe(t, s, workflows.DocumentWorkflowID(busy)); info.GetExecution().GetRunId() != busyRun.GetRunID() || info.GetStatus() != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("the running workflow of %s was replaced or ended: %v", busy, info)
	}
	var f documentView
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+fresh.String(), nil).decode(t, &f)
	if f.Status != "received" || describe(t, s, workflows.DocumentWorkflowID(fresh)) != nil {
		t.Errorf("a document stored just now is %q with a workflow: the sweeper must leave it to the API that is starting it", f.Status)
	}

	// Swept once: a later sweep passes it by even while it is 'received' (as
	// when its workflow was terminated before it began), so it cannot crowd
	// out newly stranded ones.
	if _, err := s.Pool.Exec(ctx, "UPDATE documents SET status = 'received' WHERE id = $1", stranded); err != nil {
		t.Fatal(err)
	}
	left, err := s.documents().Stranded(ctx, time.Now().Add(-time.Hour), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range left {
		if r.ID == stranded || r.ID == busy {
			t.Errorf("the swept document %s is still listed as stranded", r.ID)
		}
	}
}

// TestRetentionDeletesExpiredOriginals: with a retention of one day for
// receipts, the retention schedule deletes the originals of receipts
// uploaded two days ago; the documents stay, with their pages and fields,
// marked not stored. A document on legal hold keeps its original (and so
// does the object a duplicate shares with it) until the hold is lifted; a
// receipt uploaded today keeps its own.
func TestRetentionDeletesExpiredOriginals(t *testing.T) {
	admin, org, s, _ := setUpShop(t, false)
	ctx := t.Context()
	orgID := uuid.MustParse(org)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"review_threshold": 0, "duplicate_policy": "mark"})
	upload := func(name string, pdf []byte) string {
		t.Helper()
		r := uploadDocument(t, admin, org, name, pdf, "", map[string]string{"kind": "receipt"})
		if r.status != 202 {
			t.Fatalf("upload %s = %d %s", name, r.status, r.body)
		}
		var up struct{ ID string }
		r.decode(t, &up)
		waitForDocument(t, admin, org, up.ID, "processed", "needs_review")
		return up.ID
	}
	held := ocrtest.TextPDF([]string{"HELD HARDWARE", "TOTAL 8.00"})
	expiring, kept, sharing, today := upload("old.pdf", ocrtest.TextPDF(receiptLines)), upload("held.pdf", held), upload("copy.pdf", held), upload("new.pdf", ocrtest.TextPDF([]string{"NEW HARDWARE", "TOTAL 9.00"}))
	before := map[string]documentView{}
	for _, id := range []string{expiring, kept, sharing, today} {
		var d documentView
		admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+id, nil).decode(t, &d)
		before[id] = d
	}

	// The hold, set by an ADMIN, audited; a held document cannot be deleted.
	var hold struct {
		LegalHold bool `json:"legal_hold"`
	}
	admin.must(200, "PATCH", "/api/v1/orgs/"+org+"/documents/"+kept, map[string]any{"legal_hold": true}).decode(t, &hold)
	if !hold.LegalHold {
		t.Fatal("PATCH legal_hold true answered a document not on hold")
	}
	admin.must(409, "DELETE", "/api/v1/orgs/"+org+"/documents/"+kept, nil)
	admin.must(422, "PATCH", "/api/v1/orgs/"+org+"/documents/"+kept, map[string]any{})
	admin.must(404, "PATCH", "/api/v1/orgs/"+org+"/documents/"+uuid.NewString(), map[string]any{"legal_hold": true})
	var audited int
	if err := s.Pool.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE action = 'document.legal_hold' AND target_id = $1 AND metadata->>'legal_hold' = 'true'", kept).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != 1 {
		t.Errorf("%d audit events for the legal hold, want 1", audited)
	}

	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"retention_days": map[string]int{"receipt": 1}})
	if _, err := s.Pool.Exec(ctx, "UPDATE documents SET created_at = now() - interval '2 days' WHERE id = ANY($1::uuid[])", []string{expiring, kept, sharing}); err != nil {
		t.Fatal(err)
	}
	var expired struct {
		Deleted, Kept int
		More          bool
	}
	// Counts are not asserted: a scheduled run may come first. What is left is.
	runSchedule(t, s, workflows.RetentionSchedule, &expired)
	if expired.Kept != 0 || expired.More {
		t.Errorf("retention run = %+v, want every listed original deleted in one go", expired)
	}

	st, err := objectstore.Open(context.Background(), s.Config.Storage)
	if err != nil {
		t.Fatal(err)
	}
	objectExists := func(id string) bool {
		_, err := st.Stat(ctx, objectstore.Key(orgID, before[id].SHA256))
		return err == nil
	}
	// The expired receipt: its original gone, the document with its fields and pages kept.
	var d documentView
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+expiring, nil).decode(t, &d)
	if d.Stored || d.URLs.Original != "" || objectExists(expiring) {
		t.Errorf("expired receipt: stored %v, link %q, object there %v; want its original deleted", d.Stored, d.URLs.Original, objectExists(expiring))
	}
	if d.Status != before[expiring].Status || d.Fields["total"].Normalized != "12.50" || d.PagesDone != 1 {
		t.Errorf("expired receipt %+v, want it as it was, with its total 12.50 and its page", d)
	}
	var page struct {
		Text string `json:"text"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+expiring+"/pages/1", nil).decode(t, &page)
	if !strings.Contains(page.Text, "TOTAL 12.50") {
		t.Errorf("page 1 of the expired receipt = %q, want its text kept", page.Text)
	}
	// The duplicate expired too, but its bytes are the held document's: the object stays.
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+sharing, nil).decode(t, &d)
	if d.Stored {
		t.Error("the expired duplicate is still stored")
	}
	// The held one keeps its original, served byte for byte, and today's its own.
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+kept, nil).decode(t, &d)
	if !d.Stored || !objectExists(kept) {
		t.Fatalf("held document: stored %v, object there %v; want its original kept", d.Stored, objectExists(kept))
	}
	resp, err := http.Get(d.URLs.Original)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, held) {
		t.Errorf("held original: %d, %d bytes, want the %d uploaded", resp.StatusCode, len(got), len(held))
	}
	// A hold set after a run listed the document still wins when its turn comes.
	deleteObject := func(ctx context.Context, org uuid.UUID, sha256Hex string) error {
		return st.Delete(ctx, objectstore.Key(org, sha256Hex))
	}
	if expiredNow, err := s.documents().ExpireOriginal(ctx, orgID, uuid.MustParse(kept), deleteObject); err != nil || expiredNow || !objectExists(kept) {
		t.Errorf("expiring the held original directly: expired %v (%v), object there %v; want it kept", expiredNow, err, objectExists(kept))
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+today, nil).decode(t, &d)
	if !d.Stored || !objectExists(today) {
		t.Errorf("today's receipt: stored %v, object there %v; want it kept for its day", d.Stored, objectExists(today))
	}
	var events int
	if err := s.Pool.QueryRow(ctx, "SELECT count(*) FROM audit_log WHERE action = 'document.original_expired' AND org_id = $1", orgID).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != 2 {
		t.Errorf("%d audit events for expired originals, want 2", events)
	}

	// Nothing left to do; once the hold is lifted, the held original goes at the next run.
	runSchedule(t, s, workflows.RetentionSchedule, &expired)
	if expired.Deleted != 0 {
		t.Errorf("second retention run deleted %d originals, want none", expired.Deleted)
	}
	admin.must(200, "PATCH", "/api/v1/orgs/"+org+"/documents/"+kept, map[string]any{"legal_hold": false})
	runSchedule(t, s, workflows.RetentionSchedule, nil)
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+kept, nil).decode(t, &d)
	if d.Stored || objectExists(kept) {
		t.Errorf("after lifting the hold: stored %v, object there %v; want its original deleted", d.Stored, objectExists(kept))
	}
}

// TestRetentionKeepsAnObjectAnUploadIsScanning: a second upload of the same
// file writes the shared object before it commits that it is stored; the
// first document's expiry meanwhile must leave that object alone.
func TestRetentionKeepsAnObjectAnUploadIsScanning(t *testing.T) {
	admin, org, s, _ := setUpShop(t, false)
	ctx := context.Background()
	var up struct{ ID string }
	uploadDocument(t, admin, org, "r.pdf", ocrtest.TextPDF([]string{"SHARED RECEIPT", "TOTAL 4.00"}), "", nil).decode(t, &up)
	d := waitForDocument(t, admin, org, up.ID, "processed", "needs_review")
	// Another upload of the same bytes, between its scan and committing that it stored them.
	if _, err := s.Pool.Exec(ctx, `INSERT INTO documents (org_id, content_type, size_bytes, sha256, status)
		SELECT org_id, content_type, size_bytes, sha256, 'scanning' FROM documents WHERE id = $1`, up.ID); err != nil {
		t.Fatal(err)
	}
	st, err := objectstore.Open(ctx, s.Config.Storage)
	if err != nil {
		t.Fatal(err)
	}
	orgID := uuid.MustParse(org)
	deleteObject := func(ctx context.Context, org uuid.UUID, sha256Hex string) error {
		return st.Delete(ctx, objectstore.Key(org, sha256Hex))
	}
	if _, err := s.documents().ExpireOriginal(ctx, orgID, uuid.MustParse(up.ID), deleteObject); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Stat(ctx, objectstore.Key(orgID, d.SHA256)); err != nil {
		t.Fatalf("the object the scanning upload needs was deleted: %v", err)
	}
}

// refusingDeleter deletes from the real object store, except the one object
// it refuses (as a bucket policy or a lost permission would).
type refusingDeleter struct {
	store  *objectstore.Store
	refuse string
}

func (d refusingDeleter) Delete(ctx context.Context, org uuid.UUID, sha256Hex string) error {
	if sha256Hex == d.refuse {
		return errors.New("AccessDenied")
	}
	return d.store.Delete(ctx, objectstore.Key(org, sha256Hex))
}

// TestRetentionGoesPastAnOriginalItCannotDelete: one original that cannot be
// deleted is counted and left for the next run; the others still expire.
func TestRetentionGoesPastAnOriginalItCannotDelete(t *testing.T) {
	admin, org, s, _ := setUpShop(t, false)
	ctx := t.Context()
	orgID := uuid.MustParse(org)
	var ids []string
	for _, name := range []string{"STUCK HARDWARE", "FREED HARDWARE"} {
		var up struct{ ID string }
		uploadDocument(t, admin, org, "r.pdf", ocrtest.TextPDF([]string{name, "TOTAL 5.00"}), "", map[string]string{"kind": "receipt"}).decode(t, &up)
		waitForDocument(t, admin, org, up.ID, "processed", "needs_review")
		ids = append(ids, up.ID)
	}
	var stuck, freed documentView
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+ids[0], nil).decode(t, &stuck)
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+ids[1], nil).decode(t, &freed)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"retention_days": map[string]int{"receipt": 1}})
	pauseSchedule(t, s, workflows.RetentionSchedule) // this test runs the expiry itself
	if _, err := s.Pool.Exec(ctx, "UPDATE documents SET created_at = now() - interval '2 days' WHERE id = ANY($1::uuid[])", ids); err != nil {
		t.Fatal(err)
	}
	st, err := objectstore.Open(ctx, s.Config.Storage)
	if err != nil {
		t.Fatal(err)
	}
	expire := func(deleter activities.OriginalDeleter) activities.ExpiredOriginals {
		t.Helper()
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestActivityEnvironment()
		m := &activities.Maintenance{Retention: s.documents(), Originals: deleter}
		env.RegisterActivity(m)
		v, err := env.ExecuteActivity(m.ExpireOriginals)
		if err != nil {
			t.Fatal(err)
		}
		var out activities.ExpiredOriginals
		if err := v.Get(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := expire(refusingDeleter{store: st, refuse: stuck.SHA256}); got.Deleted != 1 || got.Failed != 1 {
		t.Fatalf("with one original refused: %+v; want the other deleted and one failure counted", got)
	}
	if _, err := st.Stat(ctx, objectstore.Key(orgID, freed.SHA256)); err == nil {
		t.Error("the original that could be deleted is still there")
	}
	if _, err := st.Stat(ctx, objectstore.Key(orgID, stuck.SHA256)); err != nil {
		t.Errorf("the refused original is gone: %v", err)
	}
	if got := expire(refusingDeleter{store: st}); got.Deleted != 1 || got.Failed != 0 {
		t.Fatalf("next run: %+v; want the refused original deleted now", got)
	}
}
