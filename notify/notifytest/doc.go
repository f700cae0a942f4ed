// Package notifytest helps test code that sends notifications, and tests Notifier adapters.
//
// # Recording what is sent
//
// A [Recorder] is a [notify.Notifier] that keeps a copy of every message it is sent instead
// of delivering it. Give it to the code under test in place of a real adapter, then look at
// [Recorder.Messages] or [Recorder.Find]. [Recorder.FailNext] makes the next sends fail, to
// test retries and error handling.
//
// # Conformance suite for adapters
//
// [RunNotifier] checks that a Notifier adapter keeps the contract of [notify.Notifier]:
// content arrives unchanged (unicode included), the idempotency key reaches the provider,
// concurrent sends each arrive exactly once, provider refusals are classified as transient
// or permanent ([notify.IsPermanent]), a missing address is refused before the provider is
// asked, ctx's deadline is honoured, and a failure leaves the adapter usable.
//
// The adapter's test supplies a [Harness]: the channel it serves, and a constructor that
// starts a stand-in for the provider (an SMTP server, an HTTP test server imitating the
// provider's API) implementing [Provider], and returns the adapter connected to it. The
// stand-in must speak the provider's real protocol, so that the adapter's own encoding,
// status-code handling and error parsing are what is being tested.
//
//	func TestConformance(t *testing.T) {
//		notifytest.RunNotifier(t, notifytest.Harness{
//			Channel: notify.Email,
//			New: func(t *testing.T) (notify.Notifier, notifytest.Provider) {
//				srv := startFakeSMTP(t) // implements notifytest.Provider
//				m, err := smtpmail.New(smtpmail.Config{Host: "127.0.0.1", Port: srv.Port, …})
//				require.NoError(t, err)
//				return m, srv
//			},
//		})
//	}
//
// # Channel differences
//
// E-mail adapters must deliver Subject and HTML and must pass the message's IdempotencyKey
// to the provider (as the Message-ID, for instance). SMS providers have no subject, no HTML
// and often no idempotency key, so for [notify.SMS] those checks are skipped and the
// recipient is the phone number rather than the e-mail address.
package notifytest
