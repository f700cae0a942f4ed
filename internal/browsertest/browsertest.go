package browsertest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// EnvRequire and EnvScreenshots name the environment variables this package reads.
const (
	// EnvRequire set to "1" makes a missing chromium fail the tests instead of skipping them.
	EnvRequire = "HELPDESK_REQUIRE_BROWSER"
	// EnvScreenshots names a folder for a full-page PNG of every page a tab checks.
	EnvScreenshots = "HELPDESK_SCREENSHOTS"
)

// The phone a tab emulates, and the narrower width no page may scroll sideways at.
const (
	PhoneWidth     = 390
	PhoneHeight    = 844
	NarrowWidth    = 360
	PhoneUserAgent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"
)

// TabTimeout bounds everything one tab does, so that a wait for an element that never comes
// fails the test instead of hanging the run.
const TabTimeout = 60 * time.Second

// ErrNoBrowser is returned (and reported) when chromium is not on PATH.
var ErrNoBrowser = errors.New("browsertest: chromium is not on PATH (Debian: apt-get install chromium)")

// Browser is one headless chromium shared by the tests of a test binary. It starts on the
// first Tab; the zero value is not usable: use New. It is safe for concurrent use.
type Browser struct {
	once        sync.Once
	err         error
	ctx         context.Context
	cancel      context.CancelFunc
	allocCancel context.CancelFunc
}

// New returns a Browser that starts chromium when a test first asks for a tab.
func New() *Browser { return &Browser{} }

// start launches chromium once; it returns ErrNoBrowser when chromium is not on PATH, or the
// error of the launch.
func (b *Browser) start() error {
	b.once.Do(func() {
		path, err := exec.LookPath("chromium")
		if err != nil {
			b.err = ErrNoBrowser
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			// The machine's network is closed: keep chromium from calling home.
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("hide-scrollbars", true),
		)
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(actx)
		if err := chromedp.Do(ctx); err != nil {
			cancel()
			acancel()
			b.err = fmt.Errorf("browsertest: start chromium: %w", err)
			return
		}
		b.ctx, b.cancel, b.allocCancel = ctx, cancel, acancel
	})
	return b.err
}

// Close stops chromium, if it was started. Call it from TestMain after m.Run.
func (b *Browser) Close() {
	if b.cancel != nil {
		b.cancel()
		b.allocCancel()
	}
}

// TabOption changes how a tab is opened.
type TabOption func(*Tab)

// WithoutScript opens the tab with JavaScript off for the pages (Emulation.setScriptExecution
// Disabled), to show that the flows work without it. Check still runs axe, turning scripts on
// for the moment it takes.
func WithoutScript() TabOption { return func(tb *Tab) { tb.noScript = true } }

// WithTimeout bounds the tab by d instead of TabTimeout: for a test that walks many pages in
// one tab, each checked by axe.
func WithTimeout(d time.Duration) TabOption { return func(tb *Tab) { tb.timeout = d } }

// Tab opens a new tab emulating a phone for a test of the server at baseURL; every path a
// tab visits is relative to it, and every request to another host fails the test. Without
// chromium, Tab skips t (fails it under HELPDESK_REQUIRE_BROWSER=1). Each tab has cookies and
// storage of its own (a browser context, as a private window). The tab closes in t's cleanup.
func (b *Browser) Tab(t testing.TB, baseURL string, opts ...TabOption) *Tab {
	t.Helper()
	if err := b.start(); err != nil {
		if errors.Is(err, ErrNoBrowser) && os.Getenv(EnvRequire) != "1" {
			t.Skipf("browser tests skipped: %v; set %s=1 to fail instead", err, EnvRequire)
		}
		t.Fatalf("%v (%s=%q)", err, EnvRequire, os.Getenv(EnvRequire))
	}
	base, err := url.Parse(baseURL)
	if err != nil {
		t.Fatalf("browsertest: base URL %q: %v", baseURL, err)
	}
	tb := &Tab{t: t, base: base, shots: os.Getenv(EnvScreenshots), timeout: TabTimeout}
	for _, o := range opts {
		o(tb)
	}
	tctx, tcancel := context.WithTimeout(b.ctx, tb.timeout)
	// A browser context of its own: no cookie (language, PIN) of another test's tab leaks in.
	ctx, cancel := chromedp.NewContext(tctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(tb.watch))
	t.Cleanup(func() {
		tb.reportForeign()
		cancel()
		tcancel()
	})
	tb.ctx = ctx
	steps := []chromedp.Action[chromedp.Void]{chromedp.Emulate(Phone())}
	if tb.noScript {
		steps = append(steps, scriptsDisabled(true))
	}
	tb.Do(steps...)
	return tb
}

// scriptsDisabled turns the page's JavaScript off or on.
func scriptsDisabled(off bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		return err
	})
}

// Phone is the device a tab emulates: PhoneWidth × PhoneHeight, twice the pixels, mobile,
// touch, portrait, PhoneUserAgent.
func Phone() device.Info {
	return device.Info{Name: "phone", UserAgent: PhoneUserAgent, Width: PhoneWidth, Height: PhoneHeight, Scale: 2,
		Mobile: true, Touch: true}
}

// Tab is one browser tab of a test. Its methods fail the test (t.Fatalf) when the browser
// cannot do what they ask; Check reports what it finds with t.Errorf. Use a tab from one
// goroutine only.
type Tab struct {
	t        testing.TB
	ctx      context.Context
	base     *url.URL
	noScript bool
	shots    string
	step     int
	timeout  time.Duration

	mu      sync.Mutex
	foreign []string
}

// Context is the tab's chromedp context, for actions the helpers do not cover.
func (tb *Tab) Context() context.Context { return tb.ctx }

// watch runs in the tab's event loop: it notes every request for another host.
func (tb *Tab) watch(ev any) {
	e, ok := ev.(*network.EventRequestWillBeSent)
	if !ok || e.Request == nil {
		return
	}
	if !tb.sameHost(e.Request.URL) {
		tb.mu.Lock()
		tb.foreign = append(tb.foreign, e.Request.URL)
		tb.mu.Unlock()
	}
}

// sameHost reports whether a request to raw stays on the test server (or is a data: or blob:
// URL, which go nowhere).
func (tb *Tab) sameHost(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about":
		return true
	}
	return u.Host == tb.base.Host
}

// reportForeign fails the test for each request to another host seen since the last report.
func (tb *Tab) reportForeign() {
	tb.t.Helper()
	tb.mu.Lock()
	seen := tb.foreign
	tb.foreign = nil
	tb.mu.Unlock()
	for _, u := range seen {
		tb.t.Errorf("a page requested %s: only the test server's host %s is allowed", u, tb.base.Host)
	}
}

// Do runs chromedp actions in the tab and fails the test on the first error.
func (tb *Tab) Do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

// Visit loads path (relative to the server, query included), checks the page (Check) as step
// and returns the page's HTTP status.
func (tb *Tab) Visit(step, path string) int {
	tb.t.Helper()
	ref, err := url.Parse(path)
	if err != nil {
		tb.t.Fatalf("browser: visit %s: %v", step, err)
	}
	res, err := chromedp.RunResponse(tb.ctx, chromedp.Navigate(tb.base.ResolveReference(ref).String()))
	if err != nil {
		tb.t.Fatalf("browser: visit %s: %v", step, err)
	}
	tb.Check(step)
	return int(res.Status)
}

// Follow clicks (taps) the first element matching the CSS selector sel, a link or a submit
// button, waits for the page it leads to, checks that page as step and returns its HTTP status.
func (tb *Tab) Follow(step, sel string) int {
	tb.t.Helper()
	res, err := chromedp.RunResponse(tb.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		tb.t.Fatalf("browser: %s: click %s: %v", step, sel, err)
	}
	tb.Check(step)
	return int(res.Status)
}

// Fill types value into the empty field matching the CSS selector sel.
func (tb *Tab) Fill(sel, value string) {
	tb.t.Helper()
	tb.Do(chromedp.SendKeys(chromedp.CSS(sel), value, chromedp.NodeVisible))
}

// Upload chooses files (paths on this machine) in the file input matching sel.
func (tb *Tab) Upload(sel string, files ...string) {
	tb.t.Helper()
	tb.Do(chromedp.SetUploadFiles(chromedp.CSS(sel), files))
}

// Text returns the text of the first element matching the CSS selector sel, as rendered
// (innerText). It waits for the element.
func (tb *Tab) Text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return s
}

// Count returns how many elements match the CSS selector sel now, without waiting.
func (tb *Tab) Count(sel string) int {
	tb.t.Helper()
	n, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
	if err != nil {
		tb.t.Fatalf("browser: count %s: %v", sel, err)
	}
	return n
}

// Eval evaluates a JavaScript expression in the page and returns its value as T.
func Eval[T any](tb *Tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	return v
}

// Check checks the page the tab shows as step: requests to other hosts, axe-core violations
// of impact serious or critical, sideways scrolling at NarrowWidth; each finding fails the
// test (t.Errorf) and the test goes on. When HELPDESK_SCREENSHOTS names a folder, it also
// saves a full-page PNG there.
func (tb *Tab) Check(step string) {
	tb.t.Helper()
	tb.step++
	tb.reportForeign()
	// axe waits on timers, which a page with scripts off never runs: allow scripts while it
	// checks. The page's own scripts ran (or not) when it loaded.
	if tb.noScript {
		tb.Do(scriptsDisabled(false))
	}
	vs, err := chromedp.Run(tb.ctx, Axe())
	if tb.noScript {
		tb.Do(scriptsDisabled(true))
	}
	if err != nil {
		tb.t.Fatalf("browser: %s: axe: %v", step, err)
	}
	for _, v := range vs {
		tb.t.Errorf("%s: accessibility: %s", step, v)
	}
	o, err := chromedp.Run(tb.ctx, Overflow(NarrowWidth))
	if err != nil {
		tb.t.Fatalf("browser: %s: overflow: %v", step, err)
	}
	if o.ScrollWidth > o.ClientWidth {
		tb.t.Errorf("%s: %s", step, o)
	}
	if tb.shots != "" {
		tb.screenshot(step)
	}
}

// screenshot saves a full-page PNG of the tab as TEST-NN-STEP-LANG.png in the screenshots
// folder.
func (tb *Tab) screenshot(step string) {
	tb.t.Helper()
	lang, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string]("document.documentElement.lang || 'none'"))
	if err != nil {
		tb.t.Fatalf("browser: %s: language: %v", step, err)
	}
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("browser: %s: screenshot: %v", step, err)
	}
	if err := os.MkdirAll(tb.shots, 0o755); err != nil {
		tb.t.Fatalf("browser: screenshots: %v", err)
	}
	name := fmt.Sprintf("%s-%02d-%s-%s.png", fileName(tb.t.Name()), tb.step, fileName(step), fileName(lang))
	if err := os.WriteFile(filepath.Join(tb.shots, name), png, 0o644); err != nil {
		tb.t.Fatalf("browser: screenshot: %v", err)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// fileName makes s safe as (part of) a file name.
func fileName(s string) string { return strings.Trim(unsafeName.ReplaceAllString(s, "_"), "_") }
