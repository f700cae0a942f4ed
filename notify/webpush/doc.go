// Package webpush delivers push notifications to browsers with the Web Push protocol: VAPID
// (RFC 8292) to identify the sender to the push service, and aes128gcm message encryption
// (RFC 8291) so that only the subscribed browser reads the message. The signing and
// encryption are github.com/SherClockHolmes/webpush-go's.
//
// # Keys
//
// A [Sender] signs every request with a VAPID key pair. Make one with [GenerateKeys] once,
// keep it with the deployment's other secrets (an environment variable, a secret manager;
// not in the database), and give every instance the same pair: a browser subscribes with the
// public key ([Sender.PublicKey], PushManager.subscribe's applicationServerKey), and its
// push service refuses messages signed by any other key, so a new pair ends every
// subscription. [Config.Subscriber] is the contact a push service may write to about the
// traffic (a mailto: or https URL); [Config.TTL] is how long a push service keeps a message
// for a browser that is offline (24 hours by default).
//
// # Sending
//
// A Sender is the [notify.PushNotifier] for [notify.Push]: give it to the Desk as
// Config.Notifiers[notify.Push]. For each push notification the Desk hands [Sender.SendPush]
// the recipient's subscriptions (stored by Desk.AddPushSubscription), and the Sender posts
// the message to each, as the JSON of a [Payload]: the rendered title, text and link. A
// message must fit one 4096-byte record: a longer text is cut (marked with "…") so that the
// JSON fits [MaxPayload].
//
// # Errors
//
// A push service's answer decides what becomes of a subscription and of the message:
//
//   - 2xx: accepted; the first Location is the receipt's ProviderID.
//   - 404 or 410: the subscription is gone (the browser unsubscribed, or it expired); it is
//     listed in the receipt's Gone and the Desk deletes it.
//   - 408, 429, 5xx or no answer: transient; the Desk retries the message with backoff, to
//     every subscription again (a browser that accepted it before may show it twice).
//   - any other 4xx (403 for a subscription made with another VAPID key, 413): permanent
//     for that subscription.
//
// The message is sent when at least one subscription accepted it and none failed
// transiently. When none accepted it, the error is permanent ([ErrGone] when every
// subscription is gone); a subscription whose endpoint is not https is refused without a
// request ([ErrEndpoint]).
package webpush
