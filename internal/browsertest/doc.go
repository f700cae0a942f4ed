// Package browsertest drives Debian's chromium (headless, through chromedp) for the browser
// tests of the web pages, at a phone's size, and checks every page a test visits.
//
// # One browser, a tab per test
//
// A test binary shares one chromium process: declare a *Browser with New in the test package,
// and Close it in TestMain after m.Run. The browser starts on the first Tab call, so a run that
// selects no browser test starts none. Each test opens tabs of its own with Browser.Tab; a tab
// closes in the test's cleanup.
//
// # Skipping
//
// Without chromium on PATH, Tab skips the test, unless HELPDESK_REQUIRE_BROWSER=1 (set by
// .ci/run), which turns the missing browser into a failure that says what to install.
//
// # What every page is checked for
//
// A tab emulates a phone (PhoneWidth × PhoneHeight CSS pixels, mobile, touch and a mobile
// user agent). Tab.Check, which Visit, Follow and Submit call after each page they load:
//
//   - injects axe-core (the pinned copy in axe/, see its README) and fails the test on any
//     violation of impact serious or critical, printing the rule, its help and the nodes;
//   - narrows the viewport to NarrowWidth and fails when the page scrolls sideways
//     (document.documentElement.scrollWidth > clientWidth);
//   - fails on any request the page made to a host other than the test server's (data: and
//     blob: URLs excepted), whatever the page's Content-Security-Policy made of it;
//   - saves a full-page PNG to the folder named by HELPDESK_SCREENSHOTS, when set, named by
//     test, step number, step and the page's language.
//
// The checks are also exported one by one (Axe, Overflow) for tests of their own.
package browsertest
