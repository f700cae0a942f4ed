package twiliosms

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/deskkit/helpdesk/internal/twilioapi"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
)

// StatusHandler returns the http.Handler for Twilio's message status callbacks, to be served
// at publicURL, the URL configured as Config.StatusCallbackURL exactly as Twilio calls it
// (scheme, host, port and path as seen from outside, behind any proxy). If publicURL has no
// query but the request has one, the request's query is appended before the signature is
// checked, so one handler can serve callback URLs that differ in their query.
//
// The handler checks the X-Twilio-Signature header against authToken (the account's auth
// token; API keys cannot check signatures) and reads MessageSid, MessageStatus and ErrorCode.
// A final status is reported to sink as a [notify.StatusReport]: "delivered" as delivered;
// "undelivered", "failed" and "canceled" as not delivered, with the status and Twilio's
// error code (and its meaning, where known) as Detail. Other statuses (queued, sending, sent,
// accepted, scheduled, read, …) are acknowledged and not reported.
//
// Answers: 204 for a callback acknowledged or reported, and also when sink returns an error
// wrapping storage.ErrNotFound (a message this desk did not send: a retry could not help);
// 403 for a missing or wrong signature; 400 for a malformed callback; 405 for a method other
// than POST; 500 for any other sink error, so that Twilio retries the callback.
//
// StatusHandler panics if authToken is empty (every signature would be forgeable), publicURL
// is not an absolute http or https URL, or sink is nil.
func StatusHandler(authToken, publicURL string, sink notify.StatusSink) http.Handler {
	if sink == nil {
		panic("twiliosms: StatusHandler: nil sink")
	}
	return &statusHandler{callbacks: twilioapi.NewCallbacks("twiliosms", authToken, publicURL), sink: sink}
}

type statusHandler struct {
	callbacks twilioapi.Callbacks
	sink      notify.StatusSink
}

func (h *statusHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	params, ok := h.callbacks.Params(w, r)
	if !ok {
		return
	}

	// SmsSid and SmsStatus are the older names, still sent alongside.
	sid := first(params["MessageSid"], params["SmsSid"])
	status := first(params["MessageStatus"], params["SmsStatus"])
	if sid == "" || status == "" {
		http.Error(w, "MessageSid and MessageStatus are required", http.StatusBadRequest)
		return
	}
	code := 0
	if s := params["ErrorCode"]; s != "" {
		c, err := strconv.Atoi(s)
		if err != nil {
			http.Error(w, "ErrorCode is not a number", http.StatusBadRequest)
			return
		}
		code = c
	}

	report := notify.StatusReport{Channel: notify.SMS, ProviderID: sid}
	switch status {
	case "delivered":
		report.Delivered = true
	case "undelivered", "failed", "canceled":
		report.Detail = failureDetail(status, code, params["ErrorMessage"])
	default:
		// Intermediate (queued, accepted, scheduled, sending, sent), after delivery (read),
		// or a status newer than this code: nothing to record.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := h.sink.ReportDelivery(r.Context(), report); err != nil && !errors.Is(err, storage.ErrNotFound) {
		http.Error(w, "could not record the status", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// failureDetail describes a failed delivery: "undelivered: Twilio error 30003 (Unreachable
// destination handset)".
func failureDetail(status string, code int, message string) string {
	if code == 0 {
		if message != "" {
			return status + ": " + message
		}
		return status
	}
	if message == "" {
		message = deliveryErrorText(code)
	}
	d := fmt.Sprintf("%s: Twilio error %d", status, code)
	if message != "" {
		d += " (" + message + ")"
	}
	return d
}

// deliveryErrorText names the delivery errors Twilio reports most often in status callbacks,
// which carry only the code (https://www.twilio.com/docs/api/errors).
func deliveryErrorText(code int) string {
	switch code {
	case 30001:
		return "Queue overflow"
	case 30002:
		return "Account suspended"
	case 30003:
		return "Unreachable destination handset"
	case 30004:
		return "Message blocked"
	case 30005:
		return "Unknown destination handset"
	case 30006:
		return "Landline or unreachable carrier"
	case 30007:
		return "Message filtered by the carrier"
	case 30008:
		return "Unknown error"
	case 30010:
		return "Message price exceeds max price"
	case 21610:
		return "Recipient unsubscribed (replied STOP)"
	}
	return ""
}
