package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestConsoleJourney drives the operator console in a real headless Chromium
// against the real stack, which serves it from the embedded build: signed out,
// the console sends to sign-in and back; an operator picks the organisation,
// finds a waiting request in the queue, sees the API's field error beside its
// control, approves the request and sees it routed. axe-core checks every page.
func TestConsoleJourney(t *testing.T) {
	admin, org, _, _ := setUpShopWithInbox(t) // owner@shop.test, verified, ADMIN of Fixit Shop
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 1.0})
	var sub struct {
		ID string `json:"id"`
	}
	submit(t, admin, org, "", "my phone screen is cracked").decode(t, &sub)
	waitForStatus(t, admin, org, sub.ID, "awaiting_approval")

	b := newChromium(t)
	signIn := func(password string) { b.signIn("owner@shop.test", password) }

	// Signed out, the console asks to sign in and remembers where the person was going.
	b.do("open the console", chromedp.Navigate(admin.base+"/"))
	b.waitFor("sign-in page", `location.pathname === "/sign-in" && new URLSearchParams(location.search).get("next") === "/"`)
	b.checkAccessible("sign in")
	b.screenshot("sign-in")
	signIn("not the password")
	b.waitFor("wrong password said", `document.querySelector("[role=alert]")?.textContent.length > 0 && location.pathname === "/sign-in"`)
	b.checkAccessible("sign in, wrong password")
	b.screenshot("sign-in-refused")
	signIn("owner password 1")
	b.waitFor("back where the person was going", `location.pathname === "/" && document.querySelector("main ul.orgs a")?.textContent === "Fixit Shop"`)
	b.checkAccessible("organisations")
	b.screenshot("organisations")

	// The switcher opens the organisation's queue, where the waiting request is.
	b.pick(`header select`, org)
	queue := "/orgs/" + org + "/intake"
	b.waitFor("the queue", fmt.Sprintf(`location.pathname === %q && [...document.querySelectorAll("table.queue tr[data-status=awaiting_approval] a")].some(a => a.textContent === "my phone screen is cracked")`, queue))
	b.checkAccessible("intake queue")
	b.screenshot("queue")
	b.pick(`form[role=search] select`, "routed") // the status filter: nothing is routed yet
	b.waitFor("the filtered queue", `new URLSearchParams(location.search).get("status") === "routed" && !document.querySelector("table.queue") && document.querySelector("main").textContent.includes("No request matches")`)
	b.pick(`form[role=search] select`, "awaiting_approval")
	b.waitFor("the request listed again", `!!document.querySelector("table.queue tr[data-status=awaiting_approval] a")`)
	// Received up to two days ago: nothing; from two days ago: the request. The days are the browser's.
	twoDaysAgo := time.Now().AddDate(0, 0, -2).Format(time.DateOnly)
	filter := func() { b.do("filter", chromedp.Click(`form[role=search] button[type=submit]`)) }
	b.fill(`form[role=search] input[name=to]`, twoDaysAgo)
	filter()
	b.waitFor("none received by then", `new URLSearchParams(location.search).has("to") && !document.querySelector("table.queue") && document.querySelector("main").textContent.includes("No request matches")`)
	b.clear(`form[role=search] input[name=to]`)
	b.fill(`form[role=search] input[name=from]`, twoDaysAgo)
	filter()
	b.waitFor("received since then", `new URLSearchParams(location.search).has("from") && !new URLSearchParams(location.search).has("to") && !!document.querySelector("table.queue tr[data-status=awaiting_approval] a")`)
	// The assignee filter offers the organisation's members: nothing waiting is the owner's yet.
	var me struct {
		ID string `json:"id"`
	}
	admin.must(200, "GET", "/api/v1/me", nil).decode(t, &me)
	b.pick(`form[role=search] select[name=assignee]`, me.ID)
	filter()
	b.waitFor("nothing assigned to the owner", fmt.Sprintf(`new URLSearchParams(location.search).get("assignee") === %q && document.querySelector("main").textContent.includes("No request matches")`, me.ID))
	b.pick(`form[role=search] select[name=assignee]`, "")
	filter()
	b.waitFor("the request listed again", `!new URLSearchParams(location.search).has("assignee") && !!document.querySelector("table.queue tr[data-status=awaiting_approval] a")`)
	// A day in the URL that is no day is said beside its field.
	b.do("a queue link with no such day", chromedp.Navigate(admin.base+queue+"?from=2026-02-31"))
	b.waitFor("the day refused beside its field", `(() => {
		const input = document.querySelector("form[role=search] input[name=from]");
		const error = document.getElementById(input?.getAttribute("aria-describedby") || "");
		return input?.getAttribute("aria-invalid") === "true" && error?.textContent.includes("must be a day");
	})()`)
	b.checkAccessible("intake queue, refused day")
	b.do("back to the whole queue", chromedp.Navigate(admin.base+queue))
	b.waitFor("the request listed again", `!!document.querySelector("table.queue tr[data-status=awaiting_approval] a")`)

	b.do("open the request", chromedp.Click(`table.queue tr[data-status=awaiting_approval] a`))
	b.waitFor("the request", fmt.Sprintf(`location.pathname === %q && document.querySelector("#request-status")?.dataset.status === "awaiting_approval"`, queue+"/"+sub.ID))
	b.checkAccessible("request")
	b.screenshot("request")

	// A pipeline that does not exist: the API's errors[].field shows beside the pipeline field.
	b.do("reassign to an unknown pipeline", chromedp.Click(`form.decision input[value=reassign]`),
		chromedp.WaitVisible(`form.decision .field input`), chromedp.SendKeys(`form.decision .field input`, "marketing"),
		chromedp.Click(`form.decision button[type=submit]`))
	b.waitFor("the field error beside the pipeline", `(() => {
		const input = document.querySelector("form.decision .field input");
		const error = document.getElementById(input.getAttribute("aria-describedby")?.split(" ").pop() || "");
		return input.getAttribute("aria-invalid") === "true" && error?.classList.contains("field-error") &&
			error.closest(".field") === input.closest(".field") && error.textContent.length > 0;
	})()`)
	b.checkAccessible("request, refused decision")
	b.screenshot("decision-field-error")

	b.do("approve", chromedp.Click(`form.decision input[value=approve]`), chromedp.Click(`form.decision button[type=submit]`))
	b.waitFor("routed", `document.querySelector("#request-status")?.dataset.status === "routed" && document.querySelector("#request-status").textContent === "Routed"`)
	b.screenshot("routed")
	if routed := waitForStatus(t, admin, org, sub.ID, "routed"); routed.Routing.DecidedBy != "operator" || routed.Routing.Pipeline != "repairs" {
		t.Fatalf("after approving in the console: %+v, want repairs decided by an operator", routed.Routing)
	}

	// The session ends (cookies gone): the next request's 401 sends to sign-in, and signing in comes back.
	b.do("lose the session", func(ctx context.Context, tab *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tab, network.ClearBrowserCookies, cdp.Empty{})
		return chromedp.Void{}, err
	})
	b.do("back to the queue", chromedp.Click(`main a[href="`+queue+`"]`))
	b.waitFor("sign-in after the 401", fmt.Sprintf(`location.pathname === "/sign-in" && new URLSearchParams(location.search).get("next") === %q`, queue))
	signIn("owner password 1")
	b.waitFor("back at the queue", fmt.Sprintf(`location.pathname === %q && !!document.querySelector("table.queue tr[data-status=routed]")`, queue))
	b.checkAccessible("intake queue after the decision")
	b.screenshot("queue-after")

	// A console path that is no page says so and leads home.
	b.do("open no such page", chromedp.Navigate(admin.base+"/orgs/"+org+"/no-such-page"))
	b.waitFor("page not found", `document.querySelector("main h1")?.textContent === "Page not found" && !!document.querySelector("main a[href='/']")`)
	b.checkAccessible("page not found")
	b.checkQuiet()
}

// TestConsoleClientSeesOnlyTheirOwn: a CLIENT's queue lists their own requests
// and no one else's, their request's page offers no decision, and another's
// request is plainly not found.
func TestConsoleClientSeesOnlyTheirOwn(t *testing.T) {
	admin, org, _, inbox := setUpShopWithInbox(t)
	admin.must(200, "PUT", "/api/v1/orgs/"+org+"/routing/settings", map[string]any{"threshold": 1.0})
	client, _ := join(t, admin, inbox, org, "client@shop.test", "CLIENT")
	var mine, theirs struct {
		ID string `json:"id"`
	}
	submit(t, client, org, "", "my laptop battery is swollen").decode(t, &mine)
	submit(t, admin, org, "", "my phone screen is cracked").decode(t, &theirs)
	waitForStatus(t, admin, org, mine.ID, "awaiting_approval")
	waitForStatus(t, admin, org, theirs.ID, "awaiting_approval")

	b := newChromium(t)
	queue := "/orgs/" + org + "/intake"
	b.do("open the queue", chromedp.Navigate(client.base+queue))
	b.waitFor("sign-in page", fmt.Sprintf(`location.pathname === "/sign-in" && new URLSearchParams(location.search).get("next") === %q`, queue))
	b.signIn("client@shop.test", "member password 1")
	// The navigation is drawn once the role is known: what the CLIENT is offered is settled then.
	b.waitFor("the client's queue", `[...document.querySelectorAll("table.queue a")].some(a => a.textContent === "my laptop battery is swollen") && !!document.querySelector("nav.orgnav")`)
	if rows := eval[int](b, `document.querySelectorAll("table.queue tbody tr").length`); rows != 1 {
		t.Errorf("the client's queue lists %d requests, want only their own", rows)
	}
	if eval[bool](b, `document.querySelector("main").textContent.includes("my phone screen is cracked")`) {
		t.Error("the client's queue shows another's request")
	}
	if eval[bool](b, `!!document.querySelector("form[role=search] select[name=assignee]")`) {
		t.Error("a CLIENT is offered an assignee filter over members they cannot list")
	}
	b.checkAccessible("client's queue")
	b.screenshot("client-queue")

	b.do("open their request", chromedp.Click(`table.queue a`))
	b.waitFor("their request", fmt.Sprintf(`location.pathname === %q && document.querySelector("#request-status")?.dataset.status === "awaiting_approval"`, queue+"/"+mine.ID))
	if eval[bool](b, `!!document.querySelector("form.decision")`) {
		t.Error("a CLIENT is offered the decision form")
	}
	b.checkAccessible("client's request")
	b.screenshot("client-request")

	b.do("open another's request", chromedp.Navigate(client.base+queue+"/"+theirs.ID))
	b.waitFor("not found, plainly", `document.querySelector("main [role=alert]")?.textContent.startsWith("Not found")`)
	if eval[bool](b, `document.querySelector("main").textContent.includes("my phone screen is cracked")`) {
		t.Error("another's request is shown to a CLIENT")
	}
	b.checkAccessible("another's request")
	b.screenshot("client-not-found")
	b.checkQuiet()
}
