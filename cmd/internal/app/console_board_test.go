package app

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

var verifyLink = regexp.MustCompile(`https?://\S+/verify-email\?token=[A-Za-z0-9_-]+`)

// TestConsoleFromSignUpToBoard is a newcomer's first day in Chromium: sign up,
// confirm the mailed link, create an organisation and a pipeline, submit a
// request, approve it in the queue, move its item to the next stage on the
// board with the keyboard alone (dnd-kit's keyboard sensor, with its spoken
// announcements), and see the dashboard's count follow. axe-core checks every page.
func TestConsoleFromSignUpToBoard(t *testing.T) {
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp)
	const email, password = "newcomer@harbour.test", "newcomer password 1"
	b := newChromium(t)

	b.do("open sign-up", chromedp.Navigate(base+"/sign-up"))
	b.checkAccessible("sign up")
	b.do("sign up", chromedp.SendKeys(`input[autocomplete=name]`, "Nia Newcomer"),
		chromedp.SendKeys(`input[type=email]`, email), chromedp.SendKeys(`input[type=password]`, password),
		chromedp.Click(`main button[type=submit]`))
	b.waitFor("check your email", `document.querySelector("[role=status]")?.textContent.includes("We sent a link")`)

	// The mailed link, followed on the console's own origin.
	m := inbox.WaitFor(t, email, "Confirm your email")
	link := verifyLink.FindString(m.Text)
	if link == "" {
		t.Fatalf("no confirmation link in the mail:\n%s", m.Text)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	b.do("open the confirmation link", chromedp.Navigate(base+u.RequestURI()))
	b.checkAccessible("confirm email")
	b.do("confirm", chromedp.SendKeys(`input[type=password]`, password), chromedp.Click(`main button[type=submit]`))
	b.waitFor("confirmed", `document.querySelector("[role=status]")?.textContent.includes("confirmed")`)
	b.do("go to sign in", chromedp.Click(`main a[href="/sign-in"]`))
	b.waitFor("sign-in page", `location.pathname === "/sign-in"`)
	b.signIn(email, password)

	// No organisation yet: the page says so and offers to create one.
	b.waitFor("no organisation yet", `location.pathname === "/" && document.querySelector("main").textContent.includes("no organisation yet") && !!document.querySelector("form.create-org")`)
	b.checkAccessible("organisations, none yet")
	b.screenshot("no-organisation")
	b.do("create an organisation", chromedp.SendKeys(`form.create-org input`, "Harbour Repairs"), chromedp.Click(`form.create-org button[type=submit]`))
	b.waitFor("its pipelines", `/^\/orgs\/[0-9a-f-]{36}\/pipelines$/.test(location.pathname) && document.querySelector("main").textContent.includes("No pipeline yet")`)
	org := eval[string](b, `location.pathname.split("/")[2]`)
	b.checkAccessible("pipelines, none yet")
	b.screenshot("no-pipelines")

	// An ADMIN's pipeline with its stages, one a line.
	b.do("fill in the pipeline", chromedp.SendKeys(`form.pipeline-form input[name=key]`, "repairs"),
		chromedp.SendKeys(`form.pipeline-form input[name=name]`, "Repairs"),
		chromedp.SendKeys(`form.pipeline-form textarea[name=description]`, "Broken, cracked or faulty devices: screens, batteries."))
	b.clear(`form.pipeline-form textarea[name=stages]`)
	b.do("name its stages", chromedp.SendKeys(`form.pipeline-form textarea[name=stages]`, "New\nDiagnosing\nFixed"),
		chromedp.Click(`form.pipeline-form button[type=submit]`))
	b.waitFor("the pipeline listed", `document.querySelector("table.pipelines tr[data-key=repairs]")?.textContent.includes("New → Diagnosing → Fixed")`)
	// A second pipeline, so routing has a choice to put to a person (one pipeline is a certainty).
	b.do("add a billing pipeline", chromedp.SendKeys(`form.pipeline-form input[name=key]`, "billing"),
		chromedp.SendKeys(`form.pipeline-form input[name=name]`, "Billing"),
		chromedp.SendKeys(`form.pipeline-form textarea[name=description]`, "Invoices, payments and refunds."),
		chromedp.Click(`form.pipeline-form button[type=submit]`))
	b.waitFor("both pipelines listed", `!!document.querySelector("table.pipelines tr[data-key=billing]") && !!document.querySelector("table.pipelines tr[data-key=repairs]")`)
	b.checkAccessible("pipelines")
	b.screenshot("pipelines")

	// The console has no routing settings yet: every request waits for a person, set over the API.
	admin := newBrowser(t, base)
	admin.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password})
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 1.0})

	b.do("open submit a request", chromedp.Click(`nav.orgnav a[href="/orgs/`+org+`/submit"]`))
	b.waitFor("the request form", `!!document.querySelector("form.submit-request")`)
	b.checkAccessible("submit a request")
	b.do("submit a request", chromedp.SendKeys(`form.submit-request input[name=subject]`, "my phone screen is cracked"),
		chromedp.SendKeys(`form.submit-request textarea[name=body]`, "Dropped it; the screen is cracked."),
		chromedp.Click(`form.submit-request button[type=submit]`))
	b.waitFor("request received", `!!document.querySelector("#submitted a")`)
	b.checkAccessible("submit a request, sent")
	b.screenshot("submitted")

	// Approved in the queue, the request becomes an item in the pipeline's first stage.
	queue := "/orgs/" + org + "/intake"
	b.do("open the queue", chromedp.Click(`nav.orgnav a[href="`+queue+`"]`))
	b.waitFor("the request waits", `!!document.querySelector("table.queue tr[data-status=awaiting_approval] a")`)
	b.do("open the request", chromedp.Click(`table.queue tr[data-status=awaiting_approval] a`))
	b.waitFor("the decision form", `!!document.querySelector("form.decision")`)
	b.do("approve", chromedp.Click(`form.decision input[value=approve]`), chromedp.Click(`form.decision button[type=submit]`))
	b.waitFor("routed", `document.querySelector("#request-status")?.dataset.status === "routed"`)

	// A second item in New, put there over the API, so the board has an order to change.
	var second struct {
		ID string `json:"id"`
	}
	submit(t, admin, org, "", "my laptop battery is swollen").decode(t, &second)
	waitForStatus(t, admin, org, second.ID, "awaiting_approval")
	admin.must(200, "POST", "/api/v1/orgs/"+org+"/intake/"+second.ID+"/decision", map[string]string{"action": "reassign", "pipeline": "repairs"})
	waitForStatus(t, admin, org, second.ID, "routed")

	stageCount := func(stage string) string {
		return fmt.Sprintf(`document.querySelector('table.dashboard-stages tr[data-pipeline=repairs][data-stage=%q] td:last-child')?.textContent`, stage)
	}
	b.do("open the dashboard", chromedp.Click(`nav.orgnav a[href="/orgs/`+org+`/dashboard"]`))
	b.waitFor("two items new, none diagnosing", stageCount("New")+` === "2" && `+stageCount("Diagnosing")+` === "0"`)
	b.checkAccessible("dashboard")
	b.screenshot("dashboard-before")

	titles := func(stage string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('section.column[data-stage=%q] li.card .card-title')].map(e => e.textContent).join(" | ")`, stage)
	}
	b.do("open the pipelines", chromedp.Click(`nav.orgnav a[href="/orgs/`+org+`/pipelines"]`))
	b.do("open the board", chromedp.Click(`table.pipelines a[href="/orgs/`+org+`/pipelines/repairs"]`))
	b.waitFor("both items in New, in the order they came", titles("New")+` === "my phone screen is cracked | my laptop battery is swollen"`)
	b.checkAccessible("board")
	b.screenshot("board-before")

	// The keyboard alone: Tab to an item's Move button, space picks it up, the arrows
	// carry it, space drops it; each step is announced. dnd-kit measures the board just
	// after the pick-up, and an arrow before then is ignored (a person never notices),
	// so an arrow is pressed again until its effect is heard.
	announced := `[...document.querySelectorAll("[id^=DndLiveRegion]")].map(e => e.textContent).join(" ")`
	carry := func(key, heard string) {
		t.Helper()
		for try := 0; !eval[bool](b, announced+fmt.Sprintf(`.includes(%q)`, heard)); try++ {
			if try == 10 {
				b.t.Fatalf("the arrow never brought %q; heard %q", heard, eval[string](b, announced))
			}
			b.press("carry", key)
			time.Sleep(200 * time.Millisecond)
		}
	}
	b.tabTo(`section.column[data-stage="New"] li.card:nth-child(2) button.handle`)
	b.press("pick up", " ")
	b.waitFor("picked up, announced", announced+`.includes("Picked up my laptop battery is swollen, at position 2 of 2 in New")`)
	carry(kb.ArrowUp, "is over position 1 of 2 in New")
	b.press("drop", " ")
	b.waitFor("reordered within New", titles("New")+` === "my laptop battery is swollen | my phone screen is cracked"`)
	b.waitFor("dropped, announced", announced+`.includes("dropped")`)
	b.waitFor("the focus still on its Move button", `!!document.activeElement?.matches('section.column[data-stage="New"] li.card:nth-child(1) button.handle')`)
	// Stored, not only shown (the page shows a move before the API answers): then a fresh page agrees.
	waitForBoard(t, admin, org, "repairs", "New", "my laptop battery is swollen", "my phone screen is cracked")
	b.do("reload the board", chromedp.Reload())
	b.waitFor("the new order on a fresh page", titles("New")+` === "my laptop battery is swollen | my phone screen is cracked"`)

	b.tabTo(`section.column[data-stage="New"] li.card:nth-child(2) button.handle`)
	b.press("pick up the other", " ")
	b.waitFor("the other picked up, announced", announced+`.includes("Picked up my phone screen is cracked, at position 2 of 2 in New")`)
	carry(kb.ArrowRight, "is over the end of Diagnosing")
	b.screenshotViewport("board-moving")
	b.press("drop", " ")
	b.waitFor("the item in Diagnosing", titles("Diagnosing")+` === "my phone screen is cracked" && `+titles("New")+` === "my laptop battery is swollen"`)
	b.waitFor("the focus back on the item's Move button", `!!document.activeElement?.matches('section.column[data-stage="Diagnosing"] li.card button.handle')`)
	b.checkAccessible("board after the moves")
	b.screenshot("board-after")

	waitForBoard(t, admin, org, "repairs", "Diagnosing", "my phone screen is cracked")
	b.do("reload the board again", chromedp.Reload())
	b.waitFor("still in Diagnosing", titles("Diagnosing")+` === "my phone screen is cracked" && `+titles("New")+` === "my laptop battery is swollen"`)

	// A small edit: a clearer title, and nobody on it any more (a routed item is assigned to the only ADMIN).
	b.do("open the item's editor", chromedp.Click(`section.column[data-stage="Diagnosing"] li.card button.edit`))
	b.waitFor("the editor, with the assignable people", `document.querySelectorAll("form.item-editor select option").length === 2`)
	b.checkAccessible("item editor")
	b.clear(`form.item-editor input`)
	b.do("retitle", chromedp.SendKeys(`form.item-editor input`, "Replace the cracked screen"))
	b.pick(`form.item-editor select`, "")
	b.screenshot("item-editor")
	b.do("save the item", chromedp.Click(`form.item-editor button[type=submit]`))
	b.waitFor("the new title on the board", `!document.querySelector("form.item-editor") && `+titles("Diagnosing")+` === "Replace the cracked screen"`)
	if got := waitForBoard(t, admin, org, "repairs", "Diagnosing", "Replace the cracked screen"); got[0].AssigneeID != "" {
		t.Errorf("after the edit the item is assigned to %s, want nobody", got[0].AssigneeID)
	}

	b.do("open the dashboard again", chromedp.Click(`nav.orgnav a[href="/orgs/`+org+`/dashboard"]`))
	b.waitFor("one new, one diagnosing", stageCount("New")+` === "1" && `+stageCount("Diagnosing")+` === "1"`)
	b.checkAccessible("dashboard after the moves")
	b.screenshot("dashboard-after")
	b.checkQuiet()
}

type boardItem struct {
	Title      string `json:"title"`
	AssigneeID string `json:"assignee_id"`
}

// waitForBoard polls a pipeline's board until stage holds exactly the titles, in order, and returns its items.
func waitForBoard(t *testing.T, c *caller, org, key, stage string, titles ...string) []boardItem {
	t.Helper()
	var got []string
	for range 100 {
		var board struct {
			Stages []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"stages"`
			ItemsByStage map[string][]boardItem `json:"items_by_stage"`
		}
		c.must(200, "GET", "/api/v1/orgs/"+org+"/pipelines/"+key, nil).decode(t, &board)
		got = nil
		for _, s := range board.Stages {
			if s.Name == stage {
				items := board.ItemsByStage[s.ID]
				for _, it := range items {
					got = append(got, it.Title)
				}
				if slices.Equal(got, titles) {
					return items
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s's %s holds %q, want %q", key, stage, got, titles)
	return nil
}
