package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/web"
)

// A Desk error becomes the HTTP status of the page that reports it, and the page speaks the
// visitor's language, chosen from Accept-Language.
func Example() {
	err := fmt.Errorf("open ticket: %w", storage.ErrNotFound)
	fmt.Println(web.Status(helpdesk.KindOf(err)))

	cat, e := web.NewCatalog()
	if e != nil {
		fmt.Println(e)
		return
	}
	r := httptest.NewRequest(http.MethodGet, "/c/token", nil)
	r.Header.Set("Accept-Language", "de-CH, fr;q=0.8")
	l := cat.For(httptest.NewRecorder(), r)
	fmt.Println(l.Code, "·", l.T("state.open"))
	// Output:
	// 404
	// de · Eingegangen, wartet auf einen Techniker
}

// Trace wraps the whole site: each request gets an ID on the response, and observers learn
// the route pattern that served it, never the path.
func ExampleTrace() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /c/{token}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "device page")
	})
	h := web.Trace(nil, mux, func(_ *http.Request, s web.Served) {
		fmt.Println(s.Method, s.Route, s.Status, s.Bytes, s.RequestID)
	})
	r := httptest.NewRequest(http.MethodGet, "/c/SECRET-TOKEN", nil)
	r.Header.Set("X-Request-ID", "req-1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Header().Get("X-Request-ID"))
	// Output:
	// GET GET /c/{token} 200 12 req-1
	// req-1
}
