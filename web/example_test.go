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
