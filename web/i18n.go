package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Languages are the languages of the UI, in the order a language switcher lists them. English
// is the fallback.
var Languages = []string{"en", "de", "fr", "es", "pl"}

// LanguageNames are the languages' names in themselves, for a switcher.
var LanguageNames = map[string]string{"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "pl": "Polski"}

//go:embed locales/*.json
var locales embed.FS

// Catalog holds the UI strings of every language. It is safe for concurrent use once made.
type Catalog struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	ids     []string
}

// NewCatalog loads the embedded message files: for each entry of Languages, locales/LANG.json
// and any locales/AREA.LANG.json (each area of the UI keeps its strings in a file of its own).
// It returns an error if a language has no file or a file is malformed.
func NewCatalog() (*Catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	tags := make([]language.Tag, len(Languages))
	var ids []string
	for i, l := range Languages {
		tags[i] = language.Make(l)
		files, err := localeFiles(l)
		if err != nil {
			return nil, err
		}
		for _, name := range files {
			f, err := b.LoadMessageFileFS(locales, name)
			if err != nil {
				return nil, fmt.Errorf("web: load %s strings: %w", l, err)
			}
			if l == "en" {
				for _, m := range f.Messages {
					ids = append(ids, m.ID)
				}
			}
		}
	}
	sort.Strings(ids)
	return &Catalog{bundle: b, matcher: language.NewMatcher(tags), ids: ids}, nil
}

// localeFiles lists the message files of language lang: locales/LANG.json first, then the
// areas' locales/AREA.LANG.json in name order.
func localeFiles(lang string) ([]string, error) {
	areas, err := fs.Glob(locales, "locales/*."+lang+".json")
	if err != nil {
		return nil, err
	}
	main := "locales/" + lang + ".json"
	if _, err := fs.Stat(locales, main); err != nil {
		return nil, fmt.Errorf("web: load %s strings: %w", lang, err)
	}
	sort.Strings(areas)
	return append([]string{main}, areas...), nil
}

// IDs lists the message IDs of the English catalogue, sorted.
func (c *Catalog) IDs() []string { return slices.Clone(c.ids) }

// Messages returns the raw messages of one language, all its files merged, for tests that
// compare catalogues. An ID defined in two files of a language is an error.
func Messages(lang string) (map[string]any, error) {
	files, err := localeFiles(lang)
	if err != nil {
		return nil, err
	}
	all := map[string]any{}
	for _, name := range files {
		raw, err := fs.ReadFile(locales, name)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("web: %s: %w", name, err)
		}
		for id, v := range m {
			if _, dup := all[id]; dup {
				return nil, fmt.Errorf("web: %s: %q is defined twice", name, id)
			}
			all[id] = v
		}
	}
	return all, nil
}

// langCookie remembers the language a visitor chose with the switcher.
const langCookie = "lang"

// For returns the UI in the language of request r: its "lang" query parameter (which is then
// kept in a cookie through w), the cookie, its Accept-Language header, or English.
func (c *Catalog) For(w http.ResponseWriter, r *http.Request) *Lang {
	if q := r.URL.Query().Get("lang"); slices.Contains(Languages, q) {
		RememberLanguage(w, r, q)
		return c.Lang(q)
	}
	if ck, err := r.Cookie(langCookie); err == nil && slices.Contains(Languages, ck.Value) {
		return c.Lang(ck.Value)
	}
	return c.Lang(c.Match(r.Header.Get("Accept-Language")))
}

// RememberLanguage keeps lang as the visitor's language, as the language switch does: For
// returns it for their next requests. A regional tag counts as its language ("de-AT" as
// "de"); a language not among Languages is ignored.
func RememberLanguage(w http.ResponseWriter, r *http.Request, lang string) {
	if !slices.Contains(Languages, lang) {
		lang, _, _ = strings.Cut(lang, "-")
	}
	if !slices.Contains(Languages, lang) {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// Match returns the language of Languages that an Accept-Language header prefers, or "en".
func (c *Catalog) Match(accept string) string {
	prefs, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(prefs) == 0 {
		return "en"
	}
	_, i, conf := c.matcher.Match(prefs...)
	if conf == language.No {
		return "en"
	}
	return Languages[i]
}

// Lang returns the UI in one of Languages (English for any other).
func (c *Catalog) Lang(lang string) *Lang {
	if !slices.Contains(Languages, lang) {
		lang = "en"
	}
	return &Lang{Code: lang, loc: i18n.NewLocalizer(c.bundle, lang)}
}

// Lang is the UI in one language.
type Lang struct {
	// Code is the language's code, as in Languages.
	Code string
	loc  *i18n.Localizer
}

// T returns the string id, filled in with kv: pairs of a name and a value, as in
// T("ticket.title", "Ref", "T-000001"). A missing string shows as "[id]", which the
// catalogue's tests forbid.
func (l *Lang) T(id string, kv ...any) string {
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: pairs(kv)})
	if err != nil {
		return "[" + id + "]"
	}
	return s
}

// N returns the plural form of the string id for count, with count as {{.Count}} and kv as
// in T.
func (l *Lang) N(id string, count int, kv ...any) string {
	data := pairs(kv)
	data["Count"] = count
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		return "[" + id + "]"
	}
	return s
}

// Has reports whether the string id exists in l's language itself, not by falling back.
func (l *Lang) Has(id string) bool {
	_, tag, err := l.loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
	if err != nil { // a plural message wants a count
		_, tag, err = l.loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id, PluralCount: 1})
	}
	return err == nil && strings.HasPrefix(tag.String(), l.Code)
}

func pairs(kv []any) map[string]any {
	m := make(map[string]any, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}

// dateLayouts are each language's medium date and date-time layouts (CLDR's order of day,
// month and year, numeric months so that no month names are needed). Times are shown in UTC,
// which the page says; the back office's script turns them into the reader's time zone.
var dateLayouts = map[string][2]string{
	"en": {"2 Jan 2006", "2 Jan 2006, 15:04"},
	"de": {"02.01.2006", "02.01.2006, 15:04"},
	"fr": {"02/01/2006", "02/01/2006 15:04"},
	"es": {"02/01/2006", "02/01/2006, 15:04"},
	"pl": {"02.01.2006", "02.01.2006, 15:04"},
}

// Date returns t's day in l's language, in UTC.
func (l *Lang) Date(t time.Time) string { return t.UTC().Format(dateLayouts[l.Code][0]) }

// DateTime returns t's day and minute in l's language, in UTC, with "UTC" after it.
func (l *Lang) DateTime(t time.Time) string {
	return t.UTC().Format(dateLayouts[l.Code][1]) + " UTC"
}

// Time returns t as an HTML <time> element: the machine-readable instant in its datetime
// attribute and DateTime as its text. The zero time is an empty string.
func (l *Lang) Time(t time.Time) template.HTML {
	if t.IsZero() {
		return ""
	}
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `">` +
		template.HTMLEscapeString(l.DateTime(t)) + `</time>`)
}

// Number returns n (an integer or a float) with l's language's digit grouping and decimal
// separator; a float gets as many decimals as decimals says.
func (l *Lang) Number(n any, decimals ...int) string {
	p := message.NewPrinter(language.Make(l.Code))
	switch v := n.(type) {
	case float64:
		d := 1
		if len(decimals) > 0 {
			d = decimals[0]
		}
		return p.Sprintf("%.*f", d, v)
	case float32:
		return l.Number(float64(v), decimals...)
	}
	return p.Sprintf("%d", n)
}
