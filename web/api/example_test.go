package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/web/api"
)

// Mount the API beside an application's own routes and call it with a user's token.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "api-example")
	defer os.RemoveAll(dir)
	store, err := bunstore.Open(ctx, "sqlite:"+filepath.Join(dir, "helpdesk.db"))
	if err != nil {
		panic(err)
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		panic(err)
	}
	desk, err := helpdesk.New(store, &helpdesk.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	op, _ := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service", Language: "en"})
	ada, _, err := desk.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{Email: "ada@example.com", Name: "Ada",
		Role: tenant.RoleAdmin, Password: "Example-pass-1"})
	if err != nil {
		panic(err)
	}
	// Ada makes a token for an integration that opens tickets: it may read and write, not
	// administer.
	_, token, err := desk.CreateAPIToken(ctx, tenant.Employee(op.ID, ada.ID, ada.Role, ada.Name), helpdesk.NewAPIToken{
		Name: "ERP", Scopes: tenant.ScopeRead | tenant.ScopeWrite, ExpiresAt: time.Now().Add(90 * 24 * time.Hour)})
	if err != nil {
		panic(err)
	}

	h, err := api.New(desk, nil)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle(api.Prefix+"/", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/tickets",
		strings.NewReader(`{"title":"Pump alarms","requester":{"name":"Nina","email":"nina@example.com"}}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "order-4711")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.Status, res.Header.Get("Location") != "", strings.Contains(string(body), `"ref":"T-000001"`))
	// Output: 201 Created true true
}
