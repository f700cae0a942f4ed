package backoffice_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// newHook registers an endpoint of as's tenant at the site's receiver.
func newHook(t *testing.T, w *world, as tenant.Actor, description string) *webhook.Endpoint {
	t.Helper()
	e, _, err := w.desk.CreateWebhook(t.Context(), as, helpdesk.NewWebhook{URL: w.hooks.URL + "/hook", Description: description})
	require.NoError(t, err)
	return e
}

// newHookDelivery returns a delivery of a new endpoint of as's tenant (a test send).
func newHookDelivery(t *testing.T, w *world, as tenant.Actor, description string) *webhook.Delivery {
	t.Helper()
	e := newHook(t, w, as, description)
	d, err := w.desk.TestWebhook(t.Context(), as, e.ID)
	require.NoError(t, err)
	return d
}

func webhookRoutes() module {
	plain := func(path string) request {
		return func(*testing.T, *world, string) (string, url.Values) { return path, nil }
	}
	// on requests path with {id} as a new endpoint of the tenant's; foreign as the other
	// tenant's (customer users never see the module: no foreign case for them).
	on := func(path string, form func(e *webhook.Endpoint) url.Values) request {
		return func(t *testing.T, w *world, _ string) (string, url.Values) {
			e := newHook(t, w, w.admin, "Walk")
			var v url.Values
			if form != nil {
				v = form(e)
			}
			return strings.ReplaceAll(path, "{id}", e.ID.String()), v
		}
	}
	foreign := func(path string, form func(e *webhook.Endpoint) url.Values) request {
		return func(t *testing.T, w *world, who string) (string, url.Values) {
			if who == "customer_user" {
				return "", nil
			}
			e := newHook(t, w, w.admin2, "Other tenant's hook")
			var v url.Values
			if form != nil {
				v = form(e)
			}
			return strings.ReplaceAll(path, "{id}", e.ID.String()), v
		}
	}
	edit := func(e *webhook.Endpoint) url.Values {
		return url.Values{"version": {itoa(e.Version)}, "url": {e.URL}, "description": {"Walked"}, "all": {"on"}, "active": {"on"}}
	}
	empty := func(*webhook.Endpoint) url.Values { return url.Values{} }
	confirm := func(*webhook.Endpoint) url.Values { return url.Values{"confirm": {"yes"}} }
	replay := func(t *testing.T, w *world, _ string) (string, url.Values) {
		d := newHookDelivery(t, w, w.admin, "Walk")
		return "/company/webhooks/deliveries/" + d.ID.String() + "/replay", url.Values{}
	}
	foreignReplay := func(t *testing.T, w *world, who string) (string, url.Values) {
		if who == "customer_user" {
			return "", nil
		}
		d := newHookDelivery(t, w, w.admin2, "Other tenant's hook")
		return "/company/webhooks/deliveries/" + d.ID.String() + "/replay", url.Values{}
	}
	create := func(t *testing.T, w *world, _ string) (string, url.Values) {
		return "/company/webhooks", url.Values{"url": {w.hooks.URL + "/new"}, "event": {"ticket.closed", "comment.added"}}
	}
	return module{
		"GET /company/webhooks":                         {target: plain("/company/webhooks"), want: admins(200)},
		"POST /company/webhooks":                        {target: create, want: admins(200)},
		"GET /company/webhooks/{id}":                    {target: on("/company/webhooks/{id}", nil), want: admins(200), foreign: foreign("/company/webhooks/{id}", nil)},
		"POST /company/webhooks/{id}":                   {target: on("/company/webhooks/{id}", edit), want: admins(303), foreign: foreign("/company/webhooks/{id}", edit)},
		"POST /company/webhooks/{id}/rotate":            {target: on("/company/webhooks/{id}/rotate", empty), want: admins(200), foreign: foreign("/company/webhooks/{id}/rotate", empty)},
		"POST /company/webhooks/{id}/test":              {target: on("/company/webhooks/{id}/test", empty), want: admins(303), foreign: foreign("/company/webhooks/{id}/test", empty)},
		"POST /company/webhooks/{id}/delete":            {target: on("/company/webhooks/{id}/delete", confirm), want: admins(303), foreign: foreign("/company/webhooks/{id}/delete", confirm)},
		"POST /company/webhooks/deliveries/{id}/replay": {target: replay, want: admins(303), foreign: foreignReplay},
	}
}

func TestWebhookPages(t *testing.T) {
	w := newWorld(t)
	admin := w.client(t, "admin")
	get := func(t *testing.T, path string) (*http.Response, string) {
		t.Helper()
		return do(t, admin, http.MethodGet, w.srv.URL+path, nil)
	}
	post := func(t *testing.T, path string, form url.Values) (*http.Response, string) {
		t.Helper()
		return do(t, admin, http.MethodPost, w.srv.URL+path, form)
	}

	_, body := get(t, "/company")
	assert.Contains(t, body, `href="/company/webhooks"`)
	res, body := get(t, "/company/webhooks")
	require.Equal(t, 200, res.StatusCode)
	assert.Contains(t, body, `name="event" value="ticket.closed"`)
	assert.Contains(t, body, `name="all" value="on" checked`)
	assert.Contains(t, body, "Escalations", "events grouped")

	t.Run("CreateShowsTheSecretOnce", func(t *testing.T) {
		res, body := post(t, "/company/webhooks", url.Values{"url": {w.hooks.URL + "/erp"}, "description": {"ERP"}, "event": {"ticket.closed"}})
		require.Equal(t, 200, res.StatusCode, body)
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		assert.Contains(t, body, "whsec_")
		es, err := w.desk.Webhooks(t.Context(), w.admin)
		require.NoError(t, err)
		var e *webhook.Endpoint
		for _, x := range es {
			if x.Description == "ERP" {
				e = x
			}
		}
		require.NotNil(t, e)
		assert.Equal(t, []notify.Event{notify.TicketClosed}, e.Events)
		_, list := get(t, "/company/webhooks")
		assert.NotContains(t, list, "whsec_", "shown once")
		assert.Contains(t, list, w.hooks.URL+"/erp")
		_, page := get(t, "/company/webhooks/"+e.ID.String())
		assert.NotContains(t, page, "whsec_")

		// Test send, then the outcome on the page and in the log.
		res, _ = post(t, "/company/webhooks/"+e.ID.String()+"/test", url.Values{})
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		loc := res.Header.Get("Location")
		assert.Contains(t, loc, "tested=")
		_, page = get(t, loc)
		assert.Contains(t, page, "Delivered")
		assert.Contains(t, page, "webhook.test")
		assert.Contains(t, page, "/replay")

		// Rotate: a new secret, once, not cached.
		res, page = post(t, "/company/webhooks/"+e.ID.String()+"/rotate", url.Values{})
		require.Equal(t, 200, res.StatusCode)
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		assert.Contains(t, page, "whsec_")

		// Switch off with the quick form, then on again through the edit form.
		cur, err := w.desk.Webhook(t.Context(), w.admin, e.ID)
		require.NoError(t, err)
		res, _ = post(t, "/company/webhooks/"+e.ID.String(), url.Values{"version": {itoa(cur.Version)}, "url": {cur.URL}, "event": {"ticket.closed"}})
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		cur, err = w.desk.Webhook(t.Context(), w.admin, e.ID)
		require.NoError(t, err)
		assert.False(t, cur.Active)
		assert.Equal(t, []notify.Event{notify.TicketClosed}, cur.Events, "events kept")
		res, _ = post(t, "/company/webhooks/"+e.ID.String(), url.Values{"version": {itoa(cur.Version - 1)}, "url": {cur.URL}, "all": {"on"}, "active": {"on"}})
		assert.Equal(t, http.StatusConflict, res.StatusCode, "a stale version: a friendly page")
		res, body = post(t, "/company/webhooks/"+e.ID.String(), url.Values{"version": {itoa(cur.Version)}, "url": {"ftp://x"}, "all": {"on"}})
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		assert.Contains(t, body, `aria-invalid="true"`)
		assert.Contains(t, body, "ftp://x", "the input kept")

		// Delete needs the box ticked.
		res, _ = post(t, "/company/webhooks/"+e.ID.String()+"/delete", url.Values{})
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		res, _ = post(t, "/company/webhooks/"+e.ID.String()+"/delete", url.Values{"confirm": {"yes"}})
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		_, err = w.desk.Webhook(t.Context(), w.admin, e.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
	})

	t.Run("RefusedURL", func(t *testing.T) {
		res, body := post(t, "/company/webhooks", url.Values{"url": {"mailto:ada@acme.example"}})
		assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
		assert.Contains(t, body, "This URL cannot be used")
		assert.NotContains(t, body, "whsec_")
	})
}
