package helpdesk_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newHookFixture is newFixture with a Desk that may send to the test's local receivers, and
// retries after 1 second at first.
func newHookFixture(t *testing.T, s *bunstore.Store, cfg helpdesk.Config) *fixture {
	t.Helper()
	f := newFixture(t, s)
	cfg.Now, cfg.SecretKeys, cfg.Blobs, cfg.AllowPrivateTargets = f.clock.Now, [][]byte{testKey}, blob.NewMem(), true
	if cfg.Dispatch.RetryBackoff == 0 {
		cfg.Dispatch.RetryBackoff, cfg.Dispatch.MaxBackoff = time.Second, time.Minute
	}
	d, err := helpdesk.New(s, &cfg)
	require.NoError(t, err)
	f.desk = d
	return f
}

// received is one request a receiver got.
type received struct {
	path   string
	status int
	header http.Header
	body   []byte
}

func (r received) id() string { return r.header.Get("webhook-id") }

func (r received) payload(t *testing.T) webhook.Payload {
	t.Helper()
	var p webhook.Payload
	require.NoError(t, json.Unmarshal(r.body, &p))
	return p
}

// receiver is a local webhook receiver; answer chooses the status of the nth request (from
// 1); nil answers 204.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int, r received) int
}

func newReceiver(t *testing.T, answer func(n int, r received) int) *receiver {
	t.Helper()
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	got := received{path: r.URL.Path, header: r.Header.Clone(), body: body}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	got.status = http.StatusNoContent
	if rc.answer != nil {
		got.status = rc.answer(len(rc.got)+1, got)
	}
	rc.got = append(rc.got, got)
	w.WriteHeader(got.status)
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// ofType returns the requests whose payload is of type ev.
func (rc *receiver) ofType(t *testing.T, ev string) []received {
	t.Helper()
	var out []received
	for _, r := range rc.requests() {
		if r.payload(t).Type == ev {
			out = append(out, r)
		}
	}
	return out
}

// specVerify checks a request as the Standard Webhooks specification says, written out here
// independently of package webhook: one of the space-separated "v1,<base64>" signatures is
// HMAC-SHA256 over "id.timestamp.body" keyed with the base64-decoded secret after "whsec_",
// and the timestamp lies within 5 minutes of now.
func specVerify(t *testing.T, secret string, r received, now time.Time) bool {
	t.Helper()
	id, ts, sigs := r.header.Get("webhook-id"), r.header.Get("webhook-timestamp"), r.header.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return false
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(unix, 0)).Abs() > 5*time.Minute {
		return false
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	require.NoError(t, err)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "."))
	m.Write(r.body)
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	for _, s := range strings.Split(sigs, " ") {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

// officialVerify checks a request with the specification's own Go library. The library
// compares the timestamp with the real clock, and the tests' clock is fake: specVerify checks
// the timestamp.
func officialVerify(t *testing.T, secret string, r received) error {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	require.NoError(t, err)
	return wh.VerifyIgnoringTimestamp(r.body, r.header)
}

// deliverAll runs the deliverer until nothing is pending, moving the clock to each next due
// time (the retries' backoff), and returns how many rounds it took.
func deliverAll(t *testing.T, f *fixture, between func(round int)) int {
	t.Helper()
	ctx := t.Context()
	for round := 1; round <= 200; round++ {
		if between != nil {
			between(round)
		}
		n, err := f.desk.DeliverWebhooksOnce(ctx)
		require.NoError(t, err)
		if n > 0 {
			continue
		}
		due, ok, err := f.store.NextWebhookDue(ctx)
		require.NoError(t, err)
		if !ok {
			return round
		}
		if wait := due.Sub(f.clock.Now()); wait > 0 {
			f.clock.Advance(wait)
		}
	}
	t.Fatal("webhook deliveries still pending after 200 rounds")
	return 0
}

func (f *fixture) createWebhook(t *testing.T, url string, events ...notify.Event) (*webhook.Endpoint, string) {
	t.Helper()
	e, secret, err := f.desk.CreateWebhook(t.Context(), f.admin, helpdesk.NewWebhook{URL: url, Description: "ERP", Events: events})
	require.NoError(t, err)
	return e, secret
}

func (f *fixture) deliveries(t *testing.T, endpointID uuid.UUID) []*webhook.Delivery {
	t.Helper()
	ds, err := walkPages(func(p storage.PageRequest) (storage.Page[*webhook.Delivery], error) {
		return f.desk.WebhookDeliveries(t.Context(), f.admin, endpointID, p)
	})
	require.NoError(t, err)
	return ds
}

func TestWebhookEndpoints(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newHookFixture(t, s, helpdesk.Config{})
		e, secret := f.createWebhook(t, " https://erp.example.com/hooks?x=1 ", notify.TicketClosed, notify.TicketAssigned, notify.TicketClosed)
		assert.True(t, strings.HasPrefix(secret, "whsec_"))
		assert.Equal(t, "https://erp.example.com/hooks?x=1", e.URL)
		assert.Equal(t, []notify.Event{notify.TicketAssigned, notify.TicketClosed}, e.Events, "deduplicated, in catalogue order")
		assert.True(t, e.Active)
		assert.Empty(t, e.SealedSecret, "never handed out")
		all, _ := f.createWebhook(t, "http://chat.example.com/in")
		assert.Empty(t, all.Events, "every event")

		list, err := f.desk.Webhooks(ctx, f.admin)
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, []uuid.UUID{e.ID, all.ID}, []uuid.UUID{list[0].ID, list[1].ID})
		for _, got := range list {
			assert.Empty(t, got.SealedSecret)
		}
		stored, err := f.store.GetWebhookEndpoint(ctx, f.tenant.ID, e.ID)
		require.NoError(t, err)
		assert.NotContains(t, stored.SealedSecret, strings.TrimPrefix(secret, "whsec_"), "sealed at rest")

		t.Run("Validation", func(t *testing.T) {
			for _, tc := range []struct {
				name, field string
				in          helpdesk.NewWebhook
			}{
				{"no url", "url", helpdesk.NewWebhook{}},
				{"ftp", "url", helpdesk.NewWebhook{URL: "ftp://erp.example.com/"}},
				{"no host", "url", helpdesk.NewWebhook{URL: "https:///path"}},
				{"user info", "url", helpdesk.NewWebhook{URL: "https://user:pw@erp.example.com/"}},
				{"too long", "url", helpdesk.NewWebhook{URL: "https://erp.example.com/" + strings.Repeat("a", 2048)}},
				{"unknown event", "events", helpdesk.NewWebhook{URL: "https://erp.example.com/", Events: []notify.Event{"ticket.exploded"}}},
				{"long description", "description", helpdesk.NewWebhook{URL: "https://erp.example.com/", Description: strings.Repeat("d", 501)}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, _, err := f.desk.CreateWebhook(ctx, f.admin, tc.in)
					assertField(t, err, tc.field)
				})
			}
		})

		t.Run("Update", func(t *testing.T) {
			got, err := f.desk.UpdateWebhook(ctx, f.admin, e.ID, helpdesk.WebhookEdit{Version: e.Version, URL: "https://erp.example.com/v2",
				Description: "ERP v2", Events: []notify.Event{notify.CommentAdded}, Active: false})
			require.NoError(t, err)
			assert.False(t, got.Active)
			assert.Contains(t, got.DisabledReason, "Ada Admin")
			assert.NotNil(t, got.DisabledAt)
			_, err = f.desk.UpdateWebhook(ctx, f.admin, e.ID, helpdesk.WebhookEdit{Version: e.Version, URL: "https://erp.example.com/v3"})
			assert.ErrorIs(t, err, storage.ErrConflict, "a stale version")
			assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))
			// A run of failures, as the deliverer records it, then switched on again.
			_, err = f.store.RecordWebhookAttempts(ctx, f.tenant.ID, e.ID, false, 5, storage.WebhookOutcome{At: f.clock.Now(), Status: 500})
			require.NoError(t, err)
			got, err = f.desk.UpdateWebhook(ctx, f.admin, e.ID, helpdesk.WebhookEdit{Version: got.Version, URL: got.URL, Active: true})
			require.NoError(t, err)
			assert.True(t, got.Active)
			assert.Zero(t, got.FailureCount, "switching on starts the run again")
			assert.Empty(t, got.DisabledReason)
			assert.Nil(t, got.DisabledAt)
			assert.Empty(t, got.Events)
			e = got
		})

		t.Run("Delete", func(t *testing.T) {
			require.NoError(t, f.desk.DeleteWebhook(ctx, f.admin, all.ID))
			_, err := f.desk.Webhook(ctx, f.admin, all.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			assert.ErrorIs(t, f.desk.DeleteWebhook(ctx, f.admin, all.ID), storage.ErrNotFound)
		})

		t.Run("AdminsOnly", func(t *testing.T) {
			for _, actor := range []tenant.Actor{f.supervisor, f.agent, f.userY, f.holder, f.system} {
				_, _, err := f.desk.CreateWebhook(ctx, actor, helpdesk.NewWebhook{URL: "https://erp.example.com/"})
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, "%s", actor.Kind)
				_, err = f.desk.Webhooks(ctx, actor)
				assert.ErrorIs(t, err, helpdesk.ErrForbidden)
				_, err = f.desk.TestWebhook(ctx, actor, e.ID)
				if actor.Kind == tenant.ActorCodeHolder {
					assert.ErrorIs(t, err, storage.ErrNotFound, "beyond a code holder's reach")
				} else {
					assert.ErrorIs(t, err, helpdesk.ErrForbidden)
				}
			}
		})

		t.Run("ForeignIDs", func(t *testing.T) {
			other := f.addTenant(t, "Other Service", "O")
			admin := other.admin
			_, err := f.desk.TestWebhook(ctx, f.admin, e.ID) // a delivery to replay
			require.NoError(t, err)
			ds := f.deliveries(t, e.ID)
			require.NotEmpty(t, ds)
			_, err = f.desk.Webhook(ctx, admin, e.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			_, err = f.desk.UpdateWebhook(ctx, admin, e.ID, helpdesk.WebhookEdit{Version: e.Version, URL: "https://x.example.com/", Active: true})
			assert.ErrorIs(t, err, storage.ErrNotFound)
			_, err = f.desk.RotateWebhookSecret(ctx, admin, e.ID, 0)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			_, err = f.desk.TestWebhook(ctx, admin, e.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			_, err = f.desk.WebhookDeliveries(ctx, admin, e.ID, storage.PageRequest{})
			assert.ErrorIs(t, err, storage.ErrNotFound)
			_, err = f.desk.ReplayWebhookDelivery(ctx, admin, ds[0].ID)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			assert.ErrorIs(t, f.desk.DeleteWebhook(ctx, admin, e.ID), storage.ErrNotFound)
			list, err := f.desk.Webhooks(ctx, admin)
			require.NoError(t, err)
			assert.Empty(t, list)
			_, err = f.desk.Webhook(ctx, f.admin, e.ID)
			assert.NoError(t, err, "still there")
		})
	})
}

// Endpoints on loopback, private or link-local addresses are refused when stored, also behind a
// name; and the requests refuse to connect to one, whatever the name resolves to by then.
func TestWebhookSSRF(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s) // Config.AllowPrivateTargets off
		helpdesk.SetLookupIP(f.desk, func(_ context.Context, host string) ([]netip.Addr, error) {
			switch host {
			case "inward.example.com":
				return []netip.Addr{netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("127.0.0.1")}, nil
			case "public.example.com":
				return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
			}
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		})
		for _, url := range []string{"http://127.0.0.1:8080/hook", "https://10.1.2.3/hook", "http://[::1]/hook", "http://localhost/hook",
			"http://169.254.169.254/latest/meta-data", "https://inward.example.com/hook", "https://nowhere.example.com/hook",
			"http://[::ffff:192.168.0.1]/"} {
			_, _, err := f.desk.CreateWebhook(ctx, f.admin, helpdesk.NewWebhook{URL: url})
			assertField(t, err, "url")
		}
		e, _ := f.createWebhook(t, "https://public.example.com/hook")
		_, err := f.desk.UpdateWebhook(ctx, f.admin, e.ID, helpdesk.WebhookEdit{Version: e.Version, URL: "http://10.0.0.7/", Active: true})
		assertField(t, err, "url")

		// An endpoint stored by a Desk that allows private targets, delivered by one that does not.
		rc := newReceiver(t, nil)
		open := newHookFixture(t, s, helpdesk.Config{})
		inside, _ := open.createWebhook(t, rc.URL)
		got, err := f.desk.TestWebhook(ctx, open.admin, inside.ID)
		require.NoError(t, err)
		assert.Equal(t, webhook.Failed, got.State)
		assert.Contains(t, got.LastError, "not a public one")
		open.submit(t, "Pump alarms")
		_, err = f.desk.DeliverWebhooksOnce(ctx)
		require.NoError(t, err)
		assert.Empty(t, rc.requests(), "nothing reached the inside")
		for _, d := range open.deliveries(t, inside.ID) {
			assert.Contains(t, d.LastError, "not a public one")
		}
	})
}

// Every event reaches the endpoints subscribed to it, signed so that both an independent
// implementation of the specification and its official library verify it; the payload
// describes the change and carries no secret link.
func TestWebhookEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newHookFixture(t, s, helpdesk.Config{})
		rc := newReceiver(t, nil)
		all, secret := f.createWebhook(t, rc.URL+"/all")
		closedOnly, _ := f.createWebhook(t, rc.URL+"/closed", notify.TicketClosed)
		off, _ := f.createWebhook(t, rc.URL+"/off")
		_, err := f.desk.UpdateWebhook(ctx, f.admin, off.ID, helpdesk.WebhookEdit{Version: off.Version, URL: off.URL})
		require.NoError(t, err)
		// The tenant switches every channel of ticket.requested off: webhooks do not follow.
		ten, err := f.desk.Tenant(ctx, f.admin)
		require.NoError(t, err)
		settings := ten.Settings
		for _, ch := range notify.Channels() {
			settings.Notifications = settings.Notifications.Set(notify.TicketRequested, ch, false)
		}
		_, err = f.desk.UpdateSettings(ctx, f.admin, ten.Version, settings)
		require.NoError(t, err)

		tk := f.open(t, f.holder, helpdesk.NewTicket{Title: "Pump alarms", Requester: nurseContact, RequestSession: true})
		tk, err = f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{AssigneeID: f.agent.UserID, Reason: "yours"})
		require.NoError(t, err)
		msg, err := f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "On my way"})
		require.NoError(t, err)
		_, err = f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventClose, helpdesk.Change{Reason: "fixed"})
		require.NoError(t, err)
		_, _, err = f.desk.CreateUser(ctx, f.admin, helpdesk.NewUser{Name: "Nora New", Email: "nora@example.com", Role: tenant.RoleAgent})
		require.NoError(t, err)
		// An escalation fired by a timer: nobody accepted the second ticket in time.
		late := f.submit(t, "Nobody takes this")
		f.clock.Advance(31 * time.Minute)
		_, err = f.desk.FireTimersOnce(ctx)
		require.NoError(t, err)
		deliverAll(t, f, nil)

		types := map[string][]received{}
		for _, r := range rc.requests() {
			p := r.payload(t)
			types[p.Type] = append(types[p.Type], r)
		}
		for _, ev := range []notify.Event{notify.TicketRequested, notify.TicketOffered, notify.SessionRequested, notify.TicketAssigned,
			notify.CommentAdded, notify.TicketClosed, notify.UserInvited, notify.EscalationUnaccepted} {
			assert.NotEmpty(t, types[string(ev)], "%s arrived", ev)
		}
		ids := map[string]bool{}
		var toAll, toClosed int
		for _, r := range rc.requests() {
			assert.False(t, ids[r.id()], "each webhook-id once")
			ids[r.id()] = true
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			assert.NotEmpty(t, r.header.Get("User-Agent"))
			assert.NotContains(t, string(r.body), "token")
			assert.NotContains(t, string(r.body), "/invitation/", "no one-time link")
			assert.NotContains(t, string(r.body), "/requests/", "no requester link")
		}
		for _, d := range f.deliveries(t, all.ID) {
			assert.Equal(t, webhook.Delivered, d.State)
			assert.Equal(t, 204, d.LastStatus)
			toAll++
		}
		for _, d := range f.deliveries(t, closedOnly.ID) {
			assert.Equal(t, string(notify.TicketClosed), d.Event)
			toClosed++
		}
		assert.Equal(t, 1, toClosed, "the subscribed event only")
		assert.Equal(t, len(rc.requests()), toAll+toClosed)
		assert.Empty(t, f.deliveries(t, off.ID), "a switched-off endpoint hears nothing")

		// Signatures, by an independent implementation and by the official library.
		for _, r := range rc.requests() {
			if r.path == "/all" {
				assert.True(t, specVerify(t, secret, r, f.clock.Now()), "%s", r.payload(t).Type)
				assert.NoError(t, officialVerify(t, secret, r))
			} else {
				assert.False(t, specVerify(t, secret, r, f.clock.Now()), "each endpoint has a secret of its own")
			}
		}
		for _, r := range rc.ofType(t, string(notify.TicketAssigned)) {
			p := r.payload(t)
			require.NotNil(t, p.Data.Ticket)
			assert.Equal(t, tk.ID, p.Data.Ticket.ID)
			assert.Equal(t, tk.Ref(), p.Data.Ticket.Ref)
			assert.Equal(t, string(ticket.StateAssigned), p.Data.Ticket.State)
			assert.Equal(t, &f.agent.UserID, p.Data.Ticket.AssigneeID)
			assert.Equal(t, &f.devX.ID, p.Data.Ticket.DeviceID)
			require.NotNil(t, p.Data.Actor)
			assert.Equal(t, "employee", p.Data.Actor.Kind)
			assert.Equal(t, &f.supervisor.UserID, p.Data.Actor.ID)
		}
		for _, r := range rc.ofType(t, string(notify.CommentAdded)) {
			assert.Equal(t, &msg.ID, r.payload(t).Data.MessageID)
		}
		for _, r := range rc.ofType(t, string(notify.SessionRequested)) {
			p := r.payload(t)
			require.NotNil(t, p.Data.Session)
			assert.Equal(t, string(ticket.SessionRequested), p.Data.Session.State)
		}
		for _, r := range rc.ofType(t, string(notify.UserInvited)) {
			p := r.payload(t)
			assert.NotNil(t, p.Data.UserID)
			assert.Nil(t, p.Data.Ticket)
		}
		for _, r := range rc.ofType(t, string(notify.EscalationUnaccepted)) {
			p := r.payload(t)
			assert.Equal(t, late.ID, p.Data.Ticket.ID)
			assert.Equal(t, "system", p.Data.Actor.Kind)
		}
		// Raw JSON: snake_case, absent parts left out.
		var raw map[string]any
		require.NoError(t, json.Unmarshal(rc.ofType(t, string(notify.UserInvited))[0].body, &raw))
		assert.Equal(t, "user.invited", raw["type"])
		data := raw["data"].(map[string]any)
		assert.Contains(t, data, "user_id")
		assert.NotContains(t, data, "ticket")
		assert.NotContains(t, data, "session")
	})
}

// A change that rolls back writes no delivery: the outbox rows are part of its transaction.
// The change fails after its deliveries were written (when its notifications are).
func TestWebhooksRollBackWithTheirChange(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newHookFixture(t, s, helpdesk.Config{})
		e, _ := f.createWebhook(t, "https://erp.example.com/hook")
		tk := f.submit(t, "Pump alarms")
		before := len(f.deliveries(t, e.ID))
		require.Positive(t, before)
		broken, err := helpdesk.New(failingEnqueue{s}, &helpdesk.Config{Now: f.clock.Now, SecretKeys: [][]byte{testKey}, AllowPrivateTargets: true})
		require.NoError(t, err)
		_, err = broken.Assign(t.Context(), f.supervisor, tk.ID, helpdesk.Assignment{AssigneeID: f.agent.UserID, Reason: "yours"})
		require.ErrorIs(t, err, errEnqueue)
		_, err = broken.SubmitTicket(t.Context(), f.holder, helpdesk.NewTicket{Title: "Second pump", Requester: nurseContact})
		require.ErrorIs(t, err, errEnqueue)
		assert.Len(t, f.deliveries(t, e.ID), before, "the changes failed, so no webhook tells of them")
	})
}

var errEnqueue = errors.New("the notifications could not be written")

// failingEnqueue fails every write of notifications, which a change makes after its webhook
// deliveries.
type failingEnqueue struct{ storage.Store }

func (s failingEnqueue) InTx(ctx context.Context, fn func(q storage.Queries) error) error {
	return s.Store.InTx(ctx, func(q storage.Queries) error { return fn(failingEnqueueQueries{q}) })
}

type failingEnqueueQueries struct{ storage.Queries }

func (failingEnqueueQueries) EnqueueNotifications(context.Context, []*notify.Notification) error {
	return errEnqueue
}

// The receiver is down for a while (503, then no server at all) and comes back: every
// delivery retries and arrives, each webhook-id at least once.
func TestWebhookReceiverDownComesBack(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newHookFixture(t, s, helpdesk.Config{})
		var mu sync.Mutex
		down := true
		rc := newReceiver(t, func(int, received) int {
			mu.Lock()
			defer mu.Unlock()
			if down {
				return http.StatusServiceUnavailable
			}
			return http.StatusOK
		})
		e, secret := f.createWebhook(t, rc.URL)
		for i := range 5 {
			f.submit(t, fmt.Sprintf("Pump %d alarms", i))
		}
		want := map[string]bool{}
		for _, d := range f.deliveries(t, e.ID) {
			want[d.MessageID] = true
		}
		require.Len(t, want, 10, "requested and offered, per ticket")
		addr := rc.Listener.Addr().String()
		// Round 1: 503. Rounds 2 and 3: connection refused. Then back, on the same address.
		deliverAll(t, f, func(round int) {
			switch round {
			case 2:
				rc.Listener.Close()
			case 4:
				l, err := net.Listen("tcp", addr)
				require.NoError(t, err)
				mu.Lock()
				down = false
				mu.Unlock()
				back := &http.Server{Handler: http.HandlerFunc(rc.serve)}
				go func() { _ = back.Serve(l) }()
				t.Cleanup(func() { _ = back.Close() })
			}
		})
		arrived := map[string]bool{}
		for _, r := range rc.requests() {
			if r.status == http.StatusOK {
				arrived[r.id()] = true
			}
			assert.True(t, specVerify(t, secret, r, f.clock.Now()), "signed for the attempt's time")
		}
		for id := range want {
			assert.True(t, arrived[id], "%s arrived", id)
		}
		for _, d := range f.deliveries(t, e.ID) {
			assert.Equal(t, webhook.Delivered, d.State, d.LastError)
			assert.Greater(t, d.Attempts, 1, "retried")
		}
		got, err := f.desk.Webhook(ctx, f.admin, e.ID)
		require.NoError(t, err)
		assert.True(t, got.Active)
		assert.Zero(t, got.FailureCount, "the success ended the run")
		assert.Equal(t, 200, got.LastStatus)
	})
}

// A failure whose retry is due within the poll interval is retried within the claim: one
// round delivers it, counting both attempts; but not past the endpoint's DisableAfter, so a
// run of failures still switches the endpoint off as the outbox's retries would.
func TestWebhookRetryInClaim(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newHookFixture(t, s, helpdesk.Config{Dispatch: helpdesk.DispatchConfig{RetryBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}})
		seen := map[string]bool{}
		rc := newReceiver(t, func(_ int, r received) int {
			if !seen[r.id()] {
				seen[r.id()] = true
				return http.StatusServiceUnavailable
			}
			return http.StatusNoContent
		})
		e, _ := f.createWebhook(t, rc.URL, notify.TicketRequested)
		f.submit(t, "Pump alarms")
		n, err := f.desk.DeliverWebhooksOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Len(t, rc.requests(), 2, "the first answer 503, the retry 204")
		ds := f.deliveries(t, e.ID)
		require.Len(t, ds, 1)
		assert.Equal(t, webhook.Delivered, ds[0].State)
		assert.Equal(t, 2, ds[0].Attempts, "both attempts count")
		got, err := f.desk.Webhook(ctx, f.admin, e.ID)
		require.NoError(t, err)
		assert.Zero(t, got.FailureCount, "the success ended the run")
	})
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newHookFixture(t, s, helpdesk.Config{Webhooks: helpdesk.WebhookConfig{DisableAfter: 3},
			Dispatch: helpdesk.DispatchConfig{RetryBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}})
		rc := newReceiver(t, func(int, received) int { return http.StatusInternalServerError })
		e, _ := f.createWebhook(t, rc.URL, notify.TicketRequested)
		f.submit(t, "Pump alarms")
		_, err := f.desk.DeliverWebhooksOnce(ctx)
		require.NoError(t, err)
		assert.Len(t, rc.requests(), 3, "retried within the claim up to the run that switches it off")
		got, err := f.desk.Webhook(ctx, f.admin, e.ID)
		require.NoError(t, err)
		assert.False(t, got.Active)
		assert.Contains(t, got.DisabledReason, "3 failed attempts in a row")
		ds := f.deliveries(t, e.ID)
		require.Len(t, ds, 1)
		assert.Equal(t, 3, ds[0].Attempts)
	})
}

// A run of failed attempts switches the endpoint off and tells the tenant's admins.
func TestWebhookDisabledAfterRun(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newHookFixture(t, s, helpdesk.Config{Webhooks: helpdesk.WebhookConfig{DisableAfter: 3}})
		rc := newReceiver(t, func(int, received) int { return http.StatusInternalServerError })
		e, _ := f.createWebhook(t, rc.URL, notify.TicketRequested)
		f.submit(t, "Pump alarms")
		deliverAll(t, f, nil)
		assert.Len(t, rc.requests(), 3, "no request after the run")
		got, err := f.desk.Webhook(ctx, f.admin, e.ID)
		require.NoError(t, err)
		assert.False(t, got.Active)
		assert.Contains(t, got.DisabledReason, "3 failed attempts in a row")
		assert.Contains(t, got.DisabledReason, "500")
		ds := f.deliveries(t, e.ID)
		require.Len(t, ds, 1)
		assert.Equal(t, webhook.Failed, ds[0].State, "not tried once the endpoint is off")
		assert.Equal(t, 500, ds[0].LastStatus)

		bell, err := f.desk.Inbox(ctx, f.admin, storage.PageRequest{})
		require.NoError(t, err)
		require.NotEmpty(t, bell.Items)
		n := bell.Items[0]
		assert.Equal(t, notify.WebhookDisabled, n.Event)
		assert.Contains(t, n.Text, rc.URL)
		assert.Contains(t, n.Link, "/company/webhooks/"+e.ID.String())
		other, err := f.desk.Inbox(ctx, f.agent, storage.PageRequest{})
		require.NoError(t, err)
		for _, n := range other.Items {
			assert.NotEqual(t, notify.WebhookDisabled, n.Event, "admins only")
		}

		_, err = f.desk.ReplayWebhookDelivery(ctx, f.admin, ds[0].ID)
		assertField(t, err, "endpoint")
	})
}

// A rotation signs with both secrets while it lasts: a receiver holding only the old one or
// only the new one verifies. Afterwards only the new one signs.
func TestWebhookRotation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newHookFixture(t, s, helpdesk.Config{})
		rc := newReceiver(t, nil)
		e, old := f.createWebhook(t, rc.URL, notify.TicketRequested)
		fresh, err := f.desk.RotateWebhookSecret(ctx, f.admin, e.ID, time.Hour)
		require.NoError(t, err)
		require.NotEqual(t, old, fresh)
		f.submit(t, "During the overlap")
		deliverAll(t, f, nil)
		during := rc.requests()
		require.Len(t, during, 1)
		assert.Len(t, strings.Fields(during[0].header.Get("webhook-signature")), 2)
		for name, secret := range map[string]string{"old": old, "new": fresh} {
			assert.True(t, specVerify(t, secret, during[0], f.clock.Now()), name)
			assert.NoError(t, officialVerify(t, secret, during[0]), name)
			assert.NoError(t, webhook.Verify([]string{secret}, during[0].header, during[0].body, f.clock.Now(), 0), name)
		}

		f.clock.Advance(time.Hour)
		f.submit(t, "After the overlap")
		deliverAll(t, f, nil)
		after := rc.requests()[1]
		assert.True(t, specVerify(t, fresh, after, f.clock.Now()))
		assert.NoError(t, officialVerify(t, fresh, after))
		assert.False(t, specVerify(t, old, after, f.clock.Now()), "the old secret no longer signs")
		assert.Error(t, officialVerify(t, old, after))

		_, err = f.desk.RotateWebhookSecret(ctx, f.admin, e.ID, -time.Second)
		assertField(t, err, "overlap")
		_, err = f.desk.RotateWebhookSecret(ctx, f.admin, e.ID, 0)
		require.NoError(t, err)
		got, err := f.desk.Webhook(ctx, f.admin, e.ID)
		require.NoError(t, err)
		assertTime(t, f.clock.Now().Add(helpdesk.DefaultWebhookOverlap), got.PreviousSecretUntil, "the default overlap")
	})
}

// A test send goes at once and is logged; a replay sends the same payload under the same
// webhook-id.
func TestWebhookTestSendAndReplay(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newHookFixture(t, s, helpdesk.Config{})
		var status atomic.Int32
		status.Store(http.StatusOK)
		rc := newReceiver(t, func(int, received) int { return int(status.Load()) })
		e, secret := f.createWebhook(t, rc.URL, notify.TicketRequested)

		got, err := f.desk.TestWebhook(ctx, f.admin, e.ID)
		require.NoError(t, err)
		assert.Equal(t, webhook.Delivered, got.State)
		assert.Equal(t, 200, got.LastStatus)
		require.Len(t, rc.requests(), 1)
		r := rc.requests()[0]
		assert.Equal(t, webhook.TestEvent, r.payload(t).Type)
		assert.Equal(t, &e.ID, r.payload(t).Data.EndpointID)
		assert.True(t, specVerify(t, secret, r, f.clock.Now()))
		status.Store(http.StatusTeapot)
		got, err = f.desk.TestWebhook(ctx, f.admin, e.ID)
		require.NoError(t, err)
		assert.Equal(t, webhook.Failed, got.State)
		assert.Equal(t, http.StatusTeapot, got.LastStatus)
		assert.Contains(t, got.LastError, "418")
		ep, err := f.desk.Webhook(ctx, f.admin, e.ID)
		require.NoError(t, err)
		assert.Zero(t, ep.FailureCount, "a test send is not part of the run")
		status.Store(http.StatusOK)

		f.submit(t, "Pump alarms")
		deliverAll(t, f, nil)
		log := f.deliveries(t, e.ID)
		require.Len(t, log, 3)
		assert.Equal(t, string(notify.TicketRequested), log[0].Event, "newest first")
		first := log[0]
		replayed, err := f.desk.ReplayWebhookDelivery(ctx, f.admin, first.ID)
		require.NoError(t, err)
		assert.NotEqual(t, first.ID, replayed.ID)
		assert.Equal(t, first.MessageID, replayed.MessageID)
		assert.Equal(t, webhook.Pending, replayed.State)
		deliverAll(t, f, nil)
		reqs := rc.requests()
		require.Len(t, reqs, 4)
		assert.Equal(t, reqs[2].id(), reqs[3].id(), "the same webhook-id")
		assert.Equal(t, reqs[2].body, reqs[3].body, "the same payload")
		assert.Len(t, f.deliveries(t, e.ID), 4)
	})
}

// Two Desks run on one database: every delivery arrives, none twice (the receiver never
// loses an answer, so a second request for an id would be a claim taken twice).
func TestWebhooksTwoInstances(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newHookFixture(t, s, helpdesk.Config{})
		rc := newReceiver(t, nil)
		e, _ := f.createWebhook(t, rc.URL, notify.TicketRequested)
		for i := range 60 {
			f.submit(t, fmt.Sprintf("Pump %d alarms", i))
		}
		want := len(f.deliveries(t, e.ID))
		require.Equal(t, 60, want)
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for range 2 {
			d, err := helpdesk.New(s, &helpdesk.Config{Now: f.clock.Now, SecretKeys: [][]byte{testKey}, AllowPrivateTargets: true,
				Webhooks: helpdesk.WebhookConfig{BatchSize: 7, PollInterval: 5 * time.Millisecond}})
			require.NoError(t, err)
			wg.Go(func() { _ = d.Run(runCtx) })
		}
		require.Eventually(t, func() bool { return len(rc.requests()) >= want }, 30*time.Second, 10*time.Millisecond)
		stop()
		wg.Wait()
		seen := map[string]int{}
		for _, r := range rc.requests() {
			seen[r.id()]++
		}
		assert.Len(t, seen, want)
		for id, n := range seen {
			assert.Equal(t, 1, n, "%s delivered once", id)
		}
	})
}

// countingEndpoints counts the reads of webhook endpoints, in transactions or not.
type countingEndpoints struct {
	storage.Store
	n *atomic.Int32
}

func (s countingEndpoints) InTx(ctx context.Context, fn func(q storage.Queries) error) error {
	return s.Store.InTx(ctx, func(q storage.Queries) error { return fn(countingEndpointQueries{q, s.n}) })
}

type countingEndpointQueries struct {
	storage.Queries
	n *atomic.Int32
}

func (q countingEndpointQueries) ListWebhookEndpoints(ctx context.Context, tenantID uuid.UUID) ([]*webhook.Endpoint, error) {
	q.n.Add(1)
	return q.Queries.ListWebhookEndpoints(ctx, tenantID)
}

// A transaction that writes many events reads the tenant's endpoints once: here one firing of
// five escalations.
func TestWebhookEndpointsReadOncePerTransaction(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newHookFixture(t, s, helpdesk.Config{})
		e, _ := f.createWebhook(t, "https://erp.example.com/hook", notify.EscalationUnaccepted)
		for i := range 5 {
			f.submit(t, fmt.Sprintf("Pump %d alarms", i))
		}
		var n atomic.Int32
		d, err := helpdesk.New(countingEndpoints{s, &n}, &helpdesk.Config{Now: f.clock.Now, SecretKeys: [][]byte{testKey},
			AllowPrivateTargets: true, Timers: helpdesk.TimerConfig{Concurrency: 1}})
		require.NoError(t, err)
		f.clock.Advance(31 * time.Minute)
		fired, err := d.FireTimersOnce(t.Context())
		require.NoError(t, err)
		require.Equal(t, 5, fired)
		assert.Len(t, f.deliveries(t, e.ID), 5, "an escalation per ticket")
		assert.Equal(t, int32(1), n.Load(), "one read of the endpoints")
	})
}

// What a webhook says of a ticket is the ticket as the change left it: the version and time
// the change saved (which a receiver orders and de-duplicates events by), for a change made
// through Assign as through a lifecycle event. Assigning also gives the ticket the default
// status of its new state, as every move does.
func TestWebhookPayloadIsTheSavedTicket(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newHookFixture(t, s, helpdesk.Config{})
		e, _ := f.createWebhook(t, "https://93.184.215.14/hooks", notify.TicketAssigned, notify.TicketClosed)
		tk := f.open(t, f.holder, helpdesk.NewTicket{Title: "Pump alarms", Requester: nurseContact})
		f.clock.Advance(time.Minute)
		assigned, err := f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{AssigneeID: f.agent.UserID})
		require.NoError(t, err)
		sts, err := f.desk.Statuses(ctx, f.admin)
		require.NoError(t, err)
		var want uuid.UUID
		for _, st := range sts {
			if st.State == ticket.StateAssigned && st.Default {
				want = st.ID
			}
		}
		assert.Equal(t, want, assigned.StatusID, "assigned starts in the assigned state's default status")
		f.clock.Advance(time.Minute)
		closed, err := f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventClose, helpdesk.Change{Reason: "fixed"})
		require.NoError(t, err)

		got := map[string]webhook.Ticket{}
		for _, d := range f.deliveries(t, e.ID) {
			var p webhook.Payload
			require.NoError(t, json.Unmarshal(d.Payload, &p))
			require.NotNil(t, p.Data.Ticket, d.Event)
			got[p.Type] = *p.Data.Ticket
		}
		for ev, saved := range map[string]*ticket.Ticket{"ticket.assigned": assigned, "ticket.closed": closed} {
			if assert.Contains(t, got, ev) {
				assert.Equal(t, saved.Version, got[ev].Version, "%s carries the saved version", ev)
				assert.True(t, saved.UpdatedAt.Equal(got[ev].UpdatedAt), "%s carries the saved time", ev)
				assert.Equal(t, string(saved.State), got[ev].State, ev)
			}
		}
	})
}
