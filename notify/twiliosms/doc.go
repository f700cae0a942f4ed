// Package twiliosms sends SMS notifications through Twilio's Programmable Messaging API and
// receives Twilio's delivery-status callbacks.
//
// # Sending
//
// A [Sender] is the [notify.Notifier] for [notify.SMS]. Build it with [New] from a [Config]:
// the account SID, the auth token (or an API key and secret), and the sender, either a From
// number (or alphanumeric sender ID) or a Messaging Service SID. [Sender.Send] creates one
// Twilio Message resource per notify.Message, with To.Phone as recipient and Text as body,
// and returns the message SID ("SM…") as the Receipt's ProviderID. Twilio splits long texts
// into segments itself.
//
// Send honours its ctx although twilio-go's calls take none: each Send runs its request
// through an http.Client whose Transport attaches ctx, so a deadline or cancellation aborts
// the HTTP request itself instead of leaving it behind in a goroutine. Config.HTTPClient's
// Timeout, if any, bounds each request as well.
//
// Twilio's Messages API has no idempotency key: when the answer to an accepted request is
// lost (a timeout after Twilio queued the message), the retry sends the SMS again. The
// message's Attempt is passed to Twilio as its Attempt parameter, for Twilio's delivery
// insights only.
//
// Only the packages twilio-go/client and twilio-go/rest/api/v2010 are used, not the
// twilio-go root package, which would compile every Twilio product API into the program.
//
// # Delivery status callbacks
//
// When Config.StatusCallbackURL is set, Twilio posts the message's status changes to it.
// Serve that URL with [StatusHandler], giving it the same public URL, the account's auth token
// (Twilio signs every callback with it) and a [notify.StatusSink], normally the helpdesk
// Desk:
//
//	mux.Handle("POST /twilio/sms-status", twiliosms.StatusHandler(authToken,
//		"https://desk.example.com/twilio/sms-status", desk))
//
// The handler rejects callbacks without a valid X-Twilio-Signature (403) and reports the
// final statuses only: delivered, or undelivered / failed / canceled with Twilio's error code
// as the report's Detail. A callback for a message the sink does not know is acknowledged, so
// that Twilio stops retrying it; any other sink error answers 500 and Twilio retries.
//
// # Errors
//
// Send sorts its errors the way the notification dispatcher needs them:
//
//   - Permanent ([notify.IsPermanent]): a message without To.Phone ([ErrNoPhone]) or without
//     Text ([ErrNoText]), refused before Twilio is asked; a Twilio refusal with a 4xx status
//     other than 408 and 429, such as 21211 (invalid To number), 21610 (recipient
//     unsubscribed), 21614 (not a mobile number), 21408 (region not enabled) or 20003
//     (authentication failed).
//   - Transient (retried with backoff): Twilio's 429 (rate limit, code 20429), 408 and 5xx
//     answers, network errors, answers that are not Twilio's JSON error body, and the end
//     of ctx (the error wraps ctx.Err()).
//
// A Twilio refusal's error text carries Twilio's code, HTTP status, message and help link;
// errors.As with a *client.TwilioRestError (package github.com/twilio/twilio-go/client)
// gives the fields.
package twiliosms
