package public_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/web/public"
)

// The public pages of a Desk, served over HTTP: a device's code opens its page, an unknown
// token a friendly "not found" page.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "public-example")
	defer os.RemoveAll(dir)
	store, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(dir, "desk.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		fmt.Println(err)
		return
	}
	quiet := slog.New(slog.DiscardHandler)
	srv := httptest.NewUnstartedServer(nil)
	desk, err := helpdesk.New(store, &helpdesk.Config{BaseURL: "http://" + srv.Listener.Addr().String(),
		SecretKeys: [][]byte{[]byte("an example's master key, 32 b ++")}, Blobs: blob.NewMem(), Logger: quiet})
	if err != nil {
		fmt.Println(err)
		return
	}
	op, _ := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Medical Service"})
	admin := tenant.SystemFor(op.ID)
	dev, _ := desk.CreateDevice(ctx, admin, helpdesk.NewDevice{Name: "Infusion pump 7", SerialNumber: "X200-0007"})
	code, err := desk.CreateCode(ctx, admin, dev.ID, helpdesk.NewCode{})
	if err != nil {
		fmt.Println(err)
		return
	}

	h, err := public.New(desk, &public.Config{Logger: quiet})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv.Config.Handler = h
	srv.Start()
	defer srv.Close()

	for _, url := range []string{desk.CodeURL(code.Token), srv.URL + "/c/no-such-code"} {
		res, err := http.Get(url)
		if err != nil {
			fmt.Println(err)
			return
		}
		res.Body.Close()
		fmt.Println(res.StatusCode, strings.Split(res.Header.Get("Content-Type"), ";")[0], res.Header.Get("Referrer-Policy"))
	}
	// Output:
	// 200 text/html no-referrer
	// 404 text/html no-referrer
}
