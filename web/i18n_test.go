package web_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/web"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every language has every string of the English catalogue, and no other.
func TestCatalogsComplete(t *testing.T) {
	en, err := web.Messages("en")
	require.NoError(t, err)
	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	for _, lang := range web.Languages[1:] {
		m, err := web.Messages(lang)
		require.NoError(t, err, lang)
		assert.Equal(t, keys(en), keys(m), "%s has other keys than en", lang)
		for k, v := range en {
			if _, plural := v.(map[string]any); plural {
				_, ok := m[k].(map[string]any)
				assert.True(t, ok, "%s: %s is a plural in en, a plain string in %s", lang, k, lang)
			}
		}
	}
}

// Plural strings have the forms each language's CLDR rules ask for: counts that fall in every
// category (Polish 1 one, 2 few, 5 many, French 1000000 many) render without falling back.
func TestPlurals(t *testing.T) {
	cat, err := web.NewCatalog()
	require.NoError(t, err)
	en, err := web.Messages("en")
	require.NoError(t, err)
	for _, lang := range web.Languages {
		l := cat.Lang(lang)
		for id, v := range en {
			if _, plural := v.(map[string]any); !plural {
				continue
			}
			for _, n := range []int{0, 1, 2, 3, 5, 11, 22, 25, 101, 1000000} {
				got := l.N(id, n)
				assert.NotContains(t, got, "["+id+"]", "%s %s %d", lang, id, n)
				assert.NotContains(t, got, "{{", "%s %s %d", lang, id, n)
			}
		}
	}
	pl := cat.Lang("pl")
	assert.NotEqual(t, pl.N("ticket.stars", 2), pl.N("ticket.stars", 5), "Polish few and many differ")
}

func TestLanguageChoice(t *testing.T) {
	cat, err := web.NewCatalog()
	require.NoError(t, err)
	pick := func(target, accept, cookie string) (string, *httptest.ResponseRecorder) {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		if accept != "" {
			r.Header.Set("Accept-Language", accept)
		}
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: "lang", Value: cookie})
		}
		w := httptest.NewRecorder()
		return cat.For(w, r).Code, w
	}
	for _, c := range []struct{ target, accept, cookie, want string }{
		{"/", "", "", "en"},
		{"/", "de-AT,de;q=0.9", "", "de"},
		{"/", "pl", "", "pl"},
		{"/", "fr-CA", "", "fr"},
		{"/", "es-419,es;q=0.8", "", "es"},
		{"/", "ja,zh;q=0.5", "", "en"},
		{"/", "garbage;;;", "", "en"},
		{"/", "de", "pl", "pl"},
		{"/?lang=fr", "de", "pl", "fr"},
		{"/?lang=xx", "de", "", "de"},
	} {
		got, w := pick(c.target, c.accept, c.cookie)
		assert.Equal(t, c.want, got, "%+v", c)
		if c.target == "/?lang=fr" {
			assert.Contains(t, w.Header().Get("Set-Cookie"), "lang=fr", "the switcher's choice is kept")
		}
	}
	assert.True(t, slices.Contains(web.Languages, "pl"))
}

// Dates and numbers follow the reader's language.
func TestDatesAndNumbers(t *testing.T) {
	cat, err := web.NewCatalog()
	require.NoError(t, err)
	at := time.Date(2026, 3, 4, 17, 5, 0, 0, time.FixedZone("CET", 3600))
	for lang, want := range map[string][3]string{
		"en": {"4 Mar 2026", "4 Mar 2026, 16:05 UTC", "1,234,567"},
		"de": {"04.03.2026", "04.03.2026, 16:05 UTC", "1.234.567"},
		"fr": {"04/03/2026", "04/03/2026 16:05 UTC", "1\u00a0234\u00a0567"},
		"es": {"04/03/2026", "04/03/2026, 16:05 UTC", "1.234.567"},
		"pl": {"04.03.2026", "04.03.2026, 16:05 UTC", "1\u00a0234\u00a0567"},
	} {
		l := cat.Lang(lang)
		assert.Equal(t, want[0], l.Date(at), lang)
		assert.Equal(t, want[1], l.DateTime(at), lang)
		assert.Equal(t, want[2], l.Number(1234567), lang)
		assert.Equal(t, `<time datetime="2026-03-04T16:05:00Z">`+want[1]+`</time>`, string(l.Time(at)), lang)
	}
	assert.Equal(t, "4,5", cat.Lang("de").Number(4.5))
	assert.Equal(t, "4.50", cat.Lang("en").Number(4.5, 2))
	assert.Empty(t, cat.Lang("en").Time(time.Time{}))
}

// Has tells a string of the language itself, plain or plural, from a missing one.
func TestHas(t *testing.T) {
	cat, err := web.NewCatalog()
	require.NoError(t, err)
	for _, lang := range web.Languages {
		l := cat.Lang(lang)
		assert.True(t, l.Has("bo.nav.logout"), lang)
		assert.True(t, l.Has("bo.nav.unread"), "%s: a plural", lang)
		assert.False(t, l.Has("bo.no.such.string"), lang)
	}
}
