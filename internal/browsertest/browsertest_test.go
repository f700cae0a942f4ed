package browsertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/deskkit/helpdesk/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var browser = browsertest.New()

func TestMain(m *testing.M) {
	code := m.Run()
	browser.Close()
	os.Exit(code)
}

// recorder keeps what a check reports instead of failing the test, so that a test can show
// that each check fails on a page planted with what it must find.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// The checks find what is planted in a page: an image without a text alternative, an element
// too wide for a phone, a request for another host (here blocked by the page's policy: the
// guard sees it all the same).
func TestChecksFindPlantedProblems(t *testing.T) {
	planted := `<!DOCTYPE html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Planted</title></head><body><main><h1>Planted</h1>
<img src="/pixel.png"><pre id="wide">` + strings.Repeat("wide", 40) + `</pre>
<img alt="away" src="http://198.51.100.7/away.png"></main></body></html>`
	clean := `<!DOCTYPE html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Clean</title></head><body><main><h1>Clean</h1><p>Nothing wrong here.</p></main></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		switch r.URL.Path {
		case "/planted":
			fmt.Fprint(w, planted)
		case "/clean":
			fmt.Fprint(w, clean)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)

	rec := &recorder{TB: t}
	tab := browser.Tab(rec, srv.URL)
	status := tab.Visit("planted", "/planted")
	assert.Equal(t, http.StatusOK, status)
	all := strings.Join(rec.errors, "\n")
	assert.Contains(t, all, "image-alt (critical)", "axe finds the image without alt")
	assert.Contains(t, all, "scrolls sideways", "the overflow check finds the wide element")
	assert.Contains(t, all, "pre#wide")
	assert.Contains(t, all, "198.51.100.7/away.png", "the host guard sees the request for another host")

	rec.errors = nil
	tab.Visit("clean", "/clean")
	assert.Empty(t, rec.errors, "a clean page passes")

	t.Run("the checks one by one", func(t *testing.T) {
		// The guard reports the planted request in the tab's cleanup: to the recorder.
		tab := browser.Tab(&recorder{TB: t}, srv.URL)
		tab.Do(chromedp.Navigate(srv.URL + "/planted"))
		vs, err := chromedp.Run(tab.Context(), browsertest.Axe())
		require.NoError(t, err)
		require.NotEmpty(t, vs)
		assert.Equal(t, "image-alt", vs[0].Rule)
		o, err := chromedp.Run(tab.Context(), browsertest.Overflow(browsertest.NarrowWidth))
		require.NoError(t, err)
		assert.Greater(t, o.ScrollWidth, o.ClientWidth)
		assert.Equal(t, int64(browsertest.NarrowWidth), o.ClientWidth)
		assert.Equal(t, browsertest.PhoneWidth, browsertest.Eval[int](tab, "document.documentElement.clientWidth"), "the phone's width is back")
	})
}
