package backoffice_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/web/backoffice"
)

// The back office of one operator: a page asked for while signed out leads to the sign-in
// form, which comes back to it.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "backoffice-example")
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
	desk, err := helpdesk.New(store, &helpdesk.Config{SecretKeys: [][]byte{[]byte("an example's master key, 32 b ++")},
		Blobs: blob.NewMem(), Logger: quiet})
	if err != nil {
		fmt.Println(err)
		return
	}
	op, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service"})
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := backoffice.New(desk, &backoffice.Config{Tenant: backoffice.SingleTenant(op.ID), Logger: quiet})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/profile", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// Output:
	// 303 /login?next=%2Fprofile
}
