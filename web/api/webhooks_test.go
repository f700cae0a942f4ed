package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// webhookRecords registers an endpoint in each tenant ("webhook:x", "webhook:other"), each
// with a delivery in its log ("webhook_delivery:x", "webhook_delivery:other"), sent to a
// receiver in the test that answers 204.
func webhookRecords(t *testing.T, w *world) {
	t.Helper()
	ctx := t.Context()
	for name, by := range map[string]string{"x": "admin", "other": "other_admin"} {
		e, _, err := w.desk.CreateWebhook(ctx, w.actors[by], helpdesk.NewWebhook{URL: w.receiver.URL + "/" + name,
			Description: "Receiver " + name})
		require.NoError(t, err)
		w.ids["webhook:"+name] = e.ID
		_, err = w.desk.TestWebhook(ctx, w.actors[by], e.ID)
		require.NoError(t, err)
		log, err := w.desk.WebhookDeliveries(ctx, w.actors[by], e.ID, storage.PageRequest{})
		require.NoError(t, err)
		require.NotEmpty(t, log.Items)
		w.ids["webhook_delivery:"+name] = log.Items[0].ID
	}
}

func freshWebhook(name string) func(t *testing.T, w *world) {
	return func(t *testing.T, w *world) {
		e, _, err := w.desk.CreateWebhook(t.Context(), w.actors["admin"], helpdesk.NewWebhook{URL: w.receiver.URL + "/" + name})
		require.NoError(t, err)
		w.ids["webhook:"+name] = e.ID
	}
}

func webhookScenarios() map[string][]scenario {
	ok, forbidden := http.StatusOK, http.StatusForbidden
	admins := statuses(ok, forbidden, "admin")
	return map[string][]scenario{
		"listWebhooks": {{name: "all", path: "/webhooks", want: admins}},
		"createWebhook": {{name: "some events", path: "/webhooks",
			body: `{"url":"{receiver}/new","description":"ERP","events":["ticket.assigned","ticket.closed"]}`,
			want: statuses(http.StatusCreated, forbidden, "admin"),
			check: func(t *testing.T, w *world, _ string, a answer) {
				var got struct {
					Secret string
					Events []string
				}
				require.NoError(t, json.Unmarshal([]byte(a.body), &got))
				assert.Regexp(t, `^whsec_[A-Za-z0-9+/=]{32,}$`, got.Secret)
				assert.Equal(t, []string{"ticket.assigned", "ticket.closed"}, got.Events)
				assert.Equal(t, "no-store", a.Header.Get("Cache-Control"))
			}}},
		"getWebhook":  {{name: "own", path: "/webhooks/{webhook:x}", want: admins}},
		"editWebhook": {{name: "description", path: "/webhooks/{webhook:x}", body: `{"description":"Renamed"}`, want: admins}},
		"deleteWebhook": {{name: "own", path: "/webhooks/{webhook:gone}", setup: freshWebhook("gone"),
			want: statuses(http.StatusNoContent, forbidden, "admin")}},
		"rotateWebhookSecret":   {{name: "a day's overlap", path: "/webhooks/{webhook:x}/rotate", body: `{"overlap":86400}`, want: admins}},
		"testWebhook":           {{name: "own", path: "/webhooks/{webhook:x}/test", want: admins}},
		"listWebhookDeliveries": {{name: "own", path: "/webhooks/{webhook:x}/deliveries", want: admins}},
		"replayWebhookDelivery": {{name: "own", path: "/webhook-deliveries/{webhook_delivery:x}/replay",
			want: statuses(http.StatusCreated, forbidden, "admin")}},
	}
}
