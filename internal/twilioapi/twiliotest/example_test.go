package twiliotest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/deskkit/helpdesk/internal/twilioapi/twiliotest"
)

// A stand-in server answers what twilio-go sends to api.twilio.com, and a signed callback
// reaches a handler as Twilio would post it.
func Example() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		twiliotest.Error(http.StatusTooManyRequests, 20429, "Too Many Requests").Write(w)
	}))
	defer api.Close()
	res, err := twiliotest.Redirect(api.URL, "api.twilio.com", nil).Get("https://api.twilio.com/2010-04-01/Accounts.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	res.Body.Close()
	fmt.Println(res.StatusCode)

	form := url.Values{"MessageStatus": {"delivered"}}
	sig := twiliotest.Signature("token", "https://desk.example.com/status", form)
	rec := twiliotest.PostCallback(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Header.Get("X-Twilio-Signature") == sig, r.PostFormValue("MessageStatus"))
	}), "https://desk.example.com/status", form, sig)
	fmt.Println(rec.Code)
	// Output:
	// 429
	// true delivered
	// 200
}
