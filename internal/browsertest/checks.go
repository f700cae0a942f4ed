package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core's browser build, pinned (axe/README.md says which version).
//
//go:embed axe/axe.min.js
var axeSource string

// Violation is one axe-core rule a page breaks, with the elements that break it.
type Violation struct {
	// Rule is axe's rule id, as "image-alt".
	Rule string `json:"id"`
	// Impact is "minor", "moderate", "serious" or "critical".
	Impact string `json:"impact"`
	// Help says what the rule asks for; HelpURL explains it.
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	// Targets are CSS selectors of the offending elements, and Summaries axe's words on each.
	Targets   []string `json:"targets"`
	Summaries []string `json:"summaries"`
}

// String gives the rule, its impact and help, and each offending element.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s <%s>", v.Rule, v.Impact, v.Help, v.HelpURL)
	for i, t := range v.Targets {
		fmt.Fprintf(&b, "\n\t%s", t)
		if i < len(v.Summaries) && v.Summaries[i] != "" {
			fmt.Fprintf(&b, ": %s", strings.ReplaceAll(v.Summaries[i], "\n", " "))
		}
	}
	return b.String()
}

// axeRun runs axe on the document and keeps the violations of impact serious or critical.
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
	.filter(v => v.impact === 'serious' || v.impact === 'critical')
	.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
		targets: v.nodes.map(n => n.target.join(' ')),
		summaries: v.nodes.map(n => n.failureSummary || '')})))`

// Axe returns an action that injects axe-core into the page (once per document, through the
// protocol, so the page's Content-Security-Policy and a page with scripts off do not stop it)
// and returns the violations of impact serious or critical.
func Axe() chromedp.Action[[]Violation] {
	return func(ctx context.Context, t *chromedp.Target) ([]Violation, error) {
		has, err := chromedp.Evaluate[bool]("typeof window.axe === 'object'")(ctx, t)
		if err != nil {
			return nil, err
		}
		if !has {
			if _, err := chromedp.Evaluate[chromedp.Void](axeSource)(ctx, t); err != nil {
				return nil, fmt.Errorf("inject axe: %w", err)
			}
		}
		vs, err := chromedp.Evaluate[[]Violation](axeRun, chromedp.EvalAwaitPromise)(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("run axe: %w", err)
		}
		return vs, nil
	}
}

// OverflowResult is what Overflow measured.
type OverflowResult struct {
	// Width is the viewport width measured at.
	Width int64
	// ScrollWidth and ClientWidth are the document element's: the page scrolls sideways when
	// ScrollWidth > ClientWidth.
	ScrollWidth int64 `json:"scrollWidth"`
	ClientWidth int64 `json:"clientWidth"`
	// Wide lists (up to five) elements that reach past the right edge or whose content spills
	// out of them sideways, as tag#id.class.
	Wide []string `json:"wide"`
}

// String says how far the page scrolls sideways and which elements stick out.
func (o OverflowResult) String() string {
	return fmt.Sprintf("the page scrolls sideways at %d px: scrollWidth %d > clientWidth %d; too wide: %s",
		o.Width, o.ScrollWidth, o.ClientWidth, strings.Join(o.Wide, ", "))
}

const overflowJS = `(() => {
	const d = document.documentElement, w = d.clientWidth;
	const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
		(typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '');
	const wide = [...document.body.querySelectorAll('*')]
		.filter(e => e.getBoundingClientRect().right > w + 0.5 ||
			(e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'))
		.slice(0, 5).map(name);
	return {scrollWidth: d.scrollWidth, clientWidth: w, wide};
})()`

// Overflow returns an action that narrows the viewport to width (mobile, portrait), measures
// whether the page scrolls sideways, and puts the Phone's size back.
func Overflow(width int64) chromedp.Action[OverflowResult] {
	return func(ctx context.Context, t *chromedp.Target) (OverflowResult, error) {
		p := Phone()
		if _, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: width, Height: p.Height, DeviceScaleFactor: p.Scale, Mobile: true}); err != nil {
			return OverflowResult{}, err
		}
		o, err := chromedp.Evaluate[OverflowResult](overflowJS)(ctx, t)
		o.Width = width
		if _, rerr := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: p.Width, Height: p.Height, DeviceScaleFactor: p.Scale, Mobile: true,
			ScreenOrientation: &emulation.ScreenOrientation{Type: emulation.ScreenOrientationTypePortraitPrimary}}); err == nil {
			err = rerr
		}
		return o, err
	}
}
