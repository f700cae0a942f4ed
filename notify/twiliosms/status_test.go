package twiliosms_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/deskkit/helpdesk/internal/twilioapi/twiliotest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/twiliosms"
	"github.com/deskkit/helpdesk/storage"
)

const testCallbackURL = "https://desk.example.com/twilio/sms-status"

// statusCallback returns the form Twilio posts for sid reaching status, with errorCode when
// not empty.
func statusCallback(sid, status, errorCode string) url.Values {
	f := url.Values{
		"AccountSid":    {testAccountSID},
		"ApiVersion":    {"2010-04-01"},
		"From":          {testFrom},
		"To":            {"+4917612345678"},
		"MessageSid":    {sid},
		"SmsSid":        {sid},
		"MessageStatus": {status},
		"SmsStatus":     {status},
	}
	if errorCode != "" {
		f.Set("ErrorCode", errorCode)
	}
	return f
}

// recordingSink is a notify.StatusSink that keeps the reports and answers with err.
type recordingSink struct {
	mu      sync.Mutex
	reports []notify.StatusReport
	err     error
}

func (s *recordingSink) ReportDelivery(_ context.Context, r notify.StatusReport) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reports = append(s.reports, r)
	return s.err
}

func (s *recordingSink) Reports() []notify.StatusReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notify.StatusReport(nil), s.reports...)
}

func TestStatusHandler(t *testing.T) {
	const sid = "SM0123456789abcdef0123456789abcdef"
	signed := func(form url.Values) string { return twiliotest.Signature(testAuthToken, testCallbackURL, form) }
	tests := []struct {
		name      string
		form      url.Values
		signature func(url.Values) string
		sinkErr   error
		wantCode  int
		want      []notify.StatusReport
	}{
		{
			name:      "delivered",
			form:      statusCallback(sid, "delivered", ""),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []notify.StatusReport{{Channel: notify.SMS, ProviderID: sid, Delivered: true}},
		},
		{
			name:      "undelivered with error code",
			form:      statusCallback(sid, "undelivered", "30003"),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want: []notify.StatusReport{{Channel: notify.SMS, ProviderID: sid,
				Detail: "undelivered: Twilio error 30003 (Unreachable destination handset)"}},
		},
		{
			name:      "failed with an unlisted error code",
			form:      statusCallback(sid, "failed", "30044"),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []notify.StatusReport{{Channel: notify.SMS, ProviderID: sid, Detail: "failed: Twilio error 30044"}},
		},
		{
			name: "failed with Twilio's error message",
			form: func() url.Values {
				f := statusCallback(sid, "failed", "30007")
				f.Set("ErrorMessage", "Carrier violation")
				return f
			}(),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []notify.StatusReport{{Channel: notify.SMS, ProviderID: sid, Detail: "failed: Twilio error 30007 (Carrier violation)"}},
		},
		{
			name:      "failed without error code",
			form:      statusCallback(sid, "failed", ""),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []notify.StatusReport{{Channel: notify.SMS, ProviderID: sid, Detail: "failed"}},
		},
		{
			name: "only the older parameter names",
			form: func() url.Values {
				f := statusCallback(sid, "delivered", "")
				f.Del("MessageSid")
				f.Del("MessageStatus")
				return f
			}(),
			signature: signed,
			wantCode:  http.StatusNoContent,
			want:      []notify.StatusReport{{Channel: notify.SMS, ProviderID: sid, Delivered: true}},
		},
		{name: "queued is not reported", form: statusCallback(sid, "queued", ""), signature: signed, wantCode: http.StatusNoContent},
		{name: "accepted is not reported", form: statusCallback(sid, "accepted", ""), signature: signed, wantCode: http.StatusNoContent},
		{name: "sending is not reported", form: statusCallback(sid, "sending", ""), signature: signed, wantCode: http.StatusNoContent},
		{name: "sent is not reported", form: statusCallback(sid, "sent", ""), signature: signed, wantCode: http.StatusNoContent},
		{name: "read is not reported", form: statusCallback(sid, "read", ""), signature: signed, wantCode: http.StatusNoContent},
		{
			name: "wrong signature",
			form: statusCallback(sid, "delivered", ""),
			signature: func(f url.Values) string {
				return twiliotest.Signature("another0token0another0token00000", testCallbackURL, f)
			},
			wantCode: http.StatusForbidden,
		},
		{
			name:      "signature for another URL",
			form:      statusCallback(sid, "delivered", ""),
			signature: func(f url.Values) string { return twiliotest.Signature(testAuthToken, "https://evil.example.com/x", f) },
			wantCode:  http.StatusForbidden,
		},
		{
			name: "parameters changed after signing",
			form: statusCallback(sid, "failed", "30003"),
			signature: func(url.Values) string {
				return twiliotest.Signature(testAuthToken, testCallbackURL, statusCallback(sid, "delivered", ""))
			},
			wantCode: http.StatusForbidden,
		},
		{
			name:      "no signature",
			form:      statusCallback(sid, "delivered", ""),
			signature: func(url.Values) string { return "" },
			wantCode:  http.StatusForbidden,
		},
		{
			name: "no MessageSid",
			form: func() url.Values {
				f := statusCallback(sid, "delivered", "")
				f.Del("MessageSid")
				f.Del("SmsSid")
				return f
			}(),
			signature: signed,
			wantCode:  http.StatusBadRequest,
		},
		{
			name:      "ErrorCode not a number",
			form:      statusCallback(sid, "failed", "oops"),
			signature: signed,
			wantCode:  http.StatusBadRequest,
		},
		{
			name:      "unknown message",
			form:      statusCallback(sid, "delivered", ""),
			signature: signed,
			sinkErr:   fmt.Errorf("report delivery %s: %w", sid, storage.ErrNotFound),
			wantCode:  http.StatusNoContent,
			want:      []notify.StatusReport{{Channel: notify.SMS, ProviderID: sid, Delivered: true}},
		},
		{
			name:      "sink failure asks Twilio to retry",
			form:      statusCallback(sid, "delivered", ""),
			signature: signed,
			sinkErr:   errors.New("database is down"),
			wantCode:  http.StatusInternalServerError,
			want:      []notify.StatusReport{{Channel: notify.SMS, ProviderID: sid, Delivered: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &recordingSink{err: tt.sinkErr}
			h := twiliosms.StatusHandler(testAuthToken, testCallbackURL, sink)

			// The request reaches the handler on an internal address behind a proxy; the
			// signature is over the public URL.
			rec := twiliotest.PostCallback(h, "http://10.0.0.7:8080/twilio/sms-status", tt.form, tt.signature(tt.form))

			assert.Equal(t, tt.wantCode, rec.Code, "body: %s", rec.Body)
			assert.Equal(t, tt.want, sink.Reports())
		})
	}
}

func TestStatusHandlerQuery(t *testing.T) {
	const sid = "SM0123456789abcdef0123456789abcdef"
	form := statusCallback(sid, "delivered", "")
	tests := []struct {
		name      string
		publicURL string
		requestTo string
		signedURL string
		wantCode  int
	}{
		{
			name:      "request query appended to a public URL without one",
			publicURL: testCallbackURL,
			requestTo: "/twilio/sms-status?tenant=acme",
			signedURL: testCallbackURL + "?tenant=acme",
			wantCode:  http.StatusNoContent,
		},
		{
			name:      "public URL with its own query",
			publicURL: testCallbackURL + "?tenant=acme",
			requestTo: "/twilio/sms-status?tenant=acme",
			signedURL: testCallbackURL + "?tenant=acme",
			wantCode:  http.StatusNoContent,
		},
		{
			name:      "signed without the query the request has",
			publicURL: testCallbackURL,
			requestTo: "/twilio/sms-status?tenant=acme",
			signedURL: testCallbackURL,
			wantCode:  http.StatusForbidden,
		},
		{
			name:      "signed with the explicit default port",
			publicURL: testCallbackURL,
			requestTo: "/twilio/sms-status",
			signedURL: "https://desk.example.com:443/twilio/sms-status",
			wantCode:  http.StatusNoContent,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &recordingSink{}
			h := twiliosms.StatusHandler(testAuthToken, tt.publicURL, sink)

			rec := twiliotest.PostCallback(h, tt.requestTo, form, twiliotest.Signature(testAuthToken, tt.signedURL, form))

			assert.Equal(t, tt.wantCode, rec.Code, "body: %s", rec.Body)
			assert.Equal(t, tt.wantCode == http.StatusNoContent, len(sink.Reports()) == 1)
		})
	}
}

func TestStatusHandlerRefusesOtherMethods(t *testing.T) {
	sink := &recordingSink{}
	h := twiliosms.StatusHandler(testAuthToken, testCallbackURL, sink)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/twilio/sms-status?MessageSid=SM1&MessageStatus=delivered", nil))

	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
	assert.Empty(t, sink.Reports())
}

func TestStatusHandlerRefusesHugeBodies(t *testing.T) {
	sink := &recordingSink{}
	h := twiliosms.StatusHandler(testAuthToken, testCallbackURL, sink)
	form := statusCallback("SM0123456789abcdef0123456789abcdef", "delivered", "")
	form.Set("Body", strings.Repeat("x", 1<<20))

	rec := twiliotest.PostCallback(h, "/twilio/sms-status", form, twiliotest.Signature(testAuthToken, testCallbackURL, form))

	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Empty(t, sink.Reports())
}

func TestStatusHandlerPanicsOnBadArguments(t *testing.T) {
	sink := &recordingSink{}
	tests := []struct {
		name      string
		token     string
		publicURL string
		sink      notify.StatusSink
	}{
		{name: "empty auth token", publicURL: testCallbackURL, sink: sink},
		{name: "relative URL", token: testAuthToken, publicURL: "/twilio/sms-status", sink: sink},
		{name: "nil sink", token: testAuthToken, publicURL: testCallbackURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Panics(t, func() { twiliosms.StatusHandler(tt.token, tt.publicURL, tt.sink) })
		})
	}
}
