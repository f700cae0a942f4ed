package twiliosms_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/internal/twilioapi/twiliotest"
	"github.com/deskkit/helpdesk/notify/notifytest"
)

// Test credentials; their shapes are Twilio's (New checks them).
const (
	testAccountSID = "AC0123456789abcdef0123456789abcdef"
	testAuthToken  = "0123456789abcdef0123456789abcdef"
	testAPIKey     = "SKfedcba9876543210fedcba9876543210"
	testAPISecret  = "s3cr3tAPIsecretValue0123456789ab"
	testServiceSID = "MG00112233445566778899aabbccddeeff"
	testFrom       = "+4930555000111"
)

// fakeTwilio stands in for Twilio's REST API: it serves
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json the way Twilio does (Basic auth, form
// body, 201 with a Message resource, Twilio's JSON error bodies). It implements
// notifytest.Provider.
type fakeTwilio struct {
	srv *httptest.Server

	// user and pass are the Basic credentials it accepts.
	user, pass string

	mu       sync.Mutex
	accepted []notifytest.Accepted
	forms    []url.Values         // the accepted requests' forms
	refusals []twiliotest.Refusal // queued answers for the next requests
	stall    chan struct{}
	seq      int

	// stalled receives a value whenever a request starts waiting in a stall.
	stalled chan struct{}
}

var _ notifytest.Provider = (*fakeTwilio)(nil)

// newFakeTwilio starts a stand-in accepting the test account's auth token.
func newFakeTwilio(t *testing.T) *fakeTwilio {
	t.Helper()
	f := &fakeTwilio{user: testAccountSID, pass: testAuthToken, stalled: make(chan struct{}, 100)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.release()
		f.srv.Close()
	})
	return f
}

// Client returns an http.Client that sends every request (to https://api.twilio.com) to the
// stand-in instead, since twilio-go has no base-URL option.
func (f *fakeTwilio) Client() *http.Client {
	return twiliotest.Redirect(f.srv.URL, "api.twilio.com", f.srv.Client().Transport)
}

// Accepted implements notifytest.Provider.
func (f *fakeTwilio) Accepted() []notifytest.Accepted {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]notifytest.Accepted(nil), f.accepted...)
}

// Forms returns the accepted requests' form values.
func (f *fakeTwilio) Forms() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...)
}

// FailNext implements notifytest.Provider: a transient refusal is Twilio's 429, a permanent
// one its 400 for an invalid To number.
func (f *fakeTwilio) FailNext(kind notifytest.Failure) {
	switch kind {
	case notifytest.Transient:
		f.Refuse(twiliotest.Error(http.StatusTooManyRequests, 20429, "Too Many Requests"))
	case notifytest.Permanent:
		f.Refuse(twiliotest.Error(http.StatusBadRequest, 21211, "The 'To' number +1555 is not a valid phone number."))
	default:
		panic(fmt.Sprintf("fakeTwilio: unknown failure %d", kind))
	}
}

// Refuse queues r as the answer to the next request.
func (f *fakeTwilio) Refuse(r twiliotest.Refusal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refusals = append(f.refusals, r)
}

// Stall implements notifytest.Provider: requests wait until release is called or their client
// gives up.
func (f *fakeTwilio) Stall() (release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stall == nil {
		f.stall = make(chan struct{})
	}
	return f.release
}

func (f *fakeTwilio) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stall != nil {
		close(f.stall)
		f.stall = nil
	}
}

func (f *fakeTwilio) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	stall := f.stall
	f.mu.Unlock()
	if stall != nil {
		select {
		case f.stalled <- struct{}{}:
		default:
		}
		select {
		case <-stall:
		case <-r.Context().Done():
			return
		}
	}

	path := "/2010-04-01/Accounts/" + testAccountSID + "/Messages.json"
	if r.Method != http.MethodPost || r.URL.Path != path {
		twiliotest.Error(http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found").Write(w)
		return
	}
	if user, pass, ok := r.BasicAuth(); !ok || user != f.user || pass != f.pass {
		twiliotest.Error(http.StatusUnauthorized, 20003, "Authenticate").Write(w)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		twiliotest.Error(http.StatusBadRequest, 20001, "Unsupported Content-Type "+ct).Write(w)
		return
	}
	if err := r.ParseForm(); err != nil {
		twiliotest.Error(http.StatusBadRequest, 20001, "Malformed form body").Write(w)
		return
	}
	form := r.PostForm

	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.refusals) > 0 {
		refused := f.refusals[0]
		f.refusals = f.refusals[1:]
		refused.Write(w)
		return
	}
	switch {
	case form.Get("To") == "":
		twiliotest.Error(http.StatusBadRequest, 21604, "A 'To' phone number is required.").Write(w)
		return
	case form.Get("From") == "" && form.Get("MessagingServiceSid") == "":
		twiliotest.Error(http.StatusBadRequest, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.").Write(w)
		return
	case form.Get("Body") == "":
		twiliotest.Error(http.StatusBadRequest, 21602, "Message body is required.").Write(w)
		return
	}

	f.seq++
	sid := fmt.Sprintf("SM%032x", f.seq)
	f.accepted = append(f.accepted, notifytest.Accepted{To: form.Get("To"), Text: form.Get("Body")})
	f.forms = append(f.forms, form)

	status, from := "queued", any(form.Get("From"))
	var service any
	if s := form.Get("MessagingServiceSid"); s != "" {
		service = s
		if form.Get("From") == "" {
			status, from = "accepted", nil // the service picks the sender later
		}
	}
	now := time.Now().UTC().Format(time.RFC1123Z)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"account_sid":           testAccountSID,
		"api_version":           "2010-04-01",
		"body":                  form.Get("Body"),
		"date_created":          now,
		"date_sent":             nil,
		"date_updated":          now,
		"direction":             "outbound-api",
		"error_code":            nil,
		"error_message":         nil,
		"from":                  from,
		"messaging_service_sid": service,
		"num_media":             "0",
		"num_segments":          "1",
		"price":                 nil,
		"price_unit":            "USD",
		"sid":                   sid,
		"status":                status,
		"subresource_uris": map[string]string{
			"media": "/2010-04-01/Accounts/" + testAccountSID + "/Messages/" + sid + "/Media.json",
		},
		"to":  form.Get("To"),
		"uri": "/2010-04-01/Accounts/" + testAccountSID + "/Messages/" + sid + ".json",
	})
}
