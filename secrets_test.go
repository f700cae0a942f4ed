package helpdesk_test

import (
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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moderator creates an active moderator of f's tenant and returns the actor.
func (f *fixture) moderator(t *testing.T) tenant.Actor {
	t.Helper()
	u, _, err := f.desk.CreateUser(t.Context(), f.admin, helpdesk.NewUser{Email: "mo@acme.example", Name: "Mo Moderator",
		Role: tenant.RoleModerator, Password: peoplePassword})
	require.NoError(t, err)
	return tenant.Employee(f.tenant.ID, u.ID, tenant.RoleModerator, u.Name)
}

// A requester link is revoked by rotating it: the old token, actors made from it and the
// session links of the ticket stop working; the new token works and the requester's next
// notification carries it.
func TestRotateRequesterLink(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, nil)
		tk := f.ticketIn(t, ticket.StateAssigned)
		old := f.tokens[tk.ID]
		oldActor := f.link(t, tk)
		_, err := f.desk.Invite(ctx, f.agent, tk.ID, helpdesk.Invitation{At: f.clock.Now().Add(24 * time.Hour)})
		require.NoError(t, err)
		oldSession := linkIn(t, f.outbox(t, notify.InvitationSent)[0], "accept")
		_, _, err = f.desk.OpenSessionLink(ctx, oldSession)
		require.NoError(t, err, "the session link works before the rotation")

		fresh, err := f.desk.RotateRequesterLink(ctx, f.agent, tk.ID)
		require.NoError(t, err)
		assert.NotEqual(t, old, fresh)

		_, err = f.desk.OpenRequesterLink(ctx, old)
		assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "the old link")
		_, err = f.desk.Ticket(ctx, oldActor, tk.ID)
		assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "an actor made from the old link")
		_, err = f.desk.PostMessage(ctx, oldActor, tk.ID, helpdesk.NewMessage{Body: "still here?"})
		assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "posting through the old link")
		_, err = f.desk.TicketByRef(ctx, oldActor, tk.Ref())
		assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "reading by reference through the old link")
		_, _, err = f.desk.OpenSessionLink(ctx, oldSession)
		assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "the session link ends with the ticket's link")

		page, err := f.desk.OpenRequesterLink(ctx, fresh)
		require.NoError(t, err)
		assert.Equal(t, tk.ID, page.Ticket.ID)
		_, err = f.desk.PostMessage(ctx, page.Actor, tk.ID, helpdesk.NewMessage{Body: "new link works"})
		require.NoError(t, err)
		hs := f.history(t, f.admin, tk.ID)
		assert.Contains(t, historyActions(hs), "link.rotated")

		_, err = f.desk.Transition(ctx, f.agent, tk.ID, ticket.EventComplete, helpdesk.Change{})
		require.NoError(t, err)
		done := f.outbox(t, notify.TicketDone)
		require.NotEmpty(t, done)
		assert.Contains(t, done[len(done)-1].Text, "/requests/"+fresh, "the next notification carries the new link")
		assert.NotContains(t, done[len(done)-1].Text, old)
	})
}

// Deactivating a user rotates the requester links of the tickets they opened, and people with
// an account get the back-office page of a ticket in their notifications, never a requester
// link.
func TestDeactivationRotatesLinks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{})
		tk := f.open(t, f.userX, helpdesk.NewTicket{Title: "portal"})
		other := f.submit(t, "someone else's")
		_, err := f.desk.Accept(ctx, f.agent, tk.ID)
		require.NoError(t, err)
		accepted := f.outbox(t, notify.TicketAccepted)
		require.NotEmpty(t, accepted)
		for _, n := range accepted {
			assert.Equal(t, f.userX.UserID, n.To.UserID)
			assert.NotContains(t, n.Text+n.HTML+n.Link, "/requests/", "%s: a user with an account gets no requester link", n.Channel)
			if n.Channel == notify.Email {
				assert.Contains(t, n.Text, "/tickets/"+tk.ID.String(), "but the ticket's back-office page")
			}
		}

		_, err = f.desk.OpenRequesterLink(ctx, f.tokens[tk.ID])
		require.NoError(t, err)
		_, err = f.desk.DeactivateUser(ctx, f.admin, f.userX.UserID)
		require.NoError(t, err)
		_, err = f.desk.OpenRequesterLink(ctx, f.tokens[tk.ID])
		assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, "the deactivated user's tickets' links are rotated")
		_, err = f.desk.OpenRequesterLink(ctx, f.tokens[other.ID])
		assert.NoError(t, err, "other tickets' links stay")
	})
}

// No live one-time link can be read from stored notifications: the delivery log shows
// placeholders, the bell never carries the link, and only admins edit the templates of the
// account events that carry one.
func TestDeliveryLogHoldsNoLiveLinks(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{})
		mod := f.moderator(t)
		settings := f.tenant.Settings
		settings.Notifications = settings.Notifications.Set(notify.PasswordReset, notify.InApp, true)
		_, err := updateSettings(ctx, f.desk, f.admin, settings)
		require.NoError(t, err)

		admin := f.user(t, f.admin)
		reset, err := f.desk.RequestPasswordReset(ctx, f.tenant.ID, admin.Email)
		require.NoError(t, err)
		require.NotNil(t, reset)
		page, err := f.desk.Notifications(ctx, mod, storage.NotificationFilter{Event: notify.PasswordReset}, storage.PageRequest{})
		require.NoError(t, err)
		require.Len(t, page.Items, 2, "e-mail and in-app")
		for _, n := range page.Items {
			assert.NotContains(t, n.Subject+n.Text+n.HTML+n.Link, reset.Token, "%s: the reset link in the delivery log", n.Channel)
			assert.Empty(t, n.Sealed)
		}
		inbox, err := f.desk.Inbox(ctx, f.admin, storage.PageRequest{})
		require.NoError(t, err)
		for _, n := range inbox.Items {
			if n.Event == notify.PasswordReset {
				assert.NotContains(t, n.Text+n.Link, reset.Token, "the bell never carries the link")
				assert.NotContains(t, n.Text+n.Link, "sealed-", "nor a placeholder nobody will fill")
			}
		}
		// The e-mail itself carries the link.
		_, err = f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		mails := f.mail.Find(notify.PasswordReset)
		require.Len(t, mails, 1)
		assert.Contains(t, mails[0].Text, reset.URL)
		_, err = f.desk.ResetPassword(ctx, reset.Token, "N3w-password")
		require.NoError(t, err, "the link in the e-mail works")

		tpl := notify.Template{Event: notify.PasswordReset, Channel: notify.Email, Language: "en", Enabled: true,
			Subject: "Reset", Text: "Go to {{.account_link}}", HTML: "<p>{{.account_link}}</p>"}
		_, err = f.desk.SaveNotificationTemplate(ctx, mod, tpl)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden, "a moderator edits no account template")
		own, err := f.desk.SaveNotificationTemplate(ctx, mod, notify.Template{Event: notify.TicketDone, Channel: notify.Email,
			Language: "en", Subject: "Done", Text: "{{.ticket_ref}} done", HTML: "<p>done</p>"})
		require.NoError(t, err, "other templates are a moderator's to edit")
		own.Event = notify.PasswordReset
		own.Text, own.HTML = "{{.account_link}}", "<p>{{.account_link}}</p>"
		_, err = f.desk.SaveNotificationTemplate(ctx, mod, *own)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden, "nor turns one of theirs into one")
		saved, err := f.desk.SaveNotificationTemplate(ctx, f.admin, tpl)
		require.NoError(t, err, "admins may")
		assert.ErrorIs(t, f.desk.DeleteNotificationTemplate(ctx, mod, saved.ID), helpdesk.ErrForbidden)
		saved.Text = "Somewhere else: {{.account_link}}"
		_, err = f.desk.SaveNotificationTemplate(ctx, mod, *saved)
		assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		assert.NoError(t, f.desk.DeleteNotificationTemplate(ctx, f.admin, saved.ID))
	})
}

// A notification sealed under a key the Desk no longer has cannot be sent: it fails for good,
// with a clear error, instead of going out with a placeholder.
func TestSealedLinksNeedTheKey(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newNotifyFixture(t, s, helpdesk.Config{})
		_, _, err := f.desk.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: "new@acme.example", Name: "New", Role: tenant.RoleAgent})
		require.NoError(t, err)
		rec := notifytest.NewRecorder()
		other, err := helpdesk.New(s, &helpdesk.Config{Now: f.clock.Now, SecretKeys: [][]byte{[]byte(strings.Repeat("o", 32))},
			Notifiers: map[notify.Channel]notify.Notifier{notify.Email: rec}})
		require.NoError(t, err)
		_, err = other.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Empty(t, rec.Find(notify.UserInvited), "nothing sent with a placeholder")
		inv := f.deliveryLog(t, notify.UserInvited)
		require.Len(t, inv, 1)
		assert.Equal(t, notify.StatusFailed, inv[0].Status)
		assert.Contains(t, inv[0].LastError, "configured keys")
	})
}

// No result of the Desk carries a password hash.
func TestNoSecretsInResults(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newFixture(t, s)
		u, _, err := f.desk.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: "cora@northwind.example", Name: "Cora",
			Role: tenant.RoleCustomerUser, CustomerID: f.custY.ID, Password: peoplePassword})
		require.NoError(t, err)
		assert.Empty(t, u.PasswordHash, "CreateUser")
		stored, err := f.store.GetUser(ctx, f.tenant.ID, u.ID)
		require.NoError(t, err)
		require.NotEmpty(t, stored.PasswordHash, "the store keeps it")

		got, err := f.desk.User(ctx, f.userY, u.ID)
		require.NoError(t, err)
		assert.Empty(t, got.PasswordHash, "User")
		page, err := f.desk.Users(ctx, f.userY, storage.UserFilter{}, storage.PageRequest{})
		require.NoError(t, err)
		require.NotEmpty(t, page.Items)
		for _, it := range page.Items {
			assert.Empty(t, it.PasswordHash, "Users: %s", it.Email)
		}
		in, err := f.desk.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
		require.NoError(t, err)
		assert.Empty(t, in.User.PasswordHash, "SignIn")
		name := "Cora C."
		edited, err := f.desk.UpdateUser(ctx, in.Actor, u.ID, helpdesk.UserEdit{Name: &name})
		require.NoError(t, err)
		assert.Empty(t, edited.PasswordHash, "UpdateUser")
	})
}
