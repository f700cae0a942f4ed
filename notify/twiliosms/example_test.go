package twiliosms_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/deskkit/helpdesk/internal/twilioapi/twiliotest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/twiliosms"
)

func Example() {
	// A stand-in for api.twilio.com, so that the example runs offline.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued", "to": %q}`, r.FormValue("To"))
	}))
	defer api.Close()

	sender, err := twiliosms.New(twiliosms.Config{
		AccountSID:        "AC0123456789abcdef0123456789abcdef",
		AuthToken:         "0123456789abcdef0123456789abcdef",
		From:              "+4930555000111",
		StatusCallbackURL: "https://desk.example.com/twilio/sms-status",
		HTTPClient:        twiliotest.Redirect(api.URL, "", nil), // leave nil to talk to Twilio
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	receipt, err := sender.Send(context.Background(), &notify.Message{
		Channel: notify.SMS,
		Event:   notify.TicketAssigned,
		To:      notify.Address{Phone: "+4917612345678"},
		Text:    "T-000042 is yours now.",
	})
	switch {
	case notify.IsPermanent(err):
		fmt.Println("will not retry:", err)
	case err != nil:
		fmt.Println("will retry:", err)
	default:
		fmt.Println("accepted as", receipt.ProviderID)
	}
	// Output: accepted as SM0123456789abcdef0123456789abcdef
}

// printSink prints the reports it is given, as the helpdesk Desk would record them.
type printSink struct{}

func (printSink) ReportDelivery(_ context.Context, r notify.StatusReport) error {
	fmt.Printf("%s delivered=%t %s\n", r.ProviderID, r.Delivered, r.Detail)
	return nil
}

func ExampleStatusHandler() {
	const authToken = "0123456789abcdef0123456789abcdef"
	const publicURL = "https://desk.example.com/twilio/sms-status"

	mux := http.NewServeMux()
	mux.Handle("POST /twilio/sms-status", twiliosms.StatusHandler(authToken, publicURL, printSink{}))

	// Twilio reports that an SMS could not be delivered.
	form := url.Values{
		"MessageSid":    {"SM0123456789abcdef0123456789abcdef"},
		"MessageStatus": {"undelivered"},
		"ErrorCode":     {"30003"},
	}
	req := httptest.NewRequest(http.MethodPost, "/twilio/sms-status", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twiliotest.Signature(authToken, publicURL, form))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// SM0123456789abcdef0123456789abcdef delivered=false undelivered: Twilio error 30003 (Unreachable destination handset)
	// 204
}
