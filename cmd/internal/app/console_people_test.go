package app

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/astralisops/astralis/internal/testenv"
)

// mailedLink is the console page a mail links to (path ending in ?token=…), as a path on base.
func mailedLink(t *testing.T, m testenv.Mail, path string) string {
	t.Helper()
	link := regexp.MustCompile(`https?://\S+` + regexp.QuoteMeta(path) + `\?\S+`).FindString(m.Text)
	u, err := url.Parse(link)
	if link == "" || err != nil || u.Query().Get("token") == "" {
		t.Fatalf("mail %q has no link to %s with a token (%v):\n%s", m.Subject, path, err, m.Text)
	}
	return u.RequestURI()
}

// fieldErrorBeside is the predicate that the field whose control matches
// selector is marked invalid with its error inside the same .field.
func fieldErrorBeside(selector string) string {
	return fmt.Sprintf(`(() => {
		const input = document.querySelector(%q);
		const error = document.getElementById(input?.getAttribute("aria-describedby")?.split(" ").pop() || "");
		return input?.getAttribute("aria-invalid") === "true" && error?.classList.contains("field-error") &&
			error.closest(".field") === input.closest(".field") && error.textContent.length > 0;
	})()`, selector)
}

// signOut uses the header's button and waits for the sign-in page.
func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(`header .who button`))
	b.waitFor("signed out", `location.pathname === "/sign-in" && !!document.querySelector("input[autocomplete=username]")`)
}

// member is one member as GET members lists them.
type member struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	Role   string `json:"role"`
}

func membersOf(t *testing.T, admin *caller, org string) []member {
	t.Helper()
	var page struct {
		Items []member `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/members", nil).decode(t, &page)
	return page.Items
}

// TestConsoleMembersInvitationsAndTokens: an ADMIN invites two addresses in
// the console (a bad address refused beside its field first); the first
// invitee opens the mailed link, signs up, confirms, comes back by the link,
// accepts and lands in the organisation as the invited OPERATOR, whose
// members page is read-only. The ADMIN revokes the other invitation, changes
// the new member's role and removes them (asked twice), the API agreeing each
// time; creates an API token shown once, which works as a Bearer token until
// it is revoked; reads these actions in the audit log, paging to older ones;
// and finds their own sign-ins on their account page. axe-core checks every page.
func TestConsoleMembersInvitationsAndTokens(t *testing.T) {
	admin, org, _, inbox, base := setUpShopFull(t, false) // owner@shop.test, ADMIN of Fixit Shop
	b := newChromium(t)
	members := "/orgs/" + org + "/members"
	b.do("open the members", chromedp.Navigate(base+members))
	b.waitFor("sign-in page", fmt.Sprintf(`location.pathname === "/sign-in" && new URLSearchParams(location.search).get("next") === %q`, members))
	b.signIn("owner@shop.test", "owner password 1")
	b.waitFor("the members", `document.querySelector("table.members tr[data-email='owner@shop.test']")?.dataset.role === "ADMIN" &&
		document.querySelector("main").textContent.includes("No invitation is waiting")`)
	b.checkAccessible("members")
	b.screenshot("members")

	// An address that is none: the API's errors[].field shows beside the email field.
	invite := func(email, role string) {
		b.clear(`form.invite input[type=email]`)
		b.pick(`form.invite select`, role)
		b.do("invite "+email, chromedp.SendKeys(`form.invite input[type=email]`, email), chromedp.Click(`form.invite button[type=submit]`))
	}
	invite("not an address", "OPERATOR")
	b.waitFor("the email's error beside it", fieldErrorBeside(`form.invite input[type=email]`))
	b.checkAccessible("members, refused invitation")
	b.screenshot("invite-refused")
	invite("newbie@shop.test", "OPERATOR")
	b.waitFor("invited, pending", `document.querySelector("#invited")?.textContent.includes("newbie@shop.test") &&
		!!document.querySelector("table.invitations tr[data-email='newbie@shop.test']")`)
	invite("other@shop.test", "CLIENT")
	b.waitFor("both pending", `document.querySelectorAll("table.invitations tbody tr").length === 2`)
	b.checkAccessible("members, pending invitations")
	b.screenshot("invitations")

	// Revoking the other invitation: gone from the list and from the API.
	b.do("revoke the other invitation", chromedp.Click(`table.invitations tr[data-email='other@shop.test'] button`))
	b.waitFor("only newbie pending", `document.querySelectorAll("table.invitations tbody tr").length === 1 &&
		!!document.querySelector("table.invitations tr[data-email='newbie@shop.test']")`)
	var pending struct {
		Items []struct {
			Email string `json:"email"`
		} `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/orgs/"+org+"/invitations", nil).decode(t, &pending)
	if len(pending.Items) != 1 || pending.Items[0].Email != "newbie@shop.test" {
		t.Fatalf("pending invitations after the revocation: %+v, want newbie@shop.test's alone", pending.Items)
	}
	b.signOut()

	// The invitee has no account: the mailed link sends to sign in, sign-up keeps where it was going.
	invitation := mailedLink(t, inbox.WaitFor(t, "newbie@shop.test", "You are invited"), "/accept-invitation")
	b.do("open the invitation's link", chromedp.Navigate(base+invitation))
	b.waitFor("sign in to continue", fmt.Sprintf(`location.pathname === "/sign-in" && new URLSearchParams(location.search).get("next") === %q`, invitation))
	b.do("choose to sign up", chromedp.Click(`main a[href^="/sign-up"]`))
	b.waitFor("sign-up page", fmt.Sprintf(`location.pathname === "/sign-up" && new URLSearchParams(location.search).get("next") === %q`, invitation))
	b.checkAccessible("sign up")
	b.screenshot("sign-up")
	b.do("sign up", chromedp.SendKeys(`input[autocomplete=name]`, "Nina Newbie"), chromedp.SendKeys(`input[autocomplete=email]`, "newbie@shop.test"),
		chromedp.SendKeys(`input[autocomplete=new-password]`, "newbie password 1"), chromedp.Click(`main button[type=submit]`))
	b.waitFor("asked to check the mail, sign-in keeps the invitation", fmt.Sprintf(`document.querySelector("[role=status]")?.textContent.includes("newbie@shop.test") &&
		new URLSearchParams(new URL(document.querySelector("main a[href^='/sign-in']").href).search).get("next") === %q`, invitation))
	b.do("open the confirmation link", chromedp.Navigate(base+mailedLink(t, inbox.WaitFor(t, "newbie@shop.test", "Confirm your email"), "/verify-email")))
	b.do("confirm the address", chromedp.WaitVisible(`input[type=password]`), chromedp.SendKeys(`input[type=password]`, "newbie password 1"),
		chromedp.Click(`main button[type=submit]`))
	b.waitFor("confirmed", `document.querySelector("[role=status]")?.textContent.includes("confirmed")`)
	// The confirmation link kept the invitation: signing in from it goes on there.
	b.do("sign in from the confirmation", chromedp.Click(`[role=status] a[href^="/sign-in"]`))
	b.waitFor("sign in to continue to the invitation", fmt.Sprintf(`location.pathname === "/sign-in" && new URLSearchParams(location.search).get("next") === %q`, invitation))
	b.signIn("newbie@shop.test", "newbie password 1")
	b.waitFor("the invitation", `location.pathname === "/accept-invitation" && document.querySelector("main").textContent.includes("newbie@shop.test")`)
	b.checkAccessible("accept invitation")
	b.screenshot("accept-invitation")
	// By keyboard: Tab to the button, Enter.
	b.tabTo(`main button`)
	b.press("accept", kb.Enter)
	b.waitFor("in the organisation as an OPERATOR", fmt.Sprintf(`location.pathname === %q && !!document.querySelector("nav.orgnav a[href='%s']") &&
		!document.querySelector("nav.orgnav a[href$='/audit']")`, "/orgs/"+org+"/intake", members))
	b.screenshot("joined")
	// An OPERATOR lists the members, and is offered no change.
	b.do("open the members as an OPERATOR", chromedp.Click(`nav.orgnav a[href="`+members+`"]`))
	b.waitFor("read-only members", `document.querySelector("table.members tr[data-email='newbie@shop.test']")?.dataset.role === "OPERATOR" &&
		!document.querySelector("table.members select, table.members button, form.invite, table.invitations")`)
	b.checkAccessible("members, read-only")
	b.screenshot("members-read-only")
	newbie := slices.IndexFunc(membersOf(t, admin, org), func(m member) bool { return m.Email == "newbie@shop.test" && m.Role == "OPERATOR" })
	if newbie < 0 {
		t.Fatalf("the API lists no OPERATOR newbie@shop.test after the console's acceptance: %+v", membersOf(t, admin, org))
	}
	b.signOut()

	// The ADMIN makes the new member a CLIENT: the list and the API agree.
	b.do("back to the members", chromedp.Navigate(base+members))
	b.waitFor("sign-in page", `location.pathname === "/sign-in"`)
	b.signIn("owner@shop.test", "owner password 1")
	b.waitFor("the new member, no invitation left", `document.querySelector("table.members tr[data-email='newbie@shop.test']")?.dataset.role === "OPERATOR" &&
		document.querySelector("main").textContent.includes("No invitation is waiting")`)
	b.pick(`table.members tr[data-email='newbie@shop.test'] select`, "CLIENT")
	b.do("change the role", chromedp.Click(`table.members tr[data-email='newbie@shop.test'] form button[type=submit]`))
	b.waitFor("a CLIENT now", `document.querySelector("table.members tr[data-email='newbie@shop.test']")?.dataset.role === "CLIENT"`)
	if m := membersOf(t, admin, org); !slices.ContainsFunc(m, func(m member) bool { return m.Email == "newbie@shop.test" && m.Role == "CLIENT" }) {
		t.Fatalf("the API's members after the console's change: %+v, want newbie@shop.test a CLIENT", m)
	}
	// The last ADMIN cannot step down: the API's refusal shows in their row.
	b.pick(`table.members tr[data-email='owner@shop.test'] select`, "OPERATOR")
	b.do("demote the last ADMIN", chromedp.Click(`table.members tr[data-email='owner@shop.test'] form button[type=submit]`))
	b.waitFor("refused in the row", `document.querySelector("table.members tr[data-email='owner@shop.test'] [role=alert]")?.textContent.length > 0 &&
		document.querySelector("table.members tr[data-email='owner@shop.test']").dataset.role === "ADMIN"`)
	b.checkAccessible("members, role changed")
	b.screenshot("role-changed")

	// Removing is asked twice.
	b.do("ask to remove", chromedp.Click(`table.members tr[data-email='newbie@shop.test'] button[aria-label^=Remove]`))
	b.waitFor("asked to confirm, the focus on the confirmation", `!!document.querySelector("table.members tr[data-email='newbie@shop.test'] button.danger") &&
		document.activeElement === document.querySelector("table.members tr[data-email='newbie@shop.test'] button.danger")`)
	// "Keep" puts the focus back on Remove; asked again, it goes on.
	b.do("keep them", chromedp.Click(`table.members tr[data-email='newbie@shop.test'] button.danger + button`))
	b.waitFor("the focus back on Remove", `document.activeElement === document.querySelector("table.members tr[data-email='newbie@shop.test'] button[aria-label^=Remove]")`)
	b.do("ask to remove again", chromedp.Click(`table.members tr[data-email='newbie@shop.test'] button[aria-label^=Remove]`))
	b.waitFor("asked to confirm again", `!!document.querySelector("table.members tr[data-email='newbie@shop.test'] button.danger")`)
	b.checkAccessible("members, confirm removal")
	b.do("confirm", chromedp.Click(`table.members tr[data-email='newbie@shop.test'] button.danger`))
	b.waitFor("removed", `!document.querySelector("table.members tr[data-email='newbie@shop.test']") && !!document.querySelector("table.members tr[data-email='owner@shop.test']")`)
	if m := membersOf(t, admin, org); len(m) != 1 || m[0].Email != "owner@shop.test" {
		t.Fatalf("the API's members after the console's removal: %+v, want the owner alone", m)
	}

	// An API token: a name is required (beside the field), the secret shows once and works as a Bearer token.
	tokens := "/orgs/" + org + "/tokens"
	b.do("open the tokens", chromedp.Click(`nav.orgnav a[href="`+tokens+`"]`))
	b.waitFor("no token yet", `location.pathname.endsWith("/tokens") && document.querySelector("main").textContent.includes("No active token")`)
	b.checkAccessible("tokens")
	b.do("create a nameless token", chromedp.Click(`form.create-token button[type=submit]`))
	b.waitFor("the name's error beside it", fieldErrorBeside(`form.create-token input`))
	b.pick(`form.create-token select`, "OPERATOR")
	b.do("create a token", chromedp.SendKeys(`form.create-token input`, "ci script"), chromedp.Click(`form.create-token button[type=submit]`))
	b.waitFor("the secret, once", `document.querySelector("#new-token")?.textContent.length > 20 &&
		document.querySelector(".new-secret [role=status]").textContent.includes("you will not see it again") &&
		document.querySelector("table.tokens tr[data-name='ci script']")?.textContent.includes("OPERATOR")`)
	// The form that held the focus is gone: the focus is on the next step, Copy.
	b.waitFor("the focus on Copy", `document.activeElement?.textContent === "Copy" && !!document.activeElement.closest(".new-secret")`)
	b.checkAccessible("tokens, new secret")
	b.screenshot("token-created")
	secret := eval[string](b, `document.querySelector("#new-token").textContent`)
	// The Copy button puts the secret on the clipboard (the page may write it, and the test read it back).
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		b.do("allow "+name, func(ctx context.Context, tab *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, tab, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted, Origin: base})
			return chromedp.Void{}, err
		})
	}
	b.do("copy the secret", chromedp.Click(`.new-secret button:not(.secondary)`))
	b.waitFor("copied", `document.querySelector(".new-secret [aria-live]")?.textContent === "Copied."`)
	if copied := eval[string](b, `navigator.clipboard.readText()`); copied != secret {
		t.Errorf("the clipboard holds %q after Copy, want the new token", copied)
	}
	script := newScript(t, base, secret)
	var seen struct {
		Role string `json:"role"`
	}
	script.must(200, "GET", "/api/v1/orgs/"+org, nil).decode(t, &seen)
	if seen.Role != "OPERATOR" {
		t.Fatalf("the console's token acts as %q in the organisation, want OPERATOR", seen.Role)
	}
	b.do("done with the secret", chromedp.Click(`.new-secret button.secondary`))
	b.waitFor("the secret gone, the focus back in the form", fmt.Sprintf(`!document.body.textContent.includes(%q) && !!document.querySelector("form.create-token") &&
		document.activeElement === document.querySelector("form.create-token input")`, secret))
	b.do("reload the tokens", chromedp.Reload())
	b.waitFor("listed without its secret", fmt.Sprintf(`!!document.querySelector("table.tokens tr[data-name='ci script']") && !document.body.textContent.includes(%q)`, secret))
	b.do("ask to revoke", chromedp.Click(`table.tokens tr[data-name='ci script'] button[aria-label^=Revoke]`))
	b.waitFor("asked to confirm", `!!document.querySelector("table.tokens tr[data-name='ci script'] button.danger")`)
	b.do("confirm", chromedp.Click(`table.tokens tr[data-name='ci script'] button.danger`))
	b.waitFor("revoked", `!document.querySelector("table.tokens") && document.querySelector("main").textContent.includes("No active token")`)
	script.must(401, "GET", "/api/v1/orgs/"+org, nil)
	b.screenshot("token-revoked")

	// More than a page of audit events (two each), so the oldest, the organisation's creation, is on the second page.
	for i := range 12 {
		var tok struct {
			ID string `json:"id"`
		}
		admin.must(201, "POST", "/api/v1/orgs/"+org+"/tokens", map[string]string{"name": fmt.Sprintf("batch %d", i)}).decode(t, &tok)
		admin.must(204, "DELETE", "/api/v1/orgs/"+org+"/tokens/"+tok.ID, nil)
	}
	b.do("open the audit log", chromedp.Click(`nav.orgnav a[href$="/audit"]`))
	b.waitFor("the audit log's first page", `document.querySelectorAll("table.activity tbody tr").length === 25 &&
		document.querySelector("table.activity tbody tr").dataset.action === "org.token.revoked" && !!document.querySelector("main button.secondary")`)
	if eval[bool](b, `!!document.querySelector("table.activity tr[data-action='org.created']")`) {
		t.Error("the oldest event is on the first page of a log longer than a page")
	}
	b.checkAccessible("audit log")
	b.screenshot("audit")
	b.do("show older", chromedp.Click(`main button.secondary`))
	b.waitFor("older events", `document.querySelectorAll("table.activity tbody tr").length > 25 && !!document.querySelector("table.activity tr[data-action='org.created']")`)
	for _, action := range []string{"org.member.invited", "org.invitation.revoked", "org.member.added", "org.member.role_changed", "org.member.removed"} {
		if !eval[bool](b, fmt.Sprintf(`!!document.querySelector("table.activity tr[data-action='%s']")`, action)) {
			t.Errorf("the audit log lacks %s", action)
		}
	}
	// Who lost a role or left is named, the one removed too, though no longer a member.
	for _, action := range []string{"org.member.role_changed", "org.member.removed"} {
		if details := eval[string](b, fmt.Sprintf(`document.querySelector("table.activity tr[data-action='%s'] td.details").textContent`, action)); !strings.HasPrefix(details, "member: newbie@shop.test") {
			t.Errorf("the audit log's %s says %q; want the member named first", action, details)
		}
	}
	b.screenshot("audit-older")
	// Filtered by an action in the URL: the invitations alone, both of them, with who sent them.
	b.pick(`form[role=search] select`, "org.member.invited")
	b.waitFor("the invitations alone", `new URLSearchParams(location.search).get("action") === "org.member.invited" &&
		document.querySelectorAll("table.activity tbody tr").length === 2 &&
		[...document.querySelectorAll("table.activity tbody tr")].every(r => r.dataset.action === "org.member.invited" && r.textContent.includes("owner@shop.test"))`)
	b.checkAccessible("audit log, filtered")
	b.screenshot("audit-filtered")

	// The account page, from the header, lists the person's own sign-ins.
	b.do("open the account", chromedp.Click(`header a[href="/account"]`))
	b.waitFor("the account's activity", `location.pathname === "/account" && document.querySelector("main").textContent.includes("owner@shop.test") &&
		document.querySelectorAll("table.activity tr[data-action='auth.signin.succeeded']").length >= 2`)
	b.checkAccessible("account")
	b.screenshot("account")
	b.checkQuiet()
}

// TestConsolePasswordReset: "Forgot password?" on the sign-in page asks for
// a link with the same neutral answer for an unknown address; the mailed link
// opens the console's reset page, which says a too-short password beside the
// field, then sets the new one; the old password is refused and the new one
// signs in; the used link is refused. axe-core on every page.
func TestConsolePasswordReset(t *testing.T) {
	smtp, inbox := withSMTP(t)
	base, _ := startDev(t, smtp)
	signUpVerified(t, base, inbox, "owner@shop.test", "owner password 1")

	b := newChromium(t)
	b.do("open the sign-in page", chromedp.Navigate(base+"/sign-in"))
	b.waitFor("the sign-in page", `!!document.querySelector("main a[href='/forgot-password']")`)
	b.checkAccessible("sign in")
	b.screenshot("sign-in")
	b.do("forgot the password", chromedp.Click(`main a[href="/forgot-password"]`))
	b.waitFor("the forgot-password page", `location.pathname === "/forgot-password" && !!document.querySelector("main input[type=email]")`)
	b.checkAccessible("forgot password")
	b.screenshot("forgot")
	ask := func(email string) string {
		b.do("ask for a link for "+email, chromedp.WaitVisible(`main input[type=email]`), chromedp.SendKeys(`main input[type=email]`, email),
			chromedp.Click(`main button[type=submit]`))
		b.waitFor("the neutral answer", `document.querySelector("#reset-requested")?.textContent.length > 0`)
		return strings.ReplaceAll(eval[string](b, `document.querySelector("#reset-requested").textContent`), email, "ADDRESS")
	}
	unknown := ask("nobody@shop.test")
	b.checkAccessible("forgot password, asked")
	b.screenshot("forgot-asked")
	b.do("again", chromedp.Reload())
	if known := ask("owner@shop.test"); known != unknown {
		t.Errorf("the answer tells a registered address (%q) from an unknown one (%q)", known, unknown)
	}

	reset := mailedLink(t, inbox.WaitFor(t, "owner@shop.test", "Reset your AstralisOps password"), "/reset-password")
	b.do("open the reset link", chromedp.Navigate(base+reset))
	b.waitFor("the reset page", `location.pathname === "/reset-password" && !!document.querySelector("main input[type=password]")`)
	b.checkAccessible("reset password")
	b.do("a too short password", chromedp.SendKeys(`main input[type=password]`, "short"))
	eval[chromedp.Void](b, `document.activeElement.blur()`) // the focus elsewhere, so it can be seen to move
	b.do("send it", chromedp.Click(`main button[type=submit]`))
	// The focus goes to the refused field, so its error is read out.
	b.waitFor("the password's error beside it, the focus on it", fieldErrorBeside(`main input[type=password]`)+
		` && document.activeElement === document.querySelector("main input[type=password]")`)
	b.checkAccessible("reset password, refused")
	b.screenshot("reset-refused")
	b.clear(`main input[type=password]`)
	b.do("a new password", chromedp.SendKeys(`main input[type=password]`, "a brand new password 2"), chromedp.Click(`main button[type=submit]`))
	b.waitFor("changed", `document.querySelector("#password-reset")?.textContent.includes("Your password is changed")`)
	b.checkAccessible("reset password, done")
	b.screenshot("reset-done")

	// A sign-in link whose next would leave the console ("/\host" is another host to a browser) lands home instead.
	b.do("a sign-in link pointing away", chromedp.Navigate(base+`/sign-in?next=%2F%5Cexample.com%2Fphish`))
	b.waitFor("sign-in page", `location.pathname === "/sign-in"`)
	b.signIn("owner@shop.test", "owner password 1")
	b.waitFor("the old password refused", `location.pathname === "/sign-in" && document.querySelector("main [role=alert]")?.textContent.length > 0`)
	b.screenshot("old-password-refused")
	b.signIn("owner@shop.test", "a brand new password 2")
	b.waitFor("signed in with the new one, and home", fmt.Sprintf(`location.origin === %q && location.pathname === "/" && document.querySelector("main h1")?.textContent === "Your organisations"`, base))

	// The link works once.
	b.do("open the used link", chromedp.Navigate(base+reset))
	b.do("use it again", chromedp.WaitVisible(`main input[type=password]`), chromedp.SendKeys(`main input[type=password]`, "yet another password 3"),
		chromedp.Click(`main button[type=submit]`))
	b.waitFor("refused", `document.querySelector("main [role=alert]")?.textContent.includes("invalid, expired or already used")`)
	b.checkAccessible("reset password, used link")
	b.screenshot("reset-link-used")
	b.checkQuiet()
}

// TestConsoleSaysWhenToTryAgain: a sign-in over the limit says which limit,
// and when to try again in minutes read from Retry-After (not "840 seconds",
// and not the API's "try again later" twice).
func TestConsoleSaysWhenToTryAgain(t *testing.T) {
	base, _ := startDev(t)
	guesser := newBrowser(t, base) // from the browser's address too
	for range 10 {
		guesser.must(401, "POST", "/api/v1/auth/login", map[string]string{"email": "owner@shop.test", "password": "a wrong guess"})
	}
	b := newChromium(t)
	b.do("open the sign-in page", chromedp.Navigate(base+"/sign-in"))
	b.do("one guess more", chromedp.WaitVisible(`input[autocomplete=username]`), chromedp.SendKeys(`input[autocomplete=username]`, "owner@shop.test"),
		chromedp.SendKeys(`input[autocomplete=current-password]`, "another guess"), chromedp.Click(`main button[type=submit]`))
	b.waitFor("refused", `!!document.querySelector("main [role=alert]")`)
	said := eval[string](b, `document.querySelector("main [role=alert]").textContent`)
	if !regexp.MustCompile(`^Too many failed sign-ins for this account from this address\. Try again in 1[45] minutes\.$`).MatchString(said) {
		t.Errorf("the sign-in page says %q; want which limit, and to try again in 15 minutes", said)
	}
	b.checkAccessible("sign in, too many attempts")
	b.screenshot("sign-in-too-many")
}
