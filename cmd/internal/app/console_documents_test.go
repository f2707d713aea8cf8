package app

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/astralisops/astralis/internal/ocr/ocrtest"
)

// TestConsoleDocumentsUploadAndReview: a signed-in ADMIN uploads, through the
// console's file input, the receipt the documents tests use; a file that is no
// document is refused beside the file field first. The document's page follows
// it until it waits for review (threshold 1), shows its fields, says a bad date
// beside the date field and an emptied total beside the total (sending
// nothing), and after one corrected field shows the correction,
// which the API has too. axe-core checks every page.
func TestConsoleDocumentsUploadAndReview(t *testing.T) {
	admin, org, _, _ := setUpShop(t, false) // owner@shop.test, ADMIN
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"review_threshold": 1})
	dir := t.TempDir()
	receipt := filepath.Join(dir, "receipt.pdf")
	notADocument := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(receipt, ocrtest.TextPDF(receiptLines), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notADocument, []byte("just some notes, not a receipt\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	b := newChromium(t)
	documents := "/orgs/" + org + "/documents"
	b.do("open the documents", chromedp.Navigate(admin.base+documents))
	b.waitFor("sign-in page", fmt.Sprintf(`location.pathname === "/sign-in" && new URLSearchParams(location.search).get("next") === %q`, documents))
	b.signIn("owner@shop.test", "owner password 1")
	b.waitFor("the documents", fmt.Sprintf(`location.pathname === %q && !!document.querySelector("form.upload input[type=file]") && document.querySelector("main").textContent.includes("No document matches")`, documents))
	b.checkAccessible("documents")
	b.screenshot("documents-empty")

	// The API refuses a file that is no PDF or image (415): said beside the file field.
	b.do("upload a text file", chromedp.SetUploadFiles(`form.upload input[type=file]`, []string{notADocument}),
		chromedp.Click(`form.upload button[type=submit]`))
	b.waitFor("the refusal beside the file field", `(() => {
		const input = document.querySelector("form.upload input[type=file]");
		const error = document.getElementById(input.getAttribute("aria-describedby")?.split(" ").pop() || "");
		return input.getAttribute("aria-invalid") === "true" && error?.classList.contains("field-error") &&
			error.closest(".field") === input.closest(".field") && error.textContent.length > 0;
	})()`)
	b.checkAccessible("documents, refused upload")
	b.screenshot("upload-refused")

	// The upload goes through XMLHttpRequest, whose upload events the progress bar follows: count them.
	eval[chromedp.Void](b, `(() => {
		const send = XMLHttpRequest.prototype.send;
		window.uploadProgress = [];
		XMLHttpRequest.prototype.send = function (body) {
			this.upload.addEventListener("progress", (e) => window.uploadProgress.push([e.loaded, e.total]));
			return send.call(this, body);
		};
	})()`)
	b.do("upload the receipt", chromedp.SetUploadFiles(`form.upload input[type=file]`, []string{receipt}),
		chromedp.Click(`form.upload button[type=submit]`))
	b.waitFor("uploaded, listed", `!!document.querySelector("#uploaded a") && [...document.querySelectorAll("table.documents a")].some(a => a.textContent === "receipt.pdf")`)
	if sent := eval[[][2]int](b, `window.uploadProgress`); len(sent) == 0 || sent[len(sent)-1][0] != sent[len(sent)-1][1] || sent[len(sent)-1][1] == 0 {
		t.Errorf("upload progress events %v, want the body sent in full as XMLHttpRequest reports it", sent)
	}
	id := eval[string](b, `document.querySelector("table.documents tbody tr").dataset.id`)
	b.screenshot("uploaded")

	// The same file again (the duplicate policy is reject): said beside the file field, with a link
	// to the document the organisation has already, which opens it.
	b.do("upload the receipt again", chromedp.SetUploadFiles(`form.upload input[type=file]`, []string{receipt}),
		chromedp.Click(`form.upload button[type=submit]`))
	b.waitFor("refused as a duplicate, with its link", besideField(`form.upload input[type=file]`, "has this file already")+
		fmt.Sprintf(` && document.querySelector("form.upload a.duplicate-of")?.getAttribute("href") === %q`, documents+"/"+id))
	b.checkAccessible("documents, duplicate refused")

	b.do("open the document it is", chromedp.Click(`form.upload a.duplicate-of`))
	b.waitFor("read and waiting for review", fmt.Sprintf(`location.pathname === %q && document.querySelector("#document-status")?.dataset.status === "needs_review" &&
		document.querySelector("table.fields tr[data-field=total] .normalized")?.textContent === "12.50" && !!document.querySelector("form.review input[name=total]")`, documents+"/"+id))
	b.checkAccessible("document, needs review")
	b.screenshot("needs-review")

	// A date that is no date: the API's fields.date shows beside the date field, and nothing changes.
	b.clear(`form.review input[name=date]`)
	b.do("review with a bad date", chromedp.SendKeys(`form.review input[name=date]`, "31/02/2018"), chromedp.Click(`form.review button[type=submit]`))
	b.waitFor("the date's error beside it", `(() => {
		const input = document.querySelector("form.review input[name=date]");
		const error = document.getElementById(input.getAttribute("aria-describedby")?.split(" ").pop() || "");
		return input.getAttribute("aria-invalid") === "true" && error?.classList.contains("field-error") &&
			error.closest(".field") === input.closest(".field") && error.textContent.length > 0;
	})()`)
	b.checkAccessible("document, refused review")
	b.screenshot("review-refused")

	// A read field emptied is said beside it, not left out unseen, and nothing is sent.
	b.clear(`form.review input[name=total]`)
	b.do("review with the total emptied", chromedp.Click(`form.review button[type=submit]`))
	b.waitFor("the emptied total's error beside it", besideField(`form.review input[name=total]`, "cannot be left empty"))
	if st := eval[string](b, `document.querySelector("#document-status")?.dataset.status`); st != "needs_review" {
		t.Fatalf("after a review with an emptied field the document is %q; want it still waiting for review", st)
	}

	// The date as it was read, the total corrected: the document is processed with the correction.
	b.clear(`form.review input[name=date]`)
	b.clear(`form.review input[name=total]`)
	b.do("correct the total", chromedp.SendKeys(`form.review input[name=date]`, "25/12/2018"),
		chromedp.SendKeys(`form.review input[name=total]`, "13.00"), chromedp.Click(`form.review button[type=submit]`))
	b.waitFor("processed with the correction", `document.querySelector("#document-status")?.dataset.status === "processed" &&
		document.querySelector("table.fields tr[data-field=total] .value")?.textContent === "13.00" && !document.querySelector("form.review") &&
		document.querySelector("ol.annotations")?.textContent.includes("13.00")`)
	b.checkAccessible("document, reviewed")
	b.screenshot("reviewed")

	d := waitForDocument(t, admin, org, id, "processed")
	if f := d.Fields["total"]; f.Value != "13.00" || f.Normalized != "13.00" || f.Confidence != 1 {
		t.Errorf("total after the console's review: %+v, want 13.00 set by a reviewer", f)
	}
	if len(d.Annotations) != 1 || d.Annotations[0].Field != "total" || d.Annotations[0].Before != "12.50" || d.Annotations[0].After != "13.00" {
		t.Errorf("annotations %+v, want one: the total 12.50 → 13.00", d.Annotations)
	}

	// The list, filtered by status in the URL, shows it processed.
	b.do("back to the list", chromedp.Click(`main a[href="`+documents+`"]`))
	b.pick(`form[role=search] select`, "processed")
	b.waitFor("listed as processed", `new URLSearchParams(location.search).get("status") === "processed" && document.querySelector("table.documents tbody tr")?.dataset.status === "processed"`)
	b.checkAccessible("documents, processed")
	b.screenshot("documents-processed")
	b.checkQuiet()
}
