package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/astralisops/astralis/internal/config"
	"github.com/astralisops/astralis/internal/ocr/ocrtest"
)

// besideField is a predicate: the control at selector is marked invalid and
// its error, holding want, is in its own field and tied to it.
func besideField(selector, want string) string {
	return fmt.Sprintf(`(() => {
		const input = document.querySelector(%q);
		const error = document.getElementById(input?.getAttribute("aria-describedby")?.split(" ").pop() || "");
		return input.getAttribute("aria-invalid") === "true" && error?.classList.contains("field-error") &&
			error.closest(".field") === input.closest(".field") && error.textContent.includes(%q);
	})()`, selector, want)
}

// chartValue is the number a dashboard figure's table gives for key.
func chartValue(chart, key string) string {
	return fmt.Sprintf(`document.querySelector('figure[data-chart=%q] tr[data-key=%q] td')?.textContent`, chart, key)
}

// markPage marks the page, so that notReloaded can tell later it was never reloaded.
const (
	markPage    = `window.notReloaded = true`
	notReloaded = `window.notReloaded === true`
)

// TestConsoleRoutingSettingsAndDashboard: an ADMIN's routing page imports past
// routings from CSV (a file over the size limit refused plainly, one with the
// wrong header refused beside the file field, then one taken), tries a text and
// sees the pipeline it would go to, and changes the threshold (1.5 refused
// beside the field first), the escalation delay of 90 s, shown in minutes, kept. The dashboard's figures then follow requests sent
// over the API (requests, a document) without a reload. A CLIENT opening the dashboard or the routing
// page directly is told plainly they are not allowed. axe-core on every page.
func TestConsoleRoutingSettingsAndDashboard(t *testing.T) {
	const importBytes = 4096
	admin, org, _, inbox, _ := setUpShopFull(t, true, func(c *config.Config) { c.Limits.RoutingImportBytes = importBytes })
	join(t, admin, inbox, org, "client@shop.test", "CLIENT")
	dir := t.TempDir()
	file := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tooBig := file("too-big.csv", "text,pipeline\n"+strings.Repeat("\"could I get a quote for fixing it\",billing\n", importBytes/40))
	wrongHeader := file("wrong-header.csv", "message,queue\nhello,billing\n")
	history := file("history.csv", "text,pipeline\n"+strings.Repeat("\"could I get a quote for fixing it\",billing\n", 20)+
		strings.Repeat("\"my screen is cracked, can you fix it\",repairs\n", 20))

	// 90 seconds, which the page shows in whole minutes: saving another setting keeps it.
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 0.8, "escalate_after_seconds": 90})

	b := newChromium(t)
	routing := "/orgs/" + org + "/routing"
	b.do("open the routing page", chromedp.Navigate(admin.base+routing))
	b.waitFor("sign-in page", fmt.Sprintf(`location.pathname === "/sign-in" && new URLSearchParams(location.search).get("next") === %q`, routing))
	b.signIn("owner@shop.test", "owner password 1")
	b.waitFor("the routing page with the default threshold", fmt.Sprintf(`location.pathname === %q && document.querySelector("form.routing-settings input[name=threshold]")?.value === "0.8" &&
		!!document.querySelector('nav.orgnav a[href=%q]')`, routing, routing))
	b.checkAccessible("routing")
	b.screenshot("routing")

	// Over limits.routing_import_bytes: a 413, said plainly, and nothing imported.
	b.do("import a file too large", chromedp.SetUploadFiles(`form.import-history input[type=file]`, []string{tooBig}),
		chromedp.Click(`form.import-history button[type=submit]`))
	b.waitFor("the size refusal said", `document.querySelector("form.import-history [role=alert]")?.textContent.startsWith("Too large: ")`)
	b.checkAccessible("routing, import too large")
	b.screenshot("import-too-large")

	// The wrong header: the API's errors[].field header, said beside the file field in the file's terms.
	b.do("import a file with the wrong header", chromedp.SetUploadFiles(`form.import-history input[type=file]`, []string{wrongHeader}),
		chromedp.Click(`form.import-history button[type=submit]`))
	b.waitFor("the header refused beside the file field", besideField(`form.import-history input[type=file]`, "The first line must be exactly text,pipeline"))
	b.checkAccessible("routing, import refused")
	b.screenshot("import-refused")

	// While another import into the organisation is still sending its body, the API's own word on
	// when to try again is shown as it is, not a wait of its Retry-After.
	slow := startSlowImport(t, admin, "/api/v1/orgs/"+org)
	eventually(t, "the slow import holds the organisation's turn", func() bool {
		return postCSV(t, admin, "/api/v1/orgs/"+org+"/routing/examples", "not,the header\n").status == 429 // 422 once it is free
	})
	b.do("import while another import runs", chromedp.SetUploadFiles(`form.import-history input[type=file]`, []string{history}),
		chromedp.Click(`form.import-history button[type=submit]`))
	b.waitFor("the API's advice said", `document.querySelector("form.import-history [role=alert]")?.textContent ===
		"Another routing import into this organisation is running: try again once it has finished."`)
	slow.body.Close() // its body ends unfinished: refused, and the turn is free
	if status := <-slow.done; status == 200 {
		t.Fatal("an import whose body ended half-way was taken")
	}

	b.do("import the history", chromedp.SetUploadFiles(`form.import-history input[type=file]`, []string{history}),
		chromedp.Click(`form.import-history button[type=submit]`))
	b.waitFor("imported, counted", `document.querySelector("form.import-history [role=status]")?.textContent === "Imported 40 examples." &&
		!document.querySelector("form.import-history input[type=file]").hasAttribute("aria-invalid")`)
	b.screenshot("imported")

	// What the imported history taught: customers who say "quote" mean billing.
	b.do("try a text", chromedp.SendKeys(`form.try-text textarea[name=text]`, "how much is a quote"), chromedp.Click(`form.try-text button[type=submit]`))
	b.waitFor("the pipeline it would go to", `(() => {
		const d = document.querySelector("form.try-text [role=status] dl.proposal");
		return d?.dataset.pipeline === "billing" && d.textContent.includes("Billing (billing)") && /\d+%/.test(d.textContent);
	})()`)
	b.checkAccessible("routing, a text tried")
	b.screenshot("tried")

	// A threshold above 1 is refused beside the field; 1 (every request waits for an operator) is saved.
	b.clear(`form.routing-settings input[name=threshold]`)
	b.do("save a threshold of 1.5", chromedp.SendKeys(`form.routing-settings input[name=threshold]`, "1.5"), chromedp.Click(`form.routing-settings button[type=submit]`))
	b.waitFor("1.5 refused beside the threshold", besideField(`form.routing-settings input[name=threshold]`, "between 0 and 1"))
	b.checkAccessible("routing, refused threshold")
	b.screenshot("threshold-refused")
	b.clear(`form.routing-settings input[name=threshold]`)
	b.do("save a threshold of 1", chromedp.SendKeys(`form.routing-settings input[name=threshold]`, "1"), chromedp.Click(`form.routing-settings button[type=submit]`))
	b.waitFor("saved", `document.querySelector("form.routing-settings [role=status]")?.textContent === "Saved." &&
		!document.querySelector("form.routing-settings input[name=threshold]").hasAttribute("aria-invalid")`)
	var settings struct {
		Threshold            float64 `json:"threshold"`
		EscalateAfterSeconds int     `json:"escalate_after_seconds"`
	}
	if admin.must(200, "GET", "/api/v1/orgs/"+org+"/routing/settings", nil).decode(t, &settings); settings.Threshold != 1 || settings.EscalateAfterSeconds != 90 {
		t.Fatalf("after saving a threshold of 1 in the console the settings are %+v, want threshold 1 and escalation after 90 s kept", settings)
	}

	// The dashboard, left open while requests arrive and are decided over the API.
	b.do("open the dashboard", chromedp.Click(`nav.orgnav a[href="/orgs/`+org+`/dashboard"]`))
	intakeTotal := `[...document.querySelectorAll('figure[data-chart=intake] tbody td')].reduce((n, td) => n + Number(td.textContent), 0)`
	b.waitFor("nothing received yet", intakeTotal+` === 0 && `+chartValue("routing", "awaiting_approval")+` === "0"`)
	b.checkAccessible("dashboard, empty")
	b.screenshot("dashboard-empty")
	eval[chromedp.Void](b, markPage)
	var first, second struct {
		ID string `json:"id"`
	}
	submit(t, admin, org, "", "my phone screen is cracked").decode(t, &first)
	submit(t, admin, org, "", "I was charged twice and want a refund").decode(t, &second)
	waitForStatus(t, admin, org, first.ID, "awaiting_approval")
	waitForStatus(t, admin, org, second.ID, "awaiting_approval")
	b.waitFor("two received, two waiting, on the same page", notReloaded+` && `+intakeTotal+` === 2 && `+chartValue("routing", "awaiting_approval")+` === "2" &&
		document.querySelector("dd[data-count=awaiting_approval]")?.textContent === "2"`)
	admin.must(200, "POST", "/api/v1/orgs/"+org+"/intake/"+first.ID+"/decision", map[string]string{"action": "approve"})
	admin.must(200, "POST", "/api/v1/orgs/"+org+"/intake/"+second.ID+"/decision", map[string]string{"action": "reject"})
	b.waitFor("one approved, one rejected, none waiting", notReloaded+` && `+chartValue("routing", "approved")+` === "1" && `+
		chartValue("routing", "rejected")+` === "1" && `+chartValue("routing", "awaiting_approval")+` === "0" && `+chartValue("approval-wait", "p50")+` !== "—"`)
	// A document uploaded meanwhile, waiting for review (threshold 1): counted in its status.
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/documents/settings", map[string]any{"review_threshold": 1})
	var doc struct{ ID string }
	uploadDocument(t, admin, org, "receipt.pdf", ocrtest.TextPDF(receiptLines), "", map[string]string{"kind": "receipt"}).decode(t, &doc)
	waitForDocument(t, admin, org, doc.ID, "needs_review")
	b.waitFor("the document counted as needing review", notReloaded+` && `+chartValue("documents-status", "needs_review")+` === "1" && `+chartValue("documents-status", "processed")+` === "0"`)
	b.checkAccessible("dashboard")
	b.screenshot("dashboard")

	// A CLIENT has neither page in their menu, and opening one is a plain refusal, not a broken page.
	b.do("sign out", chromedp.Click(`header .who button`))
	b.waitFor("signed out", `location.pathname === "/sign-in"`)
	dashboard := "/orgs/" + org + "/dashboard"
	b.do("open the dashboard as a client", chromedp.Navigate(admin.base+dashboard))
	b.waitFor("sign-in page", fmt.Sprintf(`location.pathname === "/sign-in" && new URLSearchParams(location.search).get("next") === %q`, dashboard))
	b.signIn("client@shop.test", "member password 1")
	b.waitFor("not allowed, plainly", fmt.Sprintf(`location.pathname === %q && document.querySelector("main h1")?.textContent === "Dashboard" &&
		document.querySelector("main [role=alert]")?.textContent.startsWith("You are not allowed") && !document.querySelector("figure")`, dashboard))
	if eval[bool](b, `!!document.querySelector('nav.orgnav a[href$="/dashboard"], nav.orgnav a[href$="/routing"]')`) {
		t.Error("a CLIENT's menu offers the dashboard or the routing page")
	}
	b.checkAccessible("dashboard, client")
	b.screenshot("dashboard-client")
	b.do("open the routing page as a client", chromedp.Navigate(admin.base+routing))
	b.waitFor("not allowed either", `document.querySelector("main [role=alert]")?.textContent.startsWith("You are not allowed") && !document.querySelector("form")`)
	b.checkAccessible("routing, client")
	b.checkQuiet()
}

// TestConsoleBoardIsLive: a board open in the browser shows, without a reload,
// an item another person moves over the API and one that arrives, while the
// keyboard focus stays on the Move button it was on. While an item is being
// edited or carried the board is held (data-live), so neither its refresh period,
// the window shown again nor the network's return fetches it and a move by
// someone else does not take the editor or the carried item away; letting go
// brings the board up to date.
func TestConsoleBoardIsLive(t *testing.T) {
	admin, org, _, _ := setUpShopWithInbox(t)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 1.0})
	toRepairs := func(subject string) {
		var r struct {
			ID string `json:"id"`
		}
		submit(t, admin, org, "", subject).decode(t, &r)
		waitForStatus(t, admin, org, r.ID, "awaiting_approval")
		admin.must(200, "POST", "/api/v1/orgs/"+org+"/intake/"+r.ID+"/decision", map[string]string{"action": "reassign", "pipeline": "repairs"})
		waitForStatus(t, admin, org, r.ID, "routed")
	}
	toRepairs("my phone screen is cracked")
	toRepairs("my laptop battery is swollen")
	var board struct {
		Stages []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"stages"`
		ItemsByStage map[string][]struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"items_by_stage"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/pipelines/repairs", nil).decode(t, &board)
	stage := map[string]string{}
	item := map[string]string{}
	for _, s := range board.Stages {
		stage[s.Name] = s.ID
		for _, it := range board.ItemsByStage[s.ID] {
			item[it.Title] = it.ID
		}
	}
	moveTo := func(title, stageName string) {
		admin.must(200, "POST", "/api/v1/orgs/"+org+"/items/"+item[title]+"/move", map[string]string{"stage_id": stage[stageName]})
	}

	b := newChromium(t)
	path := "/orgs/" + org + "/pipelines/repairs"
	b.do("open the board", chromedp.Navigate(admin.base+path))
	b.signIn("owner@shop.test", "owner password 1")
	titles := func(stage string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('section.column[data-stage=%q] li.card .card-title')].map(e => e.textContent).join(" | ")`, stage)
	}
	b.waitFor("both items in New", titles("New")+` === "my phone screen is cracked | my laptop battery is swollen"`)
	b.checkAccessible("board")
	eval[chromedp.Void](b, markPage)

	// The keyboard on the phone's Move button while someone else moves the laptop and a new item arrives.
	phoneMove := fmt.Sprintf(`li.card[data-id=%q] button.handle`, item["my phone screen is cracked"])
	b.tabTo(phoneMove)
	moveTo("my laptop battery is swollen", "Diagnosing")
	b.waitFor("the laptop in Diagnosing, on the same page", notReloaded+` && `+titles("Diagnosing")+` === "my laptop battery is swollen" && `+titles("New")+` === "my phone screen is cracked"`)
	toRepairs("the charging port is loose")
	b.waitFor("the new item in New", notReloaded+` && `+titles("New")+` === "my phone screen is cracked | the charging port is loose"`)
	if !eval[bool](b, fmt.Sprintf(`!!document.activeElement?.matches(%q)`, phoneMove)) {
		t.Errorf("after the board refreshed the focus is on %s, want the phone's Move button", eval[string](b, `document.activeElement?.outerHTML.slice(0, 120)`))
	}
	b.screenshot("board-live")

	// An editor open on the phone: someone moves the phone meanwhile. The board
	// is held at once and stays so (the editor and its typing stay) through what
	// would refresh a live board; Cancel, and the phone shows where it now is.
	boardState := `document.querySelector(".board")?.dataset.live`
	// stillHeld checks, over one refresh period of the page's own clock, that the board
	// stays held through the window shown again and the network back, and asks for nothing
	// (no request to the board starts, its data is not replaced). The resource timing
	// entries say what started; only those starting inside the period count.
	stillHeld := func(what string) {
		t.Helper()
		if got := eval[string](b, boardState); got != "held" {
			t.Fatalf("%s: the board is %q, want held", what, got)
		}
		updated := `document.querySelector(".board").dataset.updated`
		since := eval[string](b, updated)
		eval[chromedp.Void](b, `performance.setResourceTimingBufferSize(10000); window.heldFrom = performance.now();
			document.dispatchEvent(new Event("visibilitychange"))`)
		// The network lost and back, as the browser knows it: a live board would be fetched again.
		b.goOffline(what+", offline", true)
		b.goOffline(what+", online again", false)
		// What is checked is that nothing happens: one refresh period (3 s) and a half.
		b.waitFor(what+", a refresh period later", `performance.now() - window.heldFrom > 3500`)
		fetched := eval[int](b, fmt.Sprintf(`performance.getEntriesByType("resource").filter(e => e.startTime > window.heldFrom && new URL(e.name).pathname === %q).length`,
			"/api/v1/orgs/"+org+"/pipelines/repairs"))
		if got := eval[string](b, updated); fetched != 0 || got != since || eval[string](b, boardState) != "held" {
			t.Fatalf("%s: the board was fetched %d times, its data updated at %s (was %s)", what, fetched, got, since)
		}
	}
	b.do("edit the phone", chromedp.Click(`li.card[data-id="`+item["my phone screen is cracked"]+`"] button.edit`))
	b.do("type a title", chromedp.SendKeys(`form.item-editor input`, " (urgent)"))
	moveTo("my phone screen is cracked", "Fixed")
	stillHeld("while editing")
	if got := eval[string](b, titles("New")); !strings.Contains(got, "my phone screen is cracked") ||
		eval[string](b, `document.querySelector("form.item-editor input")?.value`) != "my phone screen is cracked (urgent)" {
		t.Fatalf("while editing, the board refreshed under the editor: New holds %q", got)
	}
	b.checkAccessible("board, editing")
	b.do("cancel the edit", chromedp.Click(`form.item-editor button.secondary`))
	b.waitFor("the phone in Fixed, the board live again", notReloaded+` && `+titles("Fixed")+` === "my phone screen is cracked" && !document.querySelector("form.item-editor") && `+
		boardState+` === "live"`)
	b.checkAccessible("board after others' moves")
	b.screenshot("board-caught-up")

	// The same while an item is carried with the keyboard: the laptop moved by someone
	// else stays where it was shown until the carried item is put down (escape).
	b.tabTo(`section.column[data-stage="New"] li.card button.handle`)
	b.press("pick up the port", " ")
	b.waitFor("picked up", `document.querySelector(".card.carried")?.textContent === "the charging port is loose"`)
	moveTo("my laptop battery is swollen", "Fixed")
	stillHeld("while carrying")
	if got := eval[string](b, titles("Diagnosing")); got != "my laptop battery is swollen" || !eval[bool](b, `!!document.querySelector(".card.carried")`) {
		t.Fatalf("while an item was carried, the board refreshed: Diagnosing holds %q (or the item was dropped)", got)
	}
	b.press("put the port back", kb.Escape)
	b.waitFor("the laptop in Fixed, the port in New", notReloaded+` && `+titles("Fixed")+` === "my phone screen is cracked | my laptop battery is swollen" && `+
		titles("New")+` === "the charging port is loose" && `+titles("Diagnosing")+` === "" && !document.querySelector(".card.carried")`)
	b.checkQuiet()
}

// TestConsoleNetworkLossIsVisible: with the queue open, the server stops
// answering (every request fails): a banner says it cannot be reached, and it
// goes when answers come back, the queue showing what arrived meanwhile. Then
// the browser goes offline: the banner says so, and going back online brings
// the queue up to date by itself. On the dashboard a failed refresh keeps the
// figures with a note that they may be old; on the services page, which does
// not poll, the console asks again by itself until the server answers and the
// banner goes. axe-core with the banner and the note shown.
func TestConsoleNetworkLossIsVisible(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 1.0})
	arrive := func(subject string) {
		var r struct {
			ID string `json:"id"`
		}
		submit(t, admin, org, "", subject).decode(t, &r)
		waitForStatus(t, admin, org, r.ID, "awaiting_approval")
	}
	arrive("my phone screen is cracked")

	b := newChromium(t)
	queue := "/orgs/" + org + "/intake"
	b.do("open the queue", chromedp.Navigate(admin.base+queue))
	b.signIn("owner@shop.test", "owner password 1")
	listed := func(subject string) string {
		return fmt.Sprintf(`[...document.querySelectorAll("table.queue a")].some(a => a.textContent === %q)`, subject)
	}
	b.waitFor("the queue", listed("my phone screen is cracked"))
	banner := `document.querySelector("main [role=status].network")?.textContent`
	if got := eval[string](b, banner); got != "" {
		t.Fatalf("a banner before any loss: %q", got)
	}
	eval[chromedp.Void](b, markPage)

	// Every request fails, though the browser believes it is online.
	b.failRequests("fail every request", true)
	b.waitFor("cannot be reached", banner+`?.includes("The server cannot be reached")`)
	b.checkAccessible("queue, server unreachable")
	b.screenshot("unreachable")
	arrive("my laptop battery is swollen")
	b.failRequests("answer again", false)
	b.waitFor("the banner gone, the queue up to date", notReloaded+` && `+banner+` === "" && `+listed("my laptop battery is swollen"))

	// Offline as the browser knows it: navigator.onLine and its events, and no request gets out.
	b.goOffline("go offline", true)
	b.waitFor("offline said", banner+`?.includes("You are offline")`)
	b.checkAccessible("queue, offline")
	b.screenshot("offline")
	arrive("the charging port is loose")
	b.goOffline("back online", false)
	b.waitFor("the banner gone, the queue up to date again", notReloaded+` && `+banner+` === "" && `+listed("the charging port is loose"))
	b.screenshot("back-online")

	// The dashboard's refresh fails: its figures stay, said to be possibly old.
	b.do("open the dashboard", chromedp.Click(`nav.orgnav a[href="/orgs/`+org+`/dashboard"]`))
	awaiting := `document.querySelector("dd[data-count=awaiting_approval]")?.textContent`
	notUpToDate := `document.querySelector("main .not-up-to-date[role=status]")?.textContent`
	b.waitFor("the dashboard", awaiting+` === "3" && `+notUpToDate+` === ""`)
	b.failRequests("fail every request", true)
	b.waitFor("the figures kept, not up to date", notUpToDate+`?.startsWith("Not up to date: The server cannot be reached") && `+awaiting+` === "3" && `+
		`!document.querySelector("main [role=alert]") && `+banner+`?.includes("The server cannot be reached")`)
	b.checkAccessible("dashboard, not up to date")
	b.screenshot("dashboard-not-up-to-date")

	// A page that does not poll, opened while the server cannot be reached: its query
	// gives up, and the console asks again by itself until the server answers.
	_, anaID := join(t, admin, inbox, org, "ana@shop.test", "OPERATOR")
	b.do("open the services", chromedp.Click(`nav.orgnav a[href="/orgs/`+org+`/services"]`))
	b.waitFor("the services could not be fetched", `document.querySelector("main h1")?.textContent === "Services" && `+
		`document.querySelector("main [role=alert]")?.textContent.includes("cannot be reached") && `+banner+`?.includes("The server cannot be reached")`)
	admin.must(201, "POST", "/api/v1/orgs/"+org+"/services", map[string]any{"key": "consult", "name": "Consultation", "duration_minutes": 30, "operators": []string{anaID}})
	b.failRequests("answer again", false)
	b.waitFor("the banner gone, the services shown", notReloaded+` && `+banner+` === "" && !document.querySelector("main [role=alert]") && `+
		`!!document.querySelector('table.services tr[data-key="consult"]')`)
	b.checkQuiet()
}
