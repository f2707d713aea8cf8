package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"os"
	"strings"
	"time"

	"github.com/astralisops/astralis/internal/ocr/ocrtest"
	"github.com/astralisops/astralis/workflows"
)

// runCrashTestDocuments kills `astralis dev` with SIGKILL while a scanned
// PDF is halfway read, restarts it, lets the client retry its upload with the
// same Idempotency-Key, and checks that the document is finished once: every
// page read, one document, and only the pages in flight at the kill read again.
func runCrashTestDocuments(args []string) int {
	fs := flag.NewFlagSet("crash-test-documents", flag.ContinueOnError)
	pages := fs.Int("pages", 100, "pages in the scanned PDF")
	poll := fs.Duration("poll", 200*time.Millisecond, "how often the document's progress is read")
	timeout := fs.Duration("timeout", 10*time.Minute, "how long reading the document may take, in all")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *pages < 4 {
		fmt.Fprintln(os.Stderr, "astralis crash-test-documents: --pages must be at least 4")
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "astralis crash-test-documents: FAIL: %v\n", err)
		return 1
	}
	ctx := context.Background()
	deadline := time.Now().Add(*timeout)

	dev, err := startScratchDev("document-crash-test")
	if err != nil {
		return fail(err)
	}
	stop := dev.Stop
	defer func() { stop() }()
	s, err := signIn(dev.API, dev.AdminEmail, dev.AdminPass)
	if err != nil {
		return fail(err)
	}
	org, err := newDocumentOrg(s, "Document crash test", nil, *poll)
	if err != nil {
		return fail(err)
	}

	pdf := scannedDocument(*pages)
	const name, key = "crash-test-scan.pdf", "crash-test-documents-upload"
	id, err := org.uploadBytes(name, pdf, key)
	if err != nil {
		return fail(err)
	}
	killAt := *pages / 2
	fmt.Printf("uploaded a %d-page scan with no text layer (%d KiB) with Idempotency-Key %q: document %s\n", *pages, len(pdf)>>10, key, id)
	fmt.Printf("kill -9 of astralis dev once %d pages are done\n", killAt)

	before, err := follow(org, id, deadline, func(d documentStatus) bool { return d.PagesDone >= killAt })
	if err != nil {
		return fail(err)
	}
	if before.settled() || before.PagesDone >= *pages {
		return fail(fmt.Errorf("the document was %s with %d of %d pages done before the kill: nothing was left to interrupt", before.Status, before.PagesDone, *pages))
	}
	dev.Kill()
	// PostgreSQL outlives the kill (the restart takes it over): what it holds now is the state at the kill.
	pagesAtKill, runsAtKill, err := ocrProgress(ctx, dev, id)
	if err != nil {
		return fail(fmt.Errorf("reading the state at the kill: %w", err))
	}
	fmt.Printf("killed: %d pages done, %d OCR runs counted (%d pages in flight)\n", pagesAtKill, runsAtKill, runsAtKill-pagesAtKill)
	if pagesAtKill >= *pages {
		return fail(fmt.Errorf("all %d pages were done at the kill: nothing was left to interrupt", pagesAtKill))
	}

	time.Sleep(time.Second)
	if dev, err = startDevAt("document-crash-test", dev.DataDir, dev.ports); err != nil {
		return fail(fmt.Errorf("restart: %w", err))
	}
	stop = dev.Stop
	if org.s, err = signIn(dev.API, dev.AdminEmail, dev.AdminPass); err != nil {
		return fail(err)
	}
	again, err := org.uploadBytes(name, pdf, key)
	if err != nil {
		return fail(fmt.Errorf("the retried upload: %w", err))
	}
	fmt.Printf("restarted; the retried upload with the same Idempotency-Key answered document %s\n", again)
	if again != id {
		return fail(fmt.Errorf("the retried upload answered document %s, want %s", again, id))
	}

	final, err := follow(org, id, deadline, documentStatus.settled)
	if err != nil {
		return fail(err)
	}
	var problems []string
	if !final.read() {
		problems = append(problems, fmt.Sprintf("the document ended %s (%s), not processed or needs_review", final.Status, final.Reason))
	}
	if final.PagesDone != *pages || final.PagesTotal != *pages {
		problems = append(problems, fmt.Sprintf("%d of %d pages done, want %d", final.PagesDone, final.PagesTotal, *pages))
	}
	withoutWords, ownNumber := 0, 0
	for n := 1; n <= *pages; n++ {
		var p documentPage
		if err := org.s.call("GET", fmt.Sprintf("%s/documents/%s/pages/%d", org.path, id, n), nil, &p); err != nil {
			return fail(err)
		}
		if len(p.Words) == 0 {
			withoutWords++
		}
		if strings.Contains(p.Text, fmt.Sprintf("PAGE %d ", n)) {
			ownNumber++
		}
	}
	if withoutWords > 0 {
		problems = append(problems, fmt.Sprintf("%d pages have no words", withoutWords))
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := org.s.call("GET", org.path+"/documents?limit=100", nil, &list); err != nil {
		return fail(err)
	}
	if len(list.Items) != 1 || list.Items[0].ID != id {
		problems = append(problems, fmt.Sprintf("the organisation lists %d documents, want just %s", len(list.Items), id))
	}
	_, runs, err := ocrProgress(ctx, dev, id)
	if err != nil {
		return fail(err)
	}
	// A page's OCR run is counted before it is read, so the pages in flight
	// at the kill are counted twice and every other page once.
	maxRuns := *pages + workflows.PagesInFlight
	if runs < *pages || runs > maxRuns {
		problems = append(problems, fmt.Sprintf("%d OCR runs, want %d to %d", runs, *pages, maxRuns))
	}

	fmt.Printf("document %s: %s, %d of %d pages done; %d pages with words; %d pages whose text names their own page number\n",
		id, final.Status, final.PagesDone, final.PagesTotal, *pages-withoutWords, ownNumber)
	fmt.Printf("documents in the organisation: %d\n", len(list.Items))
	fmt.Printf("OCR runs: %d for %d pages (at most %d allowed: %d in flight per document); %d done at the kill; read again: %d\n",
		runs, *pages, maxRuns, workflows.PagesInFlight, pagesAtKill, runs-*pages)
	if len(problems) > 0 {
		return fail(fmt.Errorf("%s", strings.Join(problems, "; ")))
	}
	fmt.Println("PASS: the document finished after kill -9, once, and only unfinished pages were read again")
	return 0
}

// follow polls the document, printing its progress whenever it changes,
// until until holds for it or it has settled.
func follow(org *documentOrg, id string, deadline time.Time, until func(documentStatus) bool) (documentStatus, error) {
	last := -1
	for {
		var d documentStatus
		if err := org.s.call("GET", org.path+"/documents/"+id, nil, &d); err != nil {
			return d, err
		}
		if d.PagesDone != last {
			fmt.Printf("  %s: %d/%d pages\n", d.Status, d.PagesDone, d.PagesTotal)
			last = d.PagesDone
		}
		if until(d) || d.settled() {
			return d, nil
		}
		if time.Now().After(deadline) {
			return d, fmt.Errorf("document %s still %s with %d of %d pages done", id, d.Status, d.PagesDone, d.PagesTotal)
		}
		time.Sleep(org.poll)
	}
}

// ocrProgress reads a document's saved pages and counted OCR runs from the dev's database.
func ocrProgress(ctx context.Context, dev *scratchDev, id string) (pagesDone, ocrRuns int, err error) {
	db, err := dev.database(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close(ctx)
	err = db.QueryRow(ctx, "SELECT (SELECT count(*) FROM document_pages WHERE document_id = $1), ocr_runs FROM documents WHERE id = $1", id).
		Scan(&pagesDone, &ocrRuns)
	return pagesDone, ocrRuns, err
}

// scannedDocument is a PDF of n small scanned pages, a few printed lines
// each and no text layer, so every page goes through OCR, quickly.
func scannedDocument(n int) []byte {
	imgs := make([]*image.Gray, n)
	for i := range imgs {
		imgs[i] = ocrtest.RenderText([]string{
			fmt.Sprintf("PAGE %d OF %d", i+1, n),
			fmt.Sprintf("ORDER %d", 4000+17*i),
			fmt.Sprintf("TOTAL %d", 100+31*i),
		}, 3)
	}
	return ocrtest.ScannedPDFPages(300, imgs...)
}
