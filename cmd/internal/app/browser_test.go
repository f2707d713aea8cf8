package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/astralisops/astralis/web"
)

// chromiumPath is Debian's Chromium, which make deps installs.
const chromiumPath = "/usr/bin/chromium"

// axeScript is axe-core from the console's npm packages (make web installs them).
var axeScript = filepath.Join("..", "..", "..", "web", "node_modules", "axe-core", "axe.min.js")

// browser is a headless Chromium tab on the console, with what the page
// reported that a person would notice broken (script errors, refused CSP).
type browser struct {
	t       *testing.T
	ctx     context.Context
	shots   string
	shotN   int
	axe     string
	mu      sync.Mutex
	reports []string
}

// newBrowser starts a fresh headless Chromium for the test; it fails, not
// skips, when Chromium or the console's build is missing, so make test can't
// pass without them.
func newChromium(t *testing.T) *browser {
	t.Helper()
	if web.Console() == nil {
		t.Fatal("the console is not built into this test binary: run make web (make test does)")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is missing (%v): make deps installs it (apt-get install chromium)", err)
	}
	axe, err := os.ReadFile(axeScript)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): make web installs it", err)
	}
	// Kept after the test, so a failure can be looked at.
	shots, err := os.MkdirTemp("", "astralis-console-")
	if err != nil {
		t.Fatal(err)
	}
	// The flags that keep Chromium off the network this machine doesn't have, in a fresh profile.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox, // as root in CI
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{t: t, shots: shots, axe: string(axe)}
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(b.listen))
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	b.ctx = ctx
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		cancelAlloc()
	})
	return b
}

// listen keeps what the page reports as broken: uncaught script errors and
// security messages (a Content-Security-Policy refusal among them).
func (b *browser) listen(ev any) {
	var report string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		report = "uncaught: " + d.Text
		if d.Exception != nil {
			report += " " + d.Exception.Description
		}
	case *log.EventEntryAdded:
		if e.Entry.Source == log.EntrySourceSecurity {
			report = "security: " + e.Entry.Text
		}
	}
	if report != "" {
		b.mu.Lock()
		b.reports = append(b.reports, report)
		b.mu.Unlock()
	}
}

// do runs the steps, failing the test with what the step was for.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.screenshot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v", what, err)
	}
}

// inZone makes the page's clock read in the IANA zone, as a person's browser there would.
func (b *browser) inZone(zone string) {
	b.t.Helper()
	b.do("the browser in "+zone, func(ctx context.Context, tab *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tab, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return chromedp.Void{}, err
	})
}

// clickToLeave clicks what sends the tab to another page load (another site
// and back through redirects, say) and waits until the page it ends on has
// loaded: a predicate polled meanwhile fails when the page goes.
func (b *browser) clickToLeave(what, selector string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(selector)); err != nil {
		b.screenshot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits until the JavaScript predicate holds.
func (b *browser) waitFor(what, predicate string) {
	b.t.Helper()
	b.do(what, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingTimeout(30*time.Second))(ctx, t)
		return chromedp.Void{}, err
	})
}

// screenshot saves the whole page as NN-name.png (quality 100 makes a PNG) and logs where.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	b.save(name, chromedp.FullScreenshot(100))
}

// screenshotViewport saves what the window shows: a whole-page shot resizes the
// viewport for a moment, and the resize cancels a drag that is under way.
func (b *browser) screenshotViewport(name string) {
	b.t.Helper()
	b.save(name, chromedp.CaptureScreenshot())
}

func (b *browser) save(name string, shot chromedp.Action[[]byte]) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, shot)
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.shotN++
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.shotN, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// axeViolation is one rule axe-core found broken, with the elements that break it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAccessible runs axe-core on the page as it is and fails the test on any
// serious or critical violation (moderate and minor ones are logged).
func (b *browser) checkAccessible(page string) {
	b.t.Helper()
	if !eval[bool](b, `typeof axe !== "undefined"`) {
		eval[chromedp.Void](b, b.axe)
	}
	found := eval[[]axeViolation](b, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.map(n => n.target.join(" ")) })))`)
	for _, v := range found {
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Errorf("%s: axe %s (%s): %s at %v", page, v.ID, v.Impact, v.Help, v.Nodes)
		} else {
			b.t.Logf("%s: axe %s (%s): %s at %v", page, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
}

// checkQuiet fails the test for every error the page reported so far.
func (b *browser) checkQuiet() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.reports {
		b.t.Errorf("the page reported: %s", r)
	}
	b.reports = nil
}

// pick chooses an option of a <select> as a person would: React sees the change.
func (b *browser) pick(selector, value string) {
	b.t.Helper()
	b.do("pick "+value+" in "+selector, chromedp.WaitVisible(selector))
	// The native setter bypasses React's value tracking, so the change event counts as the person's.
	eval[chromedp.Void](b, fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value").set.call(el, %q);
		el.dispatchEvent(new Event("change", {bubbles: true}));
	})()`, selector, value))
}

// clear empties a text field or area as a person would: React sees the change.
func (b *browser) clear(selector string) {
	b.t.Helper()
	b.fill(selector, "")
}

// fill sets a text, date or search field's value as a person typing would: React sees the change.
func (b *browser) fill(selector, value string) {
	b.t.Helper()
	b.do("fill "+selector, chromedp.WaitVisible(selector))
	eval[chromedp.Void](b, fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), "value").set.call(el, %q);
		el.dispatchEvent(new Event("input", {bubbles: true}));
	})()`, selector, value))
}

// failRequests makes every request of the page fail (or answer again), though the browser believes it is online.
func (b *browser) failRequests(what string, fail bool) {
	b.t.Helper()
	b.do(what, func(ctx context.Context, tab *chromedp.Target) (chromedp.Void, error) {
		rules := []*network.Conditions{}
		if fail {
			rules = append(rules, &network.Conditions{Offline: true})
		}
		_, err := cdp.Call(ctx, tab, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules})
		return chromedp.Void{}, err
	})
}

// goOffline takes the browser offline (or back) as it knows it: navigator.onLine
// and its events, and no request gets out.
func (b *browser) goOffline(what string, off bool) {
	b.t.Helper()
	b.failRequests(what, off)
	b.do(what, func(ctx context.Context, tab *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tab, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
		return chromedp.Void{}, err
	})
}

// signIn fills in the sign-in form and sends it.
func (b *browser) signIn(email, password string) {
	b.t.Helper()
	b.clear(`input[autocomplete=username]`)
	b.clear(`input[type=password]`)
	b.do("sign in as "+email, chromedp.SendKeys(`input[autocomplete=username]`, email),
		chromedp.SendKeys(`input[type=password]`, password), chromedp.Click(`main button[type=submit]`))
}

// press sends keys to whatever has the focus, as a keyboard would.
func (b *browser) press(what string, keys ...string) {
	b.t.Helper()
	for _, k := range keys {
		b.do(what, chromedp.KeyEvent(k))
	}
}

// tabTo presses Tab until the focus is on selector, as a keyboard user gets there.
func (b *browser) tabTo(selector string) {
	b.t.Helper()
	for range 60 {
		if eval[bool](b, fmt.Sprintf(`!!document.activeElement?.matches(%q)`, selector)) {
			return
		}
		b.press("tab towards "+selector, kb.Tab)
	}
	b.screenshot("failed-tab-to")
	b.t.Fatalf("60 presses of Tab never reached %s", selector)
}
