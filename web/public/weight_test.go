package public_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

// maxPageWeight caps what a phone downloads to show the device page with an empty cache: its
// HTML, CSS, scripts and images other than the tenant's own.
const maxPageWeight = 60 << 10

// linkedResources returns what a page makes a browser download: stylesheets, icons, scripts
// and images, in document order.
func linkedResources(page string) []string {
	var refs []string
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return refs
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			attr := func(name string) string {
				for _, a := range t.Attr {
					if a.Key == name {
						return a.Val
					}
				}
				return ""
			}
			switch {
			case t.Data == "link" && attr("href") != "" && attr("rel") != "canonical":
				refs = append(refs, attr("href"))
			case (t.Data == "script" || t.Data == "img" || t.Data == "source") && attr("src") != "":
				refs = append(refs, attr("src"))
			}
		}
	}
}

func TestDevicePageWeight(t *testing.T) {
	st := newSite(t, nil)
	for _, path := range []string{"/c/" + st.code.Token, "/c/" + st.code.Token + "/request"} {
		weight, err := pageWeight(st.client, st.srv.URL, path)
		require.NoError(t, err)
		assert.LessOrEqual(t, weight, maxPageWeight, "%s weighs %d bytes", path, weight)
		t.Logf("%s: %d bytes with what it links to", path, weight)
	}
	_, body := st.get(t, "/c/"+st.code.Token)
	assert.NotEmpty(t, linkedResources(body), "the page's stylesheet is counted")
}
