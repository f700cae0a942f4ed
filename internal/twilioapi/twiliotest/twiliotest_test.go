package twiliotest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/deskkit/helpdesk/internal/twilioapi/twiliotest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/client"
)

// The tests' signing must agree with twilio-go's validator, so that the adapters' callback
// tests check their handlers against Twilio's algorithm rather than against themselves.
func TestSignatureMatchesTwilio(t *testing.T) {
	const token, callURL = "0123456789abcdef0123456789abcdef", "https://desk.example.com/twilio/status?x=1"
	form := url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"delivered"}, "AccountSid": {"AC1"}, "ErrorCode": {""}}
	sig := twiliotest.Signature(token, callURL, form)
	params := map[string]string{}
	for k := range form {
		params[k] = form.Get(k)
	}
	v := client.NewRequestValidator(token)
	require.True(t, v.Validate(callURL, params, sig))
	require.False(t, v.Validate(callURL+"x", params, sig))
	other := client.NewRequestValidator(token + "x")
	require.False(t, other.Validate(callURL, params, sig))
}

func TestRedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		twiliotest.Error(http.StatusNotFound, 20404, "not found: "+r.URL.Path).Write(w)
	}))
	defer srv.Close()

	res, err := twiliotest.Redirect(srv.URL, "api.twilio.com", nil).Get("https://api.twilio.com/2010-04-01/x.json")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"code":20404,"message":"not found: /2010-04-01/x.json","more_info":"https://www.twilio.com/docs/errors/20404","status":404}`, string(body))

	_, err = twiliotest.Redirect(srv.URL, "api.twilio.com", nil).Get("https://video.twilio.com/v1/Rooms")
	assert.ErrorContains(t, err, "not to https://api.twilio.com")
	res, err = twiliotest.Redirect(srv.URL, "", nil).Get("https://video.twilio.com/v1/Rooms")
	require.NoError(t, err, "any host without one named")
	res.Body.Close()
}
