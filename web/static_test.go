package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk/web"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStaticVersions: pages link to the stylesheet with its content's version, which alone is
// cached for good; so a changed stylesheet reaches returning visitors at once.
func TestStaticVersions(t *testing.T) {
	u := web.StaticURL("app.css")
	require.Regexp(t, regexp.MustCompile(`^/static/app\.css\?v=[0-9a-f]{12}$`), u)
	h := http.StripPrefix("/static/", web.Static())
	get := func(target string) *http.Response {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		return rec.Result()
	}
	res := get(u)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, res.Header.Get("Cache-Control"), "immutable")
	body, _ := io.ReadAll(res.Body)
	assert.Contains(t, string(body), "{", "the stylesheet itself")
	etag := res.Header.Get("ETag")
	require.NotEmpty(t, etag)

	for _, stale := range []string{"/static/app.css", "/static/app.css?v=000000000000"} {
		res := get(stale)
		require.Equal(t, http.StatusOK, res.StatusCode, stale)
		assert.Equal(t, "no-cache", res.Header.Get("Cache-Control"), "%s is revalidated", stale)
	}
	req := httptest.NewRequest(http.MethodGet, "/static/app.css", nil)
	req.Header.Set("If-None-Match", etag)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusNotModified, rec.Code)
	assert.Equal(t, "/static/nothing.css", web.StaticURL("nothing.css"))
	assert.False(t, strings.Contains(web.StaticURL("app.css"), " "))
}
