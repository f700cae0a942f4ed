package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/deskkit/helpdesk"
)

//go:embed templates/*.html
var layoutFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Static serves the embedded stylesheet and images under the path it is mounted at (strip
// the prefix first, as in http.StripPrefix("/static/", web.Static())). Pages link to them
// with StaticURL, whose version parameter changes with the content: a file asked for with its
// current version is cached for a year, any other request is revalidated (ETag) every time.
func Static() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static") // the folder is embedded: Sub cannot fail
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := staticVersions[strings.TrimPrefix(r.URL.Path, "/")]
		if ok && r.URL.Query().Get("v") == v {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		if ok {
			w.Header().Set("ETag", `"`+v+`"`)
		}
		files.ServeHTTP(w, r)
	})
}

// staticVersions maps each embedded static file's name to a digest of its content.
var staticVersions = func() map[string]string {
	m := map[string]string{}
	_ = fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(staticFiles, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	return m
}()

// StaticURL returns the path of an embedded static file with its content's version, as
// "/static/app.css?v=3f2a…", for pages to link to (templates: {{static "app.css"}}); a file
// that is not embedded gets its plain path.
func StaticURL(name string) string {
	if v, ok := staticVersions[name]; ok {
		return "/static/" + name + "?v=" + v
	}
	return "/static/" + name
}

// Page is what every page template receives.
type Page struct {
	// L is the UI in the visitor's language: {{.L.T "key"}}.
	L *Lang
	// Title is the page's title, shown in the tab and as its heading.
	Title string
	// Path is the page's own path, for the language switcher's links.
	Path string
	// Brand is the operator's name shown in the header; empty for none.
	Brand string
	// Styles are stylesheets the page adds after the base one, such as a tenant's branding.
	Styles []string
	// Scripts are scripts the page loads (deferred), from this site: the layout has no inline
	// script, as the Content-Security-Policy allows none.
	Scripts []string
	// Manifest is the URL of the web app manifest the page links to, which makes the site
	// installable; it is asked for with the visitor's cookies. Empty for none.
	Manifest string
	// ThemeColor is the colour ("#rrggbb") a browser may tint its own bar with; empty for
	// none.
	ThemeColor string
	// Nav is what a partial's "nav" block shows in the header, such as the signed-in person
	// and their unread count; nil shows nothing (error pages).
	Nav any
	// Data is the page's own data.
	Data any
}

// Pages renders page templates inside the base layout. It is safe for concurrent use.
type Pages struct {
	cat    *Catalog
	pages  map[string]*template.Template
	logger *slog.Logger
}

// NewPages parses the layout and every page template in files matching glob (each file one
// page, named by its base name without ".html", defining a "content" template). A file whose
// name starts with "_" is a partial instead: parsed into every page, it may define templates
// the pages share and the layout's blocks "nav" (in the header, after the brand) and "footer".
// Returns an error for a template that does not parse.
func NewPages(cat *Catalog, logger *slog.Logger, files fs.FS, glob string) (*Pages, error) {
	base, err := template.New("layout").Funcs(template.FuncMap{"static": StaticURL, "within": Within}).ParseFS(layoutFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	all, err := fs.Glob(files, glob)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range all {
		if !strings.HasPrefix(path.Base(n), "_") {
			names = append(names, n)
			continue
		}
		if base, err = base.ParseFS(files, n); err != nil {
			return nil, fmt.Errorf("web: partial %s: %w", n, err)
		}
	}
	p := &Pages{cat: cat, pages: map[string]*template.Template{}, logger: logger}
	for _, n := range append([]string{"templates/error.html"}, names...) {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		src := files
		if n == "templates/error.html" {
			src = layoutFiles
		}
		if t, err = t.ParseFS(src, n); err != nil {
			return nil, fmt.Errorf("web: page %s: %w", n, err)
		}
		p.pages[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return p, nil
}

// Render writes page name with status. It renders into a buffer first, so a template error
// becomes a clean 500 rather than half a page.
func (p *Pages) Render(w http.ResponseWriter, r *http.Request, status int, name string, pg Page) {
	t, ok := p.pages[name]
	if !ok {
		p.fail(w, r, fmt.Errorf("web: no page %q", name))
		return
	}
	if pg.Path == "" {
		pg.Path = r.URL.Path
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", pg); err != nil {
		p.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", pg.L.Code)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (p *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	p.logger.ErrorContext(r.Context(), "render page", "route", r.Pattern, "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// ErrorView is the data of the error page.
type ErrorView struct {
	// Message says what went wrong, in words for the visitor.
	Message string
	// Hint says what to do next; empty for none.
	Hint string
	// Back is a link to go on from, with its label; empty for none.
	Back, BackLabel string
}

// Error renders the error page for err in the visitor's language, with the status its kind
// maps to (Status). The message names the kind, never err's text, which may hold details for
// the log only. Internal errors are logged as errors; a lost connection to the database or
// another service (storage.Unreachable) as a warning. A 503 carries Retry-After.
func (p *Pages) Error(w http.ResponseWriter, r *http.Request, l *Lang, err error) {
	kind := helpdesk.KindOf(err)
	switch {
	case kind == helpdesk.KindInternal:
		p.logger.ErrorContext(r.Context(), "request failed", "route", r.Pattern, "err", err)
	case LostConnection(err):
		p.logger.WarnContext(r.Context(), "request failed: unavailable", "route", r.Pattern, "err", err)
	}
	p.ErrorPage(w, r, Status(kind), l, ErrorView{Message: l.T("error." + string(kind)), Hint: l.T("error." + string(kind) + ".hint")})
}

// ErrorPage renders the error page with status and v.
func (p *Pages) ErrorPage(w http.ResponseWriter, r *http.Request, status int, l *Lang, v ErrorView) {
	switch status {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "60")
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", RetryUnavailable)
	}
	p.Render(w, r, status, "error", Page{L: l, Title: v.Message, Data: v})
}

// Languages lists the switcher's entries for a page: each language's code and name.
func (pg Page) Languages() []struct{ Code, Name string } {
	out := make([]struct{ Code, Name string }, len(Languages))
	for i, l := range Languages {
		out[i].Code, out[i].Name = l, LanguageNames[l]
	}
	return out
}

// Within reports whether the page at path belongs to the module at item: path is item or under
// it ("/tickets/…" is within "/tickets"); "/" holds only itself. Templates call it as within
// to mark the menu's current entry.
func Within(path, item string) bool {
	if item == "/" {
		return path == "/"
	}
	return path == item || strings.HasPrefix(path, strings.TrimSuffix(item, "/")+"/")
}
