package webpush_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/internal/safehttp"
	"github.com/deskkit/helpdesk/internal/webpushtest"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/webpush"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newSender(t *testing.T) (*webpush.Sender, *webpushtest.Service) {
	t.Helper()
	keys, err := webpush.GenerateKeys()
	require.NoError(t, err)
	svc := webpushtest.New(keys.Public)
	t.Cleanup(svc.Close)
	s, err := webpush.New(webpush.Config{VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private,
		Subscriber: "mailto:ops@example.com", TTL: 2 * time.Hour, HTTPClient: svc.Client()})
	require.NoError(t, err)
	return s, svc
}

func subscription(b *webpushtest.Browser) *notify.PushSubscription {
	return &notify.PushSubscription{ID: uuid.New(), Endpoint: b.Endpoint, P256dh: b.P256dh, Auth: b.Auth}
}

var message = &notify.Message{Channel: notify.Push, Event: notify.TicketAssigned,
	Subject: "T-000042 is yours", Text: "The printer on floor 2 jams.", Link: "https://desk.example.com/tickets/42"}

func TestSendPush(t *testing.T) {
	s, svc := newSender(t)
	a, b := svc.NewBrowser(), svc.NewBrowser()
	rec, err := s.SendPush(context.Background(), message, []*notify.PushSubscription{subscription(a), subscription(b)})
	require.NoError(t, err)
	assert.Empty(t, rec.Gone)
	assert.Equal(t, a.Endpoint+"/messages/1", rec.ProviderID)
	got := svc.Received()
	require.Len(t, got, 2)
	for i, b := range []*webpushtest.Browser{a, b} {
		p := got[i]
		assert.Empty(t, p.Problem, "the request as the push service checks it")
		assert.Equal(t, b.Endpoint, p.Endpoint)
		assert.Equal(t, 7200, p.TTL, "TTL header")
		assert.Equal(t, "mailto:ops@example.com", p.Subject, "the VAPID token's sub")
		assert.Equal(t, svc.URL, p.Audience)
		assert.JSONEq(t, `{"title":"T-000042 is yours","body":"The printer on floor 2 jams.","link":"https://desk.example.com/tickets/42"}`,
			string(p.Payload))
	}
}

func TestSendPushSignedByTheConfiguredKey(t *testing.T) {
	_, svc := newSender(t)
	other, err := webpush.GenerateKeys()
	require.NoError(t, err)
	s, err := webpush.New(webpush.Config{VAPIDPublicKey: other.Public, VAPIDPrivateKey: other.Private,
		Subscriber: "https://desk.example.com/contact", HTTPClient: svc.Client()})
	require.NoError(t, err)
	_, err = s.SendPush(context.Background(), message, []*notify.PushSubscription{subscription(svc.NewBrowser())})
	require.Error(t, err)
	assert.True(t, notify.IsPermanent(err), "a 400 is permanent: %v", err)
	got := svc.Received()
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Problem, "authorization key")
}

func TestSendPushDefaultTTL(t *testing.T) {
	keys, err := webpush.GenerateKeys()
	require.NoError(t, err)
	svc := webpushtest.New(keys.Public)
	t.Cleanup(svc.Close)
	s, err := webpush.New(webpush.Config{VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private,
		Subscriber: "mailto:ops@example.com", HTTPClient: svc.Client()})
	require.NoError(t, err)
	_, err = s.SendPush(context.Background(), message, []*notify.PushSubscription{subscription(svc.NewBrowser())})
	require.NoError(t, err)
	assert.Equal(t, 86400, svc.Received()[0].TTL)
}

func TestSendPushOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		answers   []int // per subscription; 0 accepts
		permanent bool
		ok        bool
		gone      []int
	}{
		{name: "410 is gone, the other accepts", answers: []int{http.StatusGone, 0}, ok: true, gone: []int{0}},
		{name: "404 is gone", answers: []int{0, http.StatusNotFound}, ok: true, gone: []int{1}},
		{name: "all gone", answers: []int{http.StatusGone}, permanent: true, gone: []int{0}},
		{name: "429 retries", answers: []int{0, http.StatusTooManyRequests}},
		{name: "5xx retries, gone still listed", answers: []int{http.StatusGone, http.StatusBadGateway}, gone: []int{0}},
		{name: "408 retries", answers: []int{http.StatusRequestTimeout}},
		{name: "403 is permanent", answers: []int{http.StatusForbidden}, permanent: true},
		{name: "413 beside an accepting one is sent", answers: []int{http.StatusRequestEntityTooLarge, 0}, ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, svc := newSender(t)
			var subs []*notify.PushSubscription
			for _, st := range tc.answers {
				b := svc.NewBrowser()
				if st != 0 {
					svc.Answer(b.Endpoint, st)
				}
				subs = append(subs, subscription(b))
			}
			rec, err := s.SendPush(context.Background(), message, subs)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Equal(t, tc.permanent, notify.IsPermanent(err), "permanent: %v", err)
			}
			var gone []uuid.UUID
			for _, i := range tc.gone {
				gone = append(gone, subs[i].ID)
			}
			assert.Equal(t, gone, rec.Gone)
		})
	}
}

func TestSendPushRefusesWithoutHTTPS(t *testing.T) {
	s, svc := newSender(t)
	sub := subscription(svc.NewBrowser())
	sub.Endpoint = strings.Replace(sub.Endpoint, "https://", "http://", 1)
	_, err := s.SendPush(context.Background(), message, []*notify.PushSubscription{sub})
	assert.ErrorIs(t, err, webpush.ErrEndpoint)
	assert.True(t, notify.IsPermanent(err))
	assert.Empty(t, svc.Received())
}

func TestSendWithoutSubscriptions(t *testing.T) {
	s, _ := newSender(t)
	_, err := s.SendPush(context.Background(), message, nil)
	assert.ErrorIs(t, err, webpush.ErrNoSubscriptions)
	assert.True(t, notify.IsPermanent(err))
	_, err = s.Send(context.Background(), message)
	assert.ErrorIs(t, err, webpush.ErrNoSubscriptions)
	assert.True(t, notify.IsPermanent(err))
}

func TestSendPushCutsALongBody(t *testing.T) {
	s, svc := newSender(t)
	m := *message
	m.Text = strings.Repeat("ä<", 3000)
	_, err := s.SendPush(context.Background(), &m, []*notify.PushSubscription{subscription(svc.NewBrowser())})
	require.NoError(t, err)
	got := svc.Received()[0]
	require.Empty(t, got.Problem)
	assert.LessOrEqual(t, len(got.Payload), webpush.MaxPayload)
	var p webpush.Payload
	require.NoError(t, json.Unmarshal(got.Payload, &p))
	assert.Equal(t, message.Subject, p.Title)
	assert.True(t, strings.HasSuffix(p.Body, "…"), "the cut is marked")
	assert.True(t, strings.HasPrefix(m.Text, strings.TrimSuffix(p.Body, "…")))
}

func TestNewValidates(t *testing.T) {
	keys, err := webpush.GenerateKeys()
	require.NoError(t, err)
	other, err := webpush.GenerateKeys()
	require.NoError(t, err)
	ok := webpush.Config{VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private, Subscriber: "mailto:ops@example.com"}
	_, err = webpush.New(ok)
	require.NoError(t, err)
	for name, mut := range map[string]func(*webpush.Config){
		"no public key":          func(c *webpush.Config) { c.VAPIDPublicKey = "" },
		"no private key":         func(c *webpush.Config) { c.VAPIDPrivateKey = "" },
		"another pair's public":  func(c *webpush.Config) { c.VAPIDPublicKey = other.Public },
		"no subscriber":          func(c *webpush.Config) { c.Subscriber = "" },
		"mailto without address": func(c *webpush.Config) { c.Subscriber = "mailto:" },
		"http subscriber":        func(c *webpush.Config) { c.Subscriber = "http://example.com" },
		"negative TTL":           func(c *webpush.Config) { c.TTL = -time.Second },
	} {
		t.Run(name, func(t *testing.T) {
			c := ok
			mut(&c)
			_, err := webpush.New(c)
			assert.Error(t, err)
		})
	}
}

// Left to its default client, the sender connects to no push service inside the server's own
// network: an endpoint is an address anyone with an account gave it.
func TestDefaultClientRefusesPrivateAddresses(t *testing.T) {
	keys, err := webpush.GenerateKeys()
	require.NoError(t, err)
	svc := webpushtest.New(keys.Public)
	t.Cleanup(svc.Close)
	s, err := webpush.New(webpush.Config{VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private, Subscriber: "mailto:ops@example.com"})
	require.NoError(t, err)
	_, err = s.SendPush(context.Background(), message, []*notify.PushSubscription{subscription(svc.NewBrowser())})
	require.Error(t, err)
	assert.ErrorIs(t, err, safehttp.ErrNotPublic)
	assert.Empty(t, svc.Received(), "nothing reached it")
}
