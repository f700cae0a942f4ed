package helpdesk_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/webhook"
)

// An admin points a webhook at a receiver, which verifies each request with the secret it was
// given; a new user's invitation reaches it once the deliverer runs.
func ExampleDesk_CreateWebhook() {
	ctx := context.Background()
	store, err := bunstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.MigrateUp(ctx); err != nil {
		log.Fatal(err)
	}
	// The receiver runs on this machine: private targets are allowed for the example only.
	desk, err := helpdesk.New(store, &helpdesk.Config{AllowPrivateTargets: true,
		SecretKeys: [][]byte{[]byte("an example's master key, 32 b ++")}})
	if err != nil {
		log.Fatal(err)
	}
	op, err := desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Acme Service"})
	if err != nil {
		log.Fatal(err)
	}
	ada, _, err := desk.CreateUser(ctx, tenant.SystemFor(op.ID), helpdesk.NewUser{Email: "ada@acme.example",
		Name: "Ada Admin", Role: tenant.RoleAdmin, Password: "Ada-Secret-7"})
	if err != nil {
		log.Fatal(err)
	}
	admin := ada.Actor()

	var secret string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify([]string{secret}, r.Header, body, time.Now(), 0); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		fmt.Println("verified:", string(body[:len(`{"type":"user.invited"`)]))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	endpoint, secret, err := desk.CreateWebhook(ctx, admin, helpdesk.NewWebhook{URL: receiver.URL + "/helpdesk",
		Description: "ERP", Events: []notify.Event{notify.UserInvited}})
	if err != nil {
		log.Fatal(err)
	}
	if _, _, err := desk.CreateUser(ctx, admin, helpdesk.NewUser{Email: "sam@acme.example", Name: "Sam Agent",
		Role: tenant.RoleAgent}); err != nil {
		log.Fatal(err)
	}
	if _, err := desk.DeliverWebhooksOnce(ctx); err != nil { // Run does this in the background
		log.Fatal(err)
	}
	page, err := desk.WebhookDeliveries(ctx, admin, endpoint.ID, storage.PageRequest{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Items[0].Event, page.Items[0].State, page.Items[0].LastStatus)
	// Output:
	// verified: {"type":"user.invited"
	// user.invited delivered 204
}
