package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/astralisops/astralis/internal/ocr/ocrtest"
)

// Another shop's receipt, for the filters to tell from the documents tests' one (receiptLines).
var otherReceiptLines = []string{"BETA BOOKS SDN BHD", "5 JALAN KECIL 40000 SHAH ALAM", "DATE: 03/01/2019", "NOTEBOOK 1 X 30.00", "TOTAL 30.00"}

// uploadRead uploads a PDF through the API and waits until it is read; it returns the document's id.
func uploadRead(t *testing.T, c *caller, org, name string, pdf []byte) string {
	t.Helper()
	r := uploadDocument(t, c, org, name, pdf, "", map[string]string{"kind": "receipt"})
	if r.status != 202 {
		t.Fatalf("upload %s = %d %s", name, r.status, r.body)
	}
	var up struct{ ID string }
	r.decode(t, &up)
	if d := waitForDocument(t, c, org, up.ID, "needs_review", "processed", "failed"); d.Status == "failed" {
		t.Fatalf("%s failed: %s", name, d.Reason)
	}
	return up.ID
}

// jsonOf is v as JSON, to compare with a page's value in a predicate.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// listedIDs is the ids of the documents the list shows.
func listedIDs(b *browser) []string {
	b.t.Helper()
	return eval[[]string](b, `[...document.querySelectorAll("table.documents tbody tr")].map(r => r.dataset.id)`)
}

// TestConsoleDocumentViewer: a two-page receipt uploaded through the API is
// read; its page shows the rendered page image with every OCR word drawn over
// it, the total's highlight on the total's word, and that word's box over the
// ink of the image; the arrow keys walk the words and say each one; the page
// switcher shows page 2. The list's filters (text, totals, dates, duplicates,
// status) narrow it, live in the URL, and the list pages with Next page.
func TestConsoleDocumentViewer(t *testing.T) {
	admin, org, _, _ := setUpShop(t, false) // owner@shop.test, ADMIN
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"review_threshold": 0, "duplicate_policy": "mark"})
	receipt := ocrtest.TextPDF(receiptLines, []string{"THANK YOU", "PLEASE COME AGAIN"})
	acme := uploadRead(t, admin, org, "acme.pdf", receipt)
	beta := uploadRead(t, admin, org, "beta.pdf", ocrtest.TextPDF(otherReceiptLines))
	again := uploadRead(t, admin, org, "acme-again.pdf", receipt) // marked a duplicate of acme

	b := newChromium(t)
	documents := "/orgs/" + org + "/documents"
	b.do("open the receipt", chromedp.Navigate(admin.base+documents+"/"+acme))
	b.waitFor("sign-in page", `location.pathname === "/sign-in"`)
	b.signIn("owner@shop.test", "owner password 1")
	b.waitFor("page 1 drawn with its words", fmt.Sprintf(`location.pathname === %q && (() => {
		const img = document.querySelector(".viewer .page img");
		return img?.complete && img.naturalWidth > 0 && document.querySelectorAll(".viewer .word").length > 10 &&
			!!document.querySelector(".viewer .field-box[data-field=total]");
	})()`, documents+"/"+acme))
	var page struct {
		Width int `json:"width"`
		Words []struct {
			Text string `json:"text"`
		} `json:"words"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents/"+acme+"/pages/1", nil).decode(t, &page)
	if n := eval[int](b, `document.querySelectorAll(".viewer .word").length`); n != len(page.Words) {
		t.Errorf("%d word boxes drawn, want the page's %d words", n, len(page.Words))
	}
	if w := eval[int](b, `document.querySelector(".viewer .page img").naturalWidth`); w != page.Width {
		t.Errorf("the page image is %d pixels wide, want the page's %d", w, page.Width)
	}
	// The total's highlight lies on the word 12.50 and not on the line above; and that word's box
	// covers ink in the image (its pixels under the box), so boxes and image agree.
	type placement struct{ OnTotal, OnNails bool }
	got := eval[placement](b, `(() => {
		const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
		const total = document.querySelector(".viewer .field-box[data-field=total]").getBoundingClientRect();
		const word = (text) => [...document.querySelectorAll(".viewer .word")].find(w => w.dataset.text === text).getBoundingClientRect();
		return {OnTotal: overlap(total, word("12.50")), OnNails: overlap(total, word("NAILS"))};
	})()`)
	if !got.OnTotal || got.OnNails {
		t.Errorf("the total's highlight: on the word 12.50 %v (want true), on NAILS %v (want false)", got.OnTotal, got.OnNails)
	}
	ink := eval[float64](b, `(() => {
		const img = document.querySelector(".viewer .page img"), at = img.getBoundingClientRect();
		const box = [...document.querySelectorAll(".viewer .word")].find(w => w.dataset.text === "12.50").getBoundingClientRect();
		const s = img.naturalWidth / at.width;
		const canvas = document.createElement("canvas");
		canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
		const ctx = canvas.getContext("2d");
		ctx.drawImage(img, 0, 0);
		const px = ctx.getImageData((box.left - at.left) * s, (box.top - at.top) * s, box.width * s, box.height * s).data;
		let dark = 0;
		for (let i = 0; i < px.length; i += 4) if (px[i] < 128) dark++;
		return dark / (px.length / 4);
	})()`)
	if ink < 0.05 {
		t.Errorf("the word 12.50's box covers %.1f%% dark pixels of the image: it is not on the printed word", ink*100)
	}
	b.checkAccessible("document viewer")
	b.screenshot("viewer-page-1")

	// The keyboard: one tab stop into the words, the arrow keys walk them and each is said.
	b.tabTo(".viewer .word")
	first := eval[string](b, `document.activeElement.dataset.text`)
	b.press("next word", kb.ArrowRight)
	second := eval[string](b, `document.activeElement.dataset.text`)
	if first != page.Words[0].Text || second != page.Words[1].Text {
		t.Errorf("walking the words with the keyboard: %q then %q, want %q then %q", first, second, page.Words[0].Text, page.Words[1].Text)
	}
	b.waitFor("the focused word said", fmt.Sprintf(`document.getElementById("word-shown").textContent.includes(%q)`, second))
	b.screenshot("viewer-word-focused")

	// Clicked from the page, again until page 2 is asked for: chromedp's Click once waited out the
	// test's 3 minutes for this button after the words had been walked.
	b.waitFor("page 2 asked for", `(() => {
		if (document.getElementById("viewer-heading").textContent === "Page 2") return true;
		[...document.querySelectorAll("nav[aria-label=Pages] button")].find(e => e.textContent === "Next page")?.click();
		return false;
	})()`)
	b.waitFor("page 2 drawn", `(() => {
		const img = document.querySelector(".viewer .page img");
		return img?.complete && img.naturalWidth > 0 && [...document.querySelectorAll(".viewer .word")].some(w => w.dataset.text === "THANK");
	})()`)
	if eval[int](b, `document.querySelectorAll(".viewer .field-box").length`) != 0 {
		t.Error("page 2 highlights fields that are on page 1")
	}
	b.checkAccessible("document viewer, page 2")
	b.screenshot("viewer-page-2")

	// The list's filters, each in the URL, each narrowing it.
	b.do("open the list", chromedp.Navigate(admin.base+documents))
	b.waitFor("all three listed", `document.querySelectorAll("table.documents tbody tr").length === 3`)
	b.checkAccessible("documents with every filter")
	// filter submits the filters and waits for the URL to carry name=value and the list to show want alone.
	filter := func(what, name, value string, want ...string) {
		t.Helper()
		slices.Sort(want)
		b.do("filter by "+what, chromedp.Click(`form[role=search] button[type=submit]`))
		b.waitFor(what, fmt.Sprintf(`new URLSearchParams(location.search).get(%q) === %q &&
			JSON.stringify([...document.querySelectorAll("table.documents tbody tr")].map(r => r.dataset.id).sort()) === %q`, name, value, jsonOf(t, want)))
	}
	b.fill(`form[role=search] input[name=q]`, "notebook")
	filter("the text notebook", "q", "notebook", beta)
	b.fill(`form[role=search] input[name=q]`, "")
	b.fill(`form[role=search] input[name=total_min]`, "20")
	filter("a total of at least 20", "total_min", "20", beta)
	b.fill(`form[role=search] input[name=total_min]`, "")
	b.fill(`form[role=search] input[name=total_max]`, "20")
	filter("a total of at most 20", "total_max", "20", acme, again)
	b.fill(`form[role=search] input[name=total_max]`, "")
	b.fill(`form[role=search] input[name=date_from]`, "2019-01-01")
	filter("dated from 2019", "date_from", "2019-01-01", beta)
	b.fill(`form[role=search] input[name=date_from]`, "")
	b.fill(`form[role=search] input[name=date_to]`, "2018-12-31")
	filter("dated up to 2018", "date_to", "2018-12-31", acme, again)
	b.fill(`form[role=search] input[name=date_to]`, "")
	b.pick(`form[role=search] select[name=duplicate]`, "true")
	filter("duplicates only", "duplicate", "true", again)
	b.screenshot("documents-duplicates")
	b.pick(`form[role=search] select[name=duplicate]`, "false")
	filter("no duplicates", "duplicate", "false", acme, beta)
	// A filter's refusal shows beside its field.
	b.fill(`form[role=search] input[name=total_min]`, "lots")
	b.do("filter by a total that is no amount", chromedp.Click(`form[role=search] button[type=submit]`))
	b.waitFor("the refusal beside the total", `(() => {
		const input = document.querySelector("form[role=search] input[name=total_min]");
		const error = document.getElementById(input.getAttribute("aria-describedby")?.split(" ").pop() || "");
		return input.getAttribute("aria-invalid") === "true" && error?.classList.contains("field-error") && error.closest(".field") === input.closest(".field");
	})()`)
	b.checkAccessible("documents, refused filter")
	b.screenshot("documents-refused-filter")

	// One document a page: Next page follows the cursor, First page goes back.
	b.do("one a page", chromedp.Navigate(admin.base+documents+"?limit=1"))
	b.waitFor("the newest alone", fmt.Sprintf(`document.querySelector("table.documents tbody tr")?.dataset.id === %q && document.querySelectorAll("table.documents tbody tr").length === 1`, again))
	// followLink clicks the pager's link named text from the page until the URL says it was followed.
	followLink := func(text, followed string) {
		t.Helper()
		b.waitFor("follow "+text, fmt.Sprintf(`(() => {
			if (%s) return true;
			[...document.querySelectorAll("nav[aria-label='Pages of documents'] a")].find(e => e.textContent === %q)?.click();
			return false;
		})()`, followed, text))
	}
	followLink("Next page", `new URLSearchParams(location.search).has("cursor")`)
	b.waitFor("the one before", fmt.Sprintf(`document.querySelector("table.documents tbody tr")?.dataset.id === %q && new URLSearchParams(location.search).has("cursor")`, beta))
	b.checkAccessible("documents, page 2")
	followLink("First page", `!new URLSearchParams(location.search).has("cursor")`)
	b.waitFor("the newest again", fmt.Sprintf(`document.querySelector("table.documents tbody tr")?.dataset.id === %q && !new URLSearchParams(location.search).has("cursor")`, again))
	b.checkQuiet()
}

// TestConsoleVendors: an ADMIN reaches the vendors from the navigation, sees a
// CSV with a nameless vendor refused beside the file field (naming the row),
// imports two, and follows one to the documents read as from it.
func TestConsoleVendors(t *testing.T) {
	admin, org, _, _ := setUpShop(t, false)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	good := filepath.Join(dir, "vendors.csv")
	if err := os.WriteFile(bad, []byte("name,address\nGood Name,1 Road\n,2 Nowhere Road\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Saved as Excel's "CSV UTF-8": a byte order mark before the header.
	if err := os.WriteFile(good, []byte("\ufeffname,address\nAcme Hardware Sdn Bhd,\"12 Jalan Besar, 50000 Kuala Lumpur\"\nGamma Paper,3 Jalan Tiga\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badColumns := filepath.Join(dir, "columns.csv")
	if err := os.WriteFile(badColumns, []byte("name,address\nGood Name,1 Road,extra\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	b := newChromium(t)
	b.do("open the documents", chromedp.Navigate(admin.base+"/orgs/"+org+"/documents"))
	b.waitFor("sign-in page", `location.pathname === "/sign-in"`)
	b.signIn("owner@shop.test", "owner password 1")
	b.do("open the vendors", chromedp.Click(`nav.orgnav a[href$="/vendors"]`, chromedp.NodeVisible))
	b.waitFor("no vendor yet", `location.pathname.endsWith("/vendors") && document.querySelector("main").textContent.includes("No vendor yet")`)
	b.checkAccessible("vendors, none")
	b.screenshot("vendors-empty")

	b.do("import a CSV with a nameless vendor", chromedp.SetUploadFiles(`form.vendor-import input[type=file]`, []string{bad}),
		chromedp.Click(`form.vendor-import button[type=submit]`))
	b.waitFor("the refusal beside the file, naming the row", `(() => {
		const input = document.querySelector("form.vendor-import input[type=file]");
		const error = document.getElementById(input.getAttribute("aria-describedby")?.split(" ").pop() || "");
		return input.getAttribute("aria-invalid") === "true" && error?.classList.contains("field-error") &&
			error.closest(".field") === input.closest(".field") && error.textContent.includes("Vendor 2, name");
	})()`)
	var list struct {
		Items []struct{ ID, Name string } `json:"items"`
	}
	if admin.must(200, "GET", "/api/v1/orgs/"+org+"/vendors", nil).decode(t, &list); len(list.Items) != 0 {
		t.Errorf("a refused import kept %v", list.Items)
	}
	b.checkAccessible("vendors, refused import")
	b.screenshot("vendors-refused")
	b.do("import a CSV with a line of three columns", chromedp.SetUploadFiles(`form.vendor-import input[type=file]`, []string{badColumns}),
		chromedp.Click(`form.vendor-import button[type=submit]`))
	b.waitFor("the refusal beside the file, naming the line", besideField(`form.vendor-import input[type=file]`, "Line 2 has 3 columns: the file must be CSV"))

	b.do("import two vendors", chromedp.SetUploadFiles(`form.vendor-import input[type=file]`, []string{good}),
		chromedp.Click(`form.vendor-import button[type=submit]`))
	b.waitFor("both listed", `document.querySelector("form.vendor-import [role=status]")?.textContent === "Imported 2 vendors." &&
		["Acme Hardware Sdn Bhd", "Gamma Paper"].every(n => [...document.querySelectorAll("table.vendors th[scope=row]")].some(th => th.textContent === n))`)
	b.checkAccessible("vendors")
	b.screenshot("vendors")

	// A receipt from Acme, read after the import, is Acme's; another shop's is not.
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/vendors", nil).decode(t, &list)
	var acmeVendor string
	for _, v := range list.Items {
		if v.Name == "Acme Hardware Sdn Bhd" {
			acmeVendor = v.ID
		}
	}
	acme := uploadRead(t, admin, org, "acme.pdf", ocrtest.TextPDF(receiptLines))
	uploadRead(t, admin, org, "beta.pdf", ocrtest.TextPDF(otherReceiptLines))
	var fromAcme struct {
		Items []struct{ ID string } `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/documents?vendor="+acmeVendor, nil).decode(t, &fromAcme)
	if len(fromAcme.Items) != 1 || fromAcme.Items[0].ID != acme {
		t.Fatalf("the API lists %v as Acme's documents, want the Acme receipt %s alone", fromAcme.Items, acme)
	}
	b.do("follow Acme to its documents", chromedp.Click(fmt.Sprintf(`table.vendors tr[data-id=%q] a`, acmeVendor)))
	b.waitFor("Acme's documents alone", fmt.Sprintf(`new URLSearchParams(location.search).get("vendor") === %q &&
		document.querySelectorAll("table.documents tbody tr").length === 1 && document.querySelector("table.documents tbody tr").dataset.id === %q &&
		document.querySelector("form[role=search] select[name=vendor]")?.selectedOptions[0]?.textContent === "Acme Hardware Sdn Bhd"`, acmeVendor, acme))
	b.checkAccessible("documents of a vendor")
	b.screenshot("vendor-documents")
	b.checkQuiet()
}

// TestConsoleClientSeesOnlyTheirOwnDocuments: a CLIENT and an ADMIN each
// upload a receipt; the CLIENT's list shows theirs alone, with no vendor
// filter or Vendors link; their document's page draws its page but offers no
// review form though it waits for one; the ADMIN's document is plainly not found.
func TestConsoleClientSeesOnlyTheirOwnDocuments(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"review_threshold": 1})
	client, _ := join(t, admin, inbox, org, "client@shop.test", "CLIENT")
	mine := uploadRead(t, client, org, "mine.pdf", ocrtest.TextPDF(receiptLines))
	theirs := uploadRead(t, admin, org, "theirs.pdf", ocrtest.TextPDF(otherReceiptLines))

	b := newChromium(t)
	documents := "/orgs/" + org + "/documents"
	b.do("open the documents", chromedp.Navigate(client.base+documents))
	b.waitFor("sign-in page", `location.pathname === "/sign-in"`)
	b.signIn("client@shop.test", "member password 1")
	b.waitFor("the client's documents", fmt.Sprintf(`location.pathname === %q && !!document.querySelector("table.documents tbody tr") && !!document.querySelector("nav.orgnav a")`, documents))
	if ids := listedIDs(b); !slices.Equal(ids, []string{mine}) {
		t.Errorf("the client's list shows %v, want their own %s alone", ids, mine)
	}
	if eval[bool](b, `document.querySelector("main").textContent.includes("theirs.pdf")`) {
		t.Error("the client's list shows another's document")
	}
	if eval[bool](b, `!!document.querySelector("nav.orgnav a[href$='/vendors']") || !!document.querySelector("form[role=search] select[name=vendor]")`) {
		t.Error("a CLIENT is offered the vendors")
	}
	b.checkAccessible("client's documents")
	b.screenshot("client-documents")

	b.do("open their document", chromedp.Click(`table.documents a`))
	b.waitFor("their document drawn, waiting for review", fmt.Sprintf(`location.pathname === %q && document.querySelector("#document-status")?.dataset.status === "needs_review" &&
		document.querySelector(".viewer .page img")?.naturalWidth > 0`, documents+"/"+mine))
	if eval[bool](b, `!!document.querySelector("form.review")`) {
		t.Error("a CLIENT is offered the review form")
	}
	b.checkAccessible("client's document")
	b.screenshot("client-document")

	b.do("open another's document", chromedp.Navigate(client.base+documents+"/"+theirs))
	b.waitFor("not found, plainly", `document.querySelector("main [role=alert]")?.textContent.startsWith("Not found")`)
	if eval[bool](b, `document.querySelector("main").textContent.includes("theirs.pdf") || !!document.querySelector(".viewer")`) {
		t.Error("another's document is shown to a CLIENT")
	}
	b.checkAccessible("another's document")
	b.screenshot("client-document-not-found")
	b.checkQuiet()
}
