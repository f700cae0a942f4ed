package helpdesk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/notifytest"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notifyFixture is the usual fixture whose Desk sends e-mail, SMS and push through recorders.
type notifyFixture struct {
	*fixture
	mail, sms, push *notifytest.Recorder
}

func newNotifyFixture(t *testing.T, s *bunstore.Store, cfg helpdesk.Config) *notifyFixture {
	t.Helper()
	f := newFixture(t, s)
	nf := &notifyFixture{fixture: f, mail: notifytest.NewRecorder(), sms: notifytest.NewRecorder(), push: notifytest.NewRecorder()}
	cfg.Now = f.clock.Now
	if cfg.SecretKeys == nil {
		cfg.SecretKeys = [][]byte{testKey}
	}
	cfg.Notifiers = map[notify.Channel]notify.Notifier{notify.Email: nf.mail, notify.SMS: nf.sms, notify.Push: nf.push}
	d, err := helpdesk.New(s, &cfg)
	require.NoError(t, err)
	f.desk = d
	return nf
}

// outbox returns the tenant's notifications of ev, oldest first, as their recipients get them:
// with the secret links that the stored texts seal put in.
func (f *notifyFixture) outbox(t *testing.T, ev notify.Event) []*notify.Notification {
	t.Helper()
	page, err := f.store.ListNotifications(t.Context(), f.tenant.ID, storage.NotificationFilter{Event: ev}, storage.PageRequest{Limit: storage.MaxPageSize})
	require.NoError(t, err)
	out := page.Items
	slices.Reverse(out)
	for _, n := range out {
		n.Message, err = helpdesk.WithLinks(f.desk, n)
		require.NoError(t, err)
	}
	return out
}

// deliveryLog returns the tenant's notifications of ev, oldest first, as staff read the
// delivery log (Desk.Notifications).
func (f *notifyFixture) deliveryLog(t *testing.T, ev notify.Event) []*notify.Notification {
	t.Helper()
	page, err := f.desk.Notifications(t.Context(), f.admin, storage.NotificationFilter{Event: ev}, storage.PageRequest{Limit: storage.MaxPageSize})
	require.NoError(t, err)
	slices.Reverse(page.Items)
	return page.Items
}

// sent summarises notifications as "channel:recipient" with the recipient's name or address.
func sent(ns []*notify.Notification) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		who := n.To.Name
		if who == "" {
			who = n.To.Email + n.To.Phone
		}
		out = append(out, string(n.Channel)+":"+who)
	}
	return out
}

func (f *notifyFixture) user(t *testing.T, a tenant.Actor) *tenant.User {
	t.Helper()
	u, err := f.store.GetUser(t.Context(), a.TenantID, a.UserID)
	require.NoError(t, err)
	return u
}

func TestNotifyTicketEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{})

		// A code holder submits: the default group's supervisor hears of the request, its
		// members of the offer, and nobody else.
		tk := f.submit(t, "Pump alarms")
		assert.ElementsMatch(t, []string{"email:Sue Supervisor", "inapp:Sue Supervisor"}, sent(f.outbox(t, notify.TicketRequested)))
		assert.ElementsMatch(t, []string{"email:Sam Agent", "inapp:Sam Agent", "email:Alex Agent", "inapp:Alex Agent"},
			sent(f.outbox(t, notify.TicketOffered)))
		assert.Empty(t, f.outbox(t, notify.TicketCreatedForCustomer), "a requester's own ticket is not created for the customer")

		// Accepting tells the requester, with a link that opens their ticket.
		_, err := f.desk.Accept(ctx, f.agent, tk.ID)
		require.NoError(t, err)
		accepted := f.outbox(t, notify.TicketAccepted)
		require.Equal(t, []string{"email:Nina Nurse"}, sent(accepted), "the nurse has no phone, so no SMS")
		n := accepted[0]
		assert.Equal(t, "nina@northwind.example", n.To.Email)
		assert.Equal(t, uuid.Nil, n.To.UserID)
		assert.Equal(t, tk.ID, n.TicketID)
		assert.Contains(t, n.Subject, tk.Ref())
		assert.Contains(t, n.Text, "Sam Agent")
		assert.Contains(t, n.HTML, "Sam Agent")
		// The delivery log shows a placeholder; the link is put in when the message is sent.
		link := "http://localhost:8080/requests/" + f.tokens[tk.ID]
		logged := f.deliveryLog(t, notify.TicketAccepted)
		require.Len(t, logged, 1)
		assert.NotContains(t, logged[0].Text+logged[0].HTML+logged[0].Subject, f.tokens[tk.ID], "no live link in the delivery log")
		assert.Contains(t, logged[0].Text, "http://localhost:8080/requests/sealed-requester-link-")
		assert.Empty(t, logged[0].Sealed, "the sealed links are never returned")
		_, err = f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		mails := f.mail.Find(notify.TicketAccepted)
		require.Len(t, mails, 1, "sent")
		assert.Contains(t, mails[0].Text, link, "the requester link rides on every notification to the requester")
		assert.Contains(t, mails[0].HTML, link)
		assert.NotContains(t, mails[0].Text+mails[0].HTML, "sealed-")
		assert.Contains(t, n.Text, link)
		token := link[strings.LastIndex(link, "/")+1:]
		page, err := f.desk.OpenRequesterLink(ctx, token)
		require.NoError(t, err)
		assert.Equal(t, tk.ID, page.Ticket.ID)

		// Completing asks the requester for a rating; closing and rejecting give the reason.
		_, err = f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventComplete, helpdesk.Change{})
		require.NoError(t, err)
		done := f.outbox(t, notify.TicketDone)
		require.Equal(t, []string{"email:Nina Nurse"}, sent(done))
		assert.Contains(t, done[0].Text, link)
		_, err = f.desk.Close(ctx, f.agent, tk.ID, "Replaced the seal")
		require.NoError(t, err)
		closed := f.outbox(t, notify.TicketClosed)
		require.Equal(t, []string{"email:Nina Nurse"}, sent(closed))
		assert.Contains(t, closed[0].Text, "Replaced the seal")

		rejected := f.submit(t, "Wrong desk")
		_, err = f.desk.Transition(ctx, f.supervisor, rejected.ID, ticket.EventReject, helpdesk.Change{Reason: "Not our device"})
		require.NoError(t, err)
		rj := f.outbox(t, notify.TicketRejected)
		require.Equal(t, []string{"email:Nina Nurse"}, sent(rj))
		assert.Contains(t, rj[0].Text, "Not our device")

		// Assigning from open tells the agent and the requester; re-assigning the new agent.
		assigned := f.submit(t, "Display broken")
		_, err = f.desk.Assign(ctx, f.supervisor, assigned.ID, helpdesk.Assignment{AssigneeID: f.agent.UserID})
		require.NoError(t, err)
		assert.Equal(t, []string{"email:Sam Agent", "inapp:Sam Agent"}, sent(f.outbox(t, notify.TicketAssigned)))
		assert.Len(t, f.outbox(t, notify.TicketAccepted), 2)
		_, err = f.desk.Assign(ctx, f.supervisor, assigned.ID, helpdesk.Assignment{AssigneeID: f.agent2.UserID, Reason: "Alex knows the X200"})
		require.NoError(t, err)
		re := f.outbox(t, notify.TicketAssigned)
		require.Len(t, re, 4)
		assert.Equal(t, []string{"email:Alex Agent", "inapp:Alex Agent"}, sent(re[2:]))
		assert.Contains(t, re[2].Text, "Alex knows the X200")
		_, err = f.desk.Assign(ctx, f.supervisor, assigned.ID, helpdesk.Assignment{TeamID: f.teamB.ID})
		require.NoError(t, err)
		assert.Len(t, f.outbox(t, notify.TicketAssigned), 4, "a team change alone tells no agent")

		// The system closes a waiting ticket automatically.
		waiting := f.ticketIn(t, ticket.StateWaiting)
		_, err = f.desk.Transition(ctx, f.system, waiting.ID, ticket.EventExpire, helpdesk.Change{Reason: "no answer for 14 days"})
		require.NoError(t, err)
		auto := f.outbox(t, notify.TicketAutoClosed)
		require.Len(t, auto, 1)
		assert.Contains(t, auto[0].Text, "no answer for 14 days")
	})
}

func TestNotifyCreatedForCustomer(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newNotifyFixture(t, s, helpdesk.Config{})
		boss := f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerAdmin, "Xavier Boss")
		f.person(t, f.tenant.ID, f.custY.ID, tenant.RoleCustomerAdmin, "Other Boss")
		f.open(t, f.agent, helpdesk.NewTicket{Title: "Yearly check due", DeviceID: f.devX.ID, Requester: nurseContact})
		got := f.outbox(t, notify.TicketCreatedForCustomer)
		assert.ElementsMatch(t, []string{"email:Xavier Boss", "inapp:Xavier Boss"}, sent(got), "the customer's admins, not another customer's")
		for _, n := range got {
			assert.Equal(t, boss.UserID, n.To.UserID)
		}
		// The agent who opened it is not told of their own offer.
		assert.NotContains(t, sent(f.outbox(t, notify.TicketOffered)), "email:Sam Agent")
	})
}

func TestNotifyComments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{})
		tk := f.submit(t, "Pump alarms")

		// Before anyone is assigned, the requester's comment goes to the supervisor.
		_, err := f.desk.PostMessage(ctx, f.link(t, tk), tk.ID, helpdesk.NewMessage{Body: "It beeps <twice>"})
		require.NoError(t, err)
		c := f.outbox(t, notify.CommentAdded)
		assert.Equal(t, []string{"email:Sue Supervisor", "inapp:Sue Supervisor"}, sent(c))
		assert.Contains(t, c[0].Text, "It beeps <twice>")
		assert.Contains(t, c[0].HTML, "It beeps &lt;twice&gt;")
		assert.Contains(t, c[0].Text, "http://localhost:8080/tickets/"+tk.ID.String(), "employees get the back-office link")
		assert.NotContains(t, c[0].Text, "/requests/", "employees do not get the requester link")

		_, err = f.desk.Accept(ctx, f.agent, tk.ID)
		require.NoError(t, err)
		_, err = f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "Internal: check tubing", Internal: true})
		require.NoError(t, err)
		assert.Len(t, f.outbox(t, notify.CommentAdded), 2, "internal messages tell nobody")
		_, err = f.desk.PostMessage(ctx, f.agent, tk.ID, helpdesk.NewMessage{Body: "Please check the tubing"})
		require.NoError(t, err)
		_, err = f.desk.PostMessage(ctx, f.link(t, tk), tk.ID, helpdesk.NewMessage{Body: "Done, still beeps"})
		require.NoError(t, err)
		c = f.outbox(t, notify.CommentAdded)
		require.Len(t, c, 5)
		assert.Equal(t, []string{"email:Nina Nurse"}, sent(c[2:3]), "staff's comment goes to the requester")
		assert.Contains(t, c[2].Text, "/requests/")
		assert.Equal(t, []string{"email:Sam Agent", "inapp:Sam Agent"}, sent(c[3:]), "the requester's goes to the agent")

		// A customer user's comment on their own ticket: they are not told of it themselves.
		own := f.ticketBy(t, f.userX, ticket.StateAssigned)
		_, err = f.desk.PostMessage(ctx, f.userX, own.ID, helpdesk.NewMessage{Body: "Any news?"})
		require.NoError(t, err)
		_, err = f.desk.PostMessage(ctx, f.agent, own.ID, helpdesk.NewMessage{Body: "Tomorrow"})
		require.NoError(t, err)
		c = f.outbox(t, notify.CommentAdded)
		assert.Equal(t, []string{"email:Xena Customer", "inapp:Xena Customer"}, sent(c[len(c)-2:]),
			"the customer user who opened it hears as a user, with a bell")
	})
}

func TestNotifyAccountEvents(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{})
		u, link, err := f.desk.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: "new.agent@example.com", Name: "New Agent",
			Role: tenant.RoleAgent, Language: "de"})
		require.NoError(t, err)
		inv := f.outbox(t, notify.UserInvited)
		require.Len(t, inv, 1, "e-mail only")
		assert.Equal(t, notify.Email, inv[0].Channel)
		assert.Equal(t, u.ID, inv[0].To.UserID)
		assert.Equal(t, "de", inv[0].Language)
		assert.Contains(t, inv[0].Text, link.URL)

		resent, err := f.desk.ResendInvitation(ctx, f.admin, u.ID)
		require.NoError(t, err)
		inv = f.outbox(t, notify.UserInvited)
		require.Len(t, inv, 2)
		assert.Contains(t, inv[1].Text, resent.URL)

		reset, err := f.desk.RequestPasswordReset(ctx, f.tenant.ID, f.user(t, f.agent).Email)
		require.NoError(t, err)
		pr := f.outbox(t, notify.PasswordReset)
		require.Len(t, pr, 1)
		assert.Contains(t, pr[0].Text, reset.URL)
		none, err := f.desk.RequestPasswordReset(ctx, f.tenant.ID, "nobody@example.com")
		require.NoError(t, err)
		assert.Nil(t, none)
		assert.Len(t, f.outbox(t, notify.PasswordReset), 1, "an unknown address gets nothing")

		_, err = updateSettings(ctx, f.desk, f.admin, tenant.Settings{SelfRegistration: true})
		require.NoError(t, err)
		_, err = f.desk.SetSignupDomains(ctx, f.admin, f.custX.ID, []string{"northwind.example"})
		require.NoError(t, err)
		reg, err := f.desk.Register(ctx, f.tenant.ID, helpdesk.Registration{Email: "rita@northwind.example", Name: "Rita"})
		require.NoError(t, err)
		rg := f.outbox(t, notify.UserRegistered)
		require.Len(t, rg, 1)
		assert.Contains(t, rg[0].Text, reg.URL)
		assert.Empty(t, f.outbox(t, notify.UserInvited)[2:], "registering is not an invitation")
	})
}

func TestNotifyLanguagesSwitchesAndTemplates(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{})
		german := ticket.Contact{Name: "Greta", Email: "greta@example.de", Phone: "+4930123456", Language: "de"}
		italian := ticket.Contact{Name: "Gino", Email: "gino@example.it", Language: "it"}
		accept := func(c ticket.Contact) *notify.Notification {
			tk := f.open(t, f.holder, helpdesk.NewTicket{Title: "Case", Requester: c})
			_, err := f.desk.Accept(ctx, f.agent, tk.ID)
			require.NoError(t, err)
			ns := f.outbox(t, notify.TicketAccepted)
			for i := len(ns) - 1; i >= 0; i-- {
				if ns[i].Channel == notify.Email {
					return ns[i]
				}
			}
			t.Fatal("no e-mail")
			return nil
		}
		deMail, _ := notify.Default(notify.TicketAccepted, notify.Email, "de")
		n := accept(german)
		assert.Equal(t, "de", n.Language)
		assert.Contains(t, deMail.Subject, "{{.ticket_ref}}")
		assert.NotContains(t, n.Subject, "{{")
		sms := f.outbox(t, notify.TicketAccepted)
		assert.Equal(t, []string{"email:Greta", "sms:Greta"}, sent(sms[len(sms)-2:]), "a phone number gets the SMS")
		assert.Equal(t, "en", accept(italian).Language, "no Italian: the tenant's language, en")

		// Switch e-mail off for ticket.accepted; SMS stays on.
		_, err := updateSettings(ctx, f.desk, f.admin, tenant.Settings{Notifications: notify.Switches{}.Set(notify.TicketAccepted, notify.Email, false)})
		require.NoError(t, err)
		before := len(f.outbox(t, notify.TicketAccepted))
		accept(german)
		after := f.outbox(t, notify.TicketAccepted)
		assert.Equal(t, []string{"sms:Greta"}, sent(after[before:]))
		_, err = updateSettings(ctx, f.desk, f.admin, tenant.Settings{Notifications: notify.Switches{"ticket.nope": {notify.Email: true}}})
		assert.ErrorIs(t, err, helpdesk.ErrInvalid)

		// A tenant template is used while it is on.
		_, err = updateSettings(ctx, f.desk, f.admin, tenant.Settings{})
		require.NoError(t, err)
		own, err := f.desk.SaveNotificationTemplate(ctx, f.admin, notify.Template{Event: notify.TicketAccepted, Channel: notify.Email,
			Language: "de", Subject: "Ihr Fall {{.ticket_ref}}", Text: "{{.manager_name}} kümmert sich.", Enabled: true})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(accept(german).Subject, "Ihr Fall T-"), "the tenant's own template")
		own.Enabled = false
		_, err = f.desk.SaveNotificationTemplate(ctx, f.admin, *own)
		require.NoError(t, err)
		assert.NotContains(t, accept(german).Subject, "Ihr Fall", "switched off: the default again")

		_, err = f.desk.SaveNotificationTemplate(ctx, f.admin, notify.Template{Event: notify.TicketAccepted, Channel: notify.Email,
			Language: "en", Subject: "x", Text: "{{.password}}"})
		var ve *helpdesk.ValidationError
		require.True(t, errors.As(err, &ve))
		assert.Equal(t, "text", ve.Field)
		assert.ErrorIs(t, err, notify.ErrInvalidTemplate)
		assert.Contains(t, err.Error(), "valid tags: request_link")
	})
}

func TestNotifyPushIsPerUser(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{})
		on := true
		_, err := f.desk.UpdateUser(ctx, f.agent, f.agent.UserID, helpdesk.UserEdit{Push: &on})
		require.NoError(t, err)
		f.submit(t, "Pump alarms")
		assert.ElementsMatch(t, []string{"email:Sam Agent", "inapp:Sam Agent", "push:Sam Agent", "email:Alex Agent", "inapp:Alex Agent"},
			sent(f.outbox(t, notify.TicketOffered)))
	})
}

// failingUpdate fails every ticket update, after the operation has enqueued its notifications.
type failingUpdate struct{ storage.Store }

func (s failingUpdate) InTx(ctx context.Context, fn func(q storage.Queries) error) error {
	return s.Store.InTx(ctx, func(q storage.Queries) error { return fn(failingQueries{q}) })
}

type failingQueries struct{ storage.Queries }

func (failingQueries) UpdateTicket(context.Context, *ticket.Ticket) error { return storage.ErrConflict }

func TestNotificationsRollBackWithTheirChange(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newNotifyFixture(t, s, helpdesk.Config{})
		tk := f.submit(t, "Pump alarms")
		broken, err := helpdesk.New(failingUpdate{s}, &helpdesk.Config{Now: f.clock.Now,
			Notifiers: map[notify.Channel]notify.Notifier{notify.Email: f.mail}})
		require.NoError(t, err)
		_, err = broken.Accept(t.Context(), f.agent, tk.ID)
		require.ErrorIs(t, err, storage.ErrConflict)
		assert.Empty(t, f.outbox(t, notify.TicketAccepted), "the change failed, so nobody hears of it")
	})
}

func TestBell(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{})
		first := f.submit(t, "First")
		f.clock.Advance(time.Minute)
		f.submit(t, "Second")
		n, err := f.desk.UnreadCount(ctx, f.agent)
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		page, err := f.desk.Inbox(ctx, f.agent, storage.PageRequest{})
		require.NoError(t, err)
		require.Len(t, page.Items, 2)
		assert.Contains(t, page.Items[0].Subject+page.Items[0].Text, "Second", "newest first")
		assert.Equal(t, first.ID, page.Items[1].TicketID)
		assert.Equal(t, "http://localhost:8080/tickets/"+first.ID.String(), page.Items[1].Link)

		assert.ErrorIs(t, f.desk.MarkRead(ctx, f.agent2, page.Items[0].ID), storage.ErrNotFound, "not Alex's notification")
		require.NoError(t, f.desk.MarkRead(ctx, f.agent, page.Items[0].ID))
		require.NoError(t, f.desk.MarkRead(ctx, f.agent, page.Items[0].ID), "marking twice is fine")
		n, err = f.desk.UnreadCount(ctx, f.agent)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		marked, err := f.desk.MarkAllRead(ctx, f.agent)
		require.NoError(t, err)
		assert.Equal(t, 1, marked)
		n, err = f.desk.UnreadCount(ctx, f.agent)
		require.NoError(t, err)
		assert.Zero(t, n)
		n, err = f.desk.UnreadCount(ctx, f.agent2)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "Alex's bell is his own")
		_, err = f.desk.UnreadCount(ctx, f.link(t, first))
		assert.ErrorIs(t, err, helpdesk.ErrForbidden, "a requester link has no bell")
	})
}

func TestDispatch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{Dispatch: helpdesk.DispatchConfig{MaxAttempts: 3, RetryBackoff: time.Minute}})
		tk := f.submit(t, "Pump alarms")
		_, err := f.desk.Accept(ctx, f.agent, tk.ID)
		require.NoError(t, err)

		// First round: three of the four mails go out, one fails (whichever is sent first).
		f.mail.FailNext(errors.New("421 try later"))
		n, err := f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, 4, n, "requested, 2 × offered and accepted, by e-mail; in-app needs no dispatch")
		assert.Len(t, f.mail.Messages(), 3)
		pending, err := f.desk.Notifications(ctx, f.admin, storage.NotificationFilter{Status: notify.StatusPending}, storage.PageRequest{})
		require.NoError(t, err)
		require.Len(t, pending.Items, 1)
		p := pending.Items[0]
		assert.Equal(t, 1, p.Attempts)
		assert.Equal(t, "421 try later", p.LastError)
		wait := p.NextAttemptAt.Sub(f.clock.Now())
		assert.True(t, wait >= 30*time.Second && wait <= time.Minute, "jittered backoff: %s", wait)

		n, err = f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "nothing is due before the backoff ends")

		// Second and third attempts fail too: the notification is kept as failed.
		f.mail.FailNext(errors.New("421 again"), errors.New("421 and again"))
		for range 2 {
			f.clock.Advance(time.Hour)
			n, err = f.desk.DispatchOnce(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
		}
		failed, err := f.desk.Notifications(ctx, f.admin, storage.NotificationFilter{Status: notify.StatusFailed}, storage.PageRequest{})
		require.NoError(t, err)
		require.Len(t, failed.Items, 1)
		assert.Equal(t, p.ID, failed.Items[0].ID)
		assert.Equal(t, 3, failed.Items[0].Attempts)
		assert.Equal(t, "421 and again", failed.Items[0].LastError)

		// An admin retries it; it goes out with the same idempotency key.
		_, err = f.desk.RetryNotification(ctx, f.agent, p.ID)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		_, err = f.desk.RetryNotification(ctx, f.admin, p.ID)
		require.NoError(t, err)
		_, err = f.desk.RetryNotification(ctx, f.admin, p.ID)
		assert.ErrorIs(t, err, storage.ErrConflict, "only failed notifications are retried")
		n, err = f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		last := f.mail.Messages()[len(f.mail.Messages())-1]
		assert.Equal(t, p.ID, last.ID)
		assert.Equal(t, p.ID.String(), last.IdempotencyKey)
		got, err := f.store.GetNotification(ctx, f.tenant.ID, p.ID)
		require.NoError(t, err)
		assert.Equal(t, notify.StatusSent, got.Status)
		assert.Equal(t, 1, last.Attempt)

		// A permanent error fails at once.
		f.submit(t, "Another")
		f.mail.FailNext(notify.Permanent(errors.New("550 no such user")))
		_, err = f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		failed, err = f.desk.Notifications(ctx, f.admin, storage.NotificationFilter{Status: notify.StatusFailed}, storage.PageRequest{})
		require.NoError(t, err)
		require.Len(t, failed.Items, 1)
		assert.Equal(t, 1, failed.Items[0].Attempts)
		assert.Equal(t, "550 no such user", failed.Items[0].LastError)
	})
}

// A retry due within the poll interval is made at once, within the claim, rather than recorded
// as due and claimed again; every attempt still counts towards MaxAttempts, each carries the
// same idempotency key, and the claim's lease must leave the retry its whole send timeout.
func TestDispatchRetryInClaim(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{Dispatch: helpdesk.DispatchConfig{
			MaxAttempts: 3, RetryBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, Concurrency: 1}})
		tk := f.submit(t, "Pump alarms")
		f.mail.FailNext(errors.New("421 try later"))
		n, err := f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		sent := f.mail.Messages()
		require.NotEmpty(t, sent)
		assert.Equal(t, n, len(sent), "the failed send was retried within the claim")
		// The first send failed; its retry is the second attempt (sent while the others went).
		var retried []notify.Message
		for _, m := range sent {
			if m.Attempt != 1 {
				retried = append(retried, m)
			}
		}
		require.Len(t, retried, 1)
		assert.Equal(t, 2, retried[0].Attempt)
		assert.Equal(t, retried[0].ID.String(), retried[0].IdempotencyKey)
		got, err := f.store.GetNotification(ctx, f.tenant.ID, retried[0].ID)
		require.NoError(t, err)
		assert.Equal(t, notify.StatusSent, got.Status)
		assert.Equal(t, 2, got.Attempts, "both attempts are counted")

		// Three failures in a row use up MaxAttempts within the one claim.
		_, err = f.desk.Accept(ctx, f.agent, tk.ID)
		require.NoError(t, err)
		f.mail.FailNext(errors.New("421 once"), errors.New("421 twice"), errors.New("421 thrice"))
		_, err = f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		failed, err := f.desk.Notifications(ctx, f.admin, storage.NotificationFilter{Status: notify.StatusFailed}, storage.PageRequest{})
		require.NoError(t, err)
		require.Len(t, failed.Items, 1)
		assert.Equal(t, 3, failed.Items[0].Attempts)
		assert.Equal(t, "421 thrice", failed.Items[0].LastError)
	})
	for _, c := range []struct {
		name string
		cfg  helpdesk.DispatchConfig
	}{
		// The lease leaves no room for another whole send.
		{"lease", helpdesk.DispatchConfig{RetryBackoff: time.Millisecond, SendTimeout: time.Second, Lease: time.Second + 100*time.Microsecond}},
		// The retry is due after the dispatcher would look again.
		{"backoff", helpdesk.DispatchConfig{RetryBackoff: 400 * time.Millisecond, PollInterval: 100 * time.Millisecond, SendTimeout: time.Second}},
	} {
		t.Run(c.name, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
				// The retry waits in the outbox.
				ctx := t.Context()
				c.cfg.Concurrency = 1
				f := newNotifyFixture(t, s, helpdesk.Config{Dispatch: c.cfg})
				f.submit(t, "Pump alarms")
				f.mail.FailNext(errors.New("421 try later"))
				_, err := f.desk.DispatchOnce(ctx)
				require.NoError(t, err)
				pending, err := f.desk.Notifications(ctx, f.admin, storage.NotificationFilter{Status: notify.StatusPending}, storage.PageRequest{})
				require.NoError(t, err)
				require.Len(t, pending.Items, 1)
				assert.Equal(t, 1, pending.Items[0].Attempts)
				assert.Equal(t, "421 try later", pending.Items[0].LastError)
			})
		})
	}
}

func TestReportDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{})
		tk := f.open(t, f.holder, helpdesk.NewTicket{Title: "Case", Requester: ticket.Contact{Name: "Pat", Phone: "+4930999999"}})
		_, err := f.desk.Accept(ctx, f.agent, tk.ID)
		require.NoError(t, err)
		_, err = f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		require.Len(t, f.sms.Messages(), 1)
		smsOut := f.outbox(t, notify.TicketAccepted)
		require.Len(t, smsOut, 1)
		require.Equal(t, notify.StatusSent, smsOut[0].Status)
		require.NotEmpty(t, smsOut[0].ProviderID)

		require.NoError(t, f.desk.ReportDelivery(ctx, notify.StatusReport{Channel: notify.SMS, ProviderID: smsOut[0].ProviderID, Delivered: true}))
		got := f.outbox(t, notify.TicketAccepted)[0]
		assert.Equal(t, notify.StatusDelivered, got.Status)
		assert.NotNil(t, got.DeliveredAt)
		assert.ErrorIs(t, f.desk.ReportDelivery(ctx, notify.StatusReport{Channel: notify.SMS, ProviderID: "SMunknown"}), storage.ErrNotFound)
		assert.ErrorIs(t, f.desk.ReportDelivery(ctx, notify.StatusReport{Channel: notify.SMS}), helpdesk.ErrInvalid)
	})
}

func TestRunDeliversPromptly(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		// A real clock: Run waits on timers.
		mail := notifytest.NewRecorder()
		d, err := helpdesk.New(s, &helpdesk.Config{Notifiers: map[notify.Channel]notify.Notifier{notify.Email: mail},
			Dispatch: helpdesk.DispatchConfig{PollInterval: time.Hour}})
		require.NoError(t, err)
		f := newFixture(t, s)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		_, err = d.SubmitTicket(t.Context(), f.holder, helpdesk.NewTicket{Title: "Pump alarms", Requester: nurseContact})
		require.NoError(t, err)
		// With an hour's poll interval only the wake-up of the commit can deliver this in time.
		require.Eventually(t, func() bool { return len(mail.Find(notify.TicketRequested)) == 1 }, 10*time.Second, 5*time.Millisecond)
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
	})
}

// The language falls back recipient → tenant → en. In a tenant whose language is de (not en,
// the last resort itself), a requester with no language of their own, or one the defaults do
// not have, gets the German e-mail, SMS and in-app texts; one with a language of their own
// gets theirs.
func TestNotifyTenantLanguageFallback(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{})
		ten, err := f.store.GetTenant(ctx, f.tenant.ID)
		require.NoError(t, err)
		ten.Language = "de"
		require.NoError(t, f.store.UpdateTenant(ctx, ten))

		// requester is a customer user with a phone, so the news goes by e-mail, SMS and in-app.
		requester := func(t *testing.T, lang string) tenant.Actor {
			t.Helper()
			a := f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerUser, "Dora Requester")
			u, err := f.store.GetUser(ctx, f.tenant.ID, a.UserID)
			require.NoError(t, err)
			u.Phone, u.Language = "+4930123456", lang
			require.NoError(t, f.store.UpdateUser(ctx, u))
			return a
		}
		// Words of each language's default ticket.accepted texts, per channel.
		words := map[string]map[notify.Channel]string{
			"de": {notify.Email: "übernommen", notify.SMS: "wird von Sam Agent bearbeitet", notify.InApp: "Sam Agent bearbeitet"},
			"fr": {notify.Email: "a pris en charge", notify.SMS: "prise en charge par Sam Agent", notify.InApp: "Sam Agent prend en charge"},
		}
		cases := []struct {
			name, lang, want string
		}{
			{"no language of their own: the tenant's", "", "de"},
			{"a language without defaults: the tenant's", "it", "de"},
			{"a language of their own", "fr", "fr"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				a := requester(t, c.lang)
				tk := f.open(t, a, helpdesk.NewTicket{Title: "Pump beeps", DeviceID: f.devX.ID, Requester: nurseContact})
				before := len(f.outbox(t, notify.TicketAccepted))
				_, err := f.desk.Accept(ctx, f.agent, tk.ID)
				require.NoError(t, err)
				ns := f.outbox(t, notify.TicketAccepted)[before:]
				require.Equal(t, []string{"email:Dora Requester", "sms:Dora Requester", "inapp:Dora Requester"}, sent(ns))
				for _, n := range ns {
					assert.Equal(t, c.want, n.Language, "%s in the %s language", n.Channel, c.want)
					assert.Contains(t, n.Text, words[c.want][n.Channel], "%s text", n.Channel)
				}
			})
		}
	})
}
