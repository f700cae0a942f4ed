package backoffice_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk/internal/browsertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An admin on a phone without JavaScript adds a webhook, reads its secret once, sends a test,
// sees the answer in the log and replays it. Every page passes axe and none scrolls sideways.
func TestBrowserWebhooks(t *testing.T) {
	w := newWorld(t)
	tab := w.phoneTab(t, "admin", browsertest.WithoutScript())
	require.Equal(t, http.StatusOK, tab.Visit("webhooks", "/company/webhooks"))
	tab.Fill("#wh-url", w.hooks.URL+"/erp")
	tab.Fill("#wh-description", "ERP on the phone")
	require.Equal(t, http.StatusOK, tab.Follow("webhook added, its secret shown", `form[action="/company/webhooks"] button[type=submit]`))
	assert.True(t, strings.HasPrefix(tab.Text(".secret-value"), "whsec_"))
	require.Equal(t, http.StatusOK, tab.Follow("the endpoint", `.secret a.button`))
	assert.Equal(t, 0, tab.Count(".secret-value"), "the secret is shown once")
	require.Equal(t, http.StatusOK, tab.Follow("test sent", `form[action$="/test"] button`))
	assert.Contains(t, tab.Text("main"), "Delivered")
	assert.Equal(t, 1, tab.Count(`form[action$="/replay"]`))
	require.Equal(t, http.StatusOK, tab.Follow("replayed", `form[action$="/replay"] button`))
	assert.Contains(t, tab.Text("main"), "same webhook-id")
	require.Equal(t, http.StatusOK, tab.Follow("secret rotated", `form[action$="/rotate"] button`))
	assert.True(t, strings.HasPrefix(tab.Text(".secret-value"), "whsec_"))
}
