package helpdesk_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/internal/webpushtest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/webpush"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pushInput is a browser's subscription to endpoint, with fresh keys.
func pushInput(endpoint string) helpdesk.PushSubscriptionInput {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return helpdesk.PushSubscriptionInput{Endpoint: endpoint, P256dh: base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()),
		Auth: base64.RawURLEncoding.EncodeToString(auth), UserAgent: "Firefox on Linux"}
}

// pushFixture is the usual fixture whose Desk sends push notifications through a Web Push
// Sender to a fake push service.
type pushFixture struct {
	*fixture
	service *webpushtest.Service
}

func newPushFixture(t *testing.T, s *bunstore.Store) *pushFixture {
	t.Helper()
	f := newFixture(t, s)
	keys, err := webpush.GenerateKeys()
	require.NoError(t, err)
	svc := webpushtest.New(keys.Public)
	t.Cleanup(svc.Close)
	sender, err := webpush.New(webpush.Config{VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private,
		Subscriber: "mailto:ops@example.com", HTTPClient: svc.Client()})
	require.NoError(t, err)
	d, err := helpdesk.New(s, &helpdesk.Config{Now: f.clock.Now, SecretKeys: [][]byte{testKey}, AllowPrivateTargets: true,
		Notifiers: map[notify.Channel]notify.Notifier{notify.Push: sender}})
	require.NoError(t, err)
	f.desk = d
	return &pushFixture{fixture: f, service: svc}
}

// subscribe switches push on for a and subscribes a browser of the fake push service.
func (f *pushFixture) subscribe(t *testing.T, a tenant.Actor, push bool) (*webpushtest.Browser, *notify.PushSubscription) {
	t.Helper()
	_, err := f.desk.UpdateUser(t.Context(), a, a.UserID, helpdesk.UserEdit{Push: &push})
	require.NoError(t, err)
	b := f.service.NewBrowser()
	sub, err := f.desk.AddPushSubscription(t.Context(), a, helpdesk.PushSubscriptionInput{Endpoint: b.Endpoint, P256dh: b.P256dh,
		Auth: b.Auth, UserAgent: "Firefox on Linux"})
	require.NoError(t, err)
	return b, sub
}

// received counts the valid pushes per endpoint.
func (f *pushFixture) received(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, p := range f.service.Received() {
		require.Empty(t, p.Problem, "the push service's check of the request")
		out[p.Endpoint]++
	}
	return out
}

func (f *pushFixture) pushes(t *testing.T, ev notify.Event) []*notify.Notification {
	t.Helper()
	page, err := f.store.ListNotifications(t.Context(), f.tenant.ID, storage.NotificationFilter{Event: ev, Channel: notify.Push},
		storage.PageRequest{Limit: storage.MaxPageSize})
	require.NoError(t, err)
	return page.Items
}

func TestPushReachesEveryBrowserOfItsUser(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newPushFixture(t, s)
		sam1, _ := f.subscribe(t, f.agent, true)
		sam2, _ := f.subscribe(t, f.agent, true)
		gone, goneSub := f.subscribe(t, f.agent, true)
		f.service.Answer(gone.Endpoint, http.StatusGone)
		alex, _ := f.subscribe(t, f.agent2, true)
		sue, _ := f.subscribe(t, f.supervisor, false) // push off: subscribed, but hears nothing

		f.submit(t, "Pump alarms")
		n, err := f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "one push notification each for Sam and Alex, none for Sue")
		assert.Equal(t, map[string]int{sam1.Endpoint: 1, sam2.Endpoint: 1, gone.Endpoint: 1, alex.Endpoint: 1}, f.received(t))
		assert.Zero(t, f.received(t)[sue.Endpoint])
		for _, p := range f.service.Received() {
			assert.Contains(t, string(p.Payload), `"title":`)
			assert.Contains(t, string(p.Payload), `"link":"http://localhost:8080/tickets/`)
		}
		for _, n := range f.pushes(t, notify.TicketOffered) {
			assert.Equal(t, notify.StatusSent, n.Status, "%s: %s", n.To.Name, n.LastError)
		}

		// The push service said the third browser is gone: it is deleted.
		subs, err := f.desk.PushSubscriptions(ctx, f.agent)
		require.NoError(t, err)
		require.Len(t, subs, 2)
		for _, sub := range subs {
			assert.NotEqual(t, goneSub.ID, sub.ID)
		}
	})
}

func TestPushRetriesAndFails(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newPushFixture(t, s)
		sam, _ := f.subscribe(t, f.agent, true)
		f.service.Answer(sam.Endpoint, http.StatusServiceUnavailable)
		f.subscribe(t, f.agent2, true)
		f.submit(t, "Pump alarms")
		// Alex switches push off after the notification was written: it is not sent.
		off := false
		_, err := f.desk.UpdateUser(ctx, f.agent2, f.agent2.UserID, helpdesk.UserEdit{Push: &off})
		require.NoError(t, err)
		_, err = f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		for _, n := range f.pushes(t, notify.TicketOffered) {
			switch n.To.UserID {
			case f.agent.UserID:
				assert.Equal(t, notify.StatusPending, n.Status, "a 503 is retried")
				assert.Contains(t, n.LastError, "503")
			case f.agent2.UserID:
				assert.Equal(t, notify.StatusFailed, n.Status)
				assert.Contains(t, n.LastError, "switched push notifications off")
			}
		}
		assert.Len(t, f.service.Received(), 1, "only Sam's browser was asked")
		subs, err := f.desk.PushSubscriptions(ctx, f.agent)
		require.NoError(t, err)
		assert.Len(t, subs, 1, "a 503 keeps the subscription")
	})
}

func TestPushWithoutSubscriptionFails(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newPushFixture(t, s)
		on := true
		_, err := f.desk.UpdateUser(t.Context(), f.agent, f.agent.UserID, helpdesk.UserEdit{Push: &on})
		require.NoError(t, err)
		f.submit(t, "Pump alarms")
		_, err = f.desk.DispatchOnce(t.Context())
		require.NoError(t, err)
		ns := f.pushes(t, notify.TicketOffered)
		require.Len(t, ns, 1)
		assert.Equal(t, notify.StatusFailed, ns[0].Status)
		assert.Contains(t, ns[0].LastError, "no browser subscribed")
	})
}

func TestAddPushSubscription(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		in := pushInput("https://push.example.com/sam")
		in.P256dh += "=" // padding is accepted and dropped
		in.UserAgent = "  Firefox\x00 on Linux " + strings.Repeat("x", 200)
		sub, err := f.desk.AddPushSubscription(ctx, f.agent, in)
		require.NoError(t, err)
		assert.Equal(t, f.agent.UserID, sub.UserID)
		assert.Equal(t, strings.TrimSuffix(in.P256dh, "="), sub.P256dh)
		assert.Equal(t, 120, len([]rune(sub.UserAgent)), "the label is cut")
		assert.True(t, strings.HasPrefix(sub.UserAgent, "Firefox on Linux"), "control characters dropped: %q", sub.UserAgent)

		t.Run("Invalid", func(t *testing.T) {
			for name, mut := range map[string]func(*helpdesk.PushSubscriptionInput){
				"http endpoint":       func(in *helpdesk.PushSubscriptionInput) { in.Endpoint = "http://push.example.com/x" },
				"no host":             func(in *helpdesk.PushSubscriptionInput) { in.Endpoint = "https:///x" },
				"not a URL":           func(in *helpdesk.PushSubscriptionInput) { in.Endpoint = "push.example.com/x" },
				"endpoint too long":   func(in *helpdesk.PushSubscriptionInput) { in.Endpoint += strings.Repeat("x", 2048) },
				"p256dh not a point":  func(in *helpdesk.PushSubscriptionInput) { in.P256dh = base64Of(65, 4) },
				"p256dh not base64":   func(in *helpdesk.PushSubscriptionInput) { in.P256dh = "not base64!" },
				"auth too short":      func(in *helpdesk.PushSubscriptionInput) { in.Auth = base64Of(8, 1) },
				"auth missing":        func(in *helpdesk.PushSubscriptionInput) { in.Auth = "" },
				"endpoint with login": func(in *helpdesk.PushSubscriptionInput) { in.Endpoint = "https://u:p@push.example.com/x" },
			} {
				t.Run(name, func(t *testing.T) {
					in := pushInput("https://push.example.com/invalid")
					mut(&in)
					_, err := f.desk.AddPushSubscription(ctx, f.agent, in)
					assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err), "%v", err)
				})
			}
		})

		t.Run("SameBrowserAgainReplaces", func(t *testing.T) {
			again, err := f.desk.AddPushSubscription(ctx, f.agent, pushInput(in.Endpoint))
			require.NoError(t, err)
			subs, err := f.desk.PushSubscriptions(ctx, f.agent)
			require.NoError(t, err)
			require.Len(t, subs, 1)
			assert.Equal(t, again.ID, subs[0].ID)
			assert.Equal(t, again.P256dh, subs[0].P256dh, "the new keys")
		})

		t.Run("AnotherUserTakesTheBrowser", func(t *testing.T) {
			_, err := f.desk.AddPushSubscription(ctx, f.agent2, pushInput(in.Endpoint))
			require.NoError(t, err)
			subs, err := f.desk.PushSubscriptions(ctx, f.agent)
			require.NoError(t, err)
			assert.Empty(t, subs, "the endpoint now notifies Alex")
			subs, err = f.desk.PushSubscriptions(ctx, f.agent2)
			require.NoError(t, err)
			assert.Len(t, subs, 1)
		})

		t.Run("Capped", func(t *testing.T) {
			for i := range helpdesk.MaxPushSubscriptions {
				_, err := f.desk.AddPushSubscription(ctx, f.supervisor, pushInput("https://push.example.com/sue/"+string(rune('a'+i))))
				require.NoError(t, err)
			}
			_, err := f.desk.AddPushSubscription(ctx, f.supervisor, pushInput("https://push.example.com/sue/one-more"))
			assert.ErrorIs(t, err, helpdesk.ErrTooManyPushSubscriptions)
			assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))
			subs, err := f.desk.PushSubscriptions(ctx, f.supervisor)
			require.NoError(t, err)
			_, err = f.desk.AddPushSubscription(ctx, f.supervisor, pushInput(subs[0].Endpoint))
			assert.NoError(t, err, "re-subscribing a browser the user has is no new one")
			require.NoError(t, f.desk.RemovePushSubscription(ctx, f.supervisor, subs[1].ID))
			_, err = f.desk.AddPushSubscription(ctx, f.supervisor, pushInput("https://push.example.com/sue/one-more"))
			assert.NoError(t, err, "after removing one")
		})
	})
}

// base64Of is n bytes of b, base64url.
func base64Of(n int, b byte) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat(string(rune(b)), n)))
}

// A push endpoint is an address anyone with an account hands the server: one inside the
// server's network is refused unless Config.AllowPrivateTargets says otherwise.
func TestPushEndpointMustBePublic(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		for _, endpoint := range []string{"https://127.0.0.1/push/1", "https://localhost:8443/push/1", "https://[::1]/push/1",
			"https://169.254.169.254/latest", "https://10.0.0.7/push/1", "https://[::ffff:192.168.1.1]/push/1"} {
			_, err := f.desk.AddPushSubscription(t.Context(), f.agent, pushInput(endpoint))
			var ve *helpdesk.ValidationError
			if assert.ErrorAs(t, err, &ve, endpoint) {
				assert.Equal(t, "endpoint", ve.Field)
			}
		}
		_, err := f.desk.AddPushSubscription(t.Context(), f.agent, pushInput("https://push.example.com/ok"))
		require.NoError(t, err, "a public push service")
	})
}
