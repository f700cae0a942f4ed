package helpdesk_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertBadCredentials checks that a sign-in failed with ErrBadCredentials, classified
// unauthenticated.
func assertBadCredentials(t *testing.T, in *helpdesk.SignedIn, err error, msgAndArgs ...any) {
	t.Helper()
	assert.Nil(t, in, msgAndArgs...)
	assert.ErrorIs(t, err, helpdesk.ErrBadCredentials, msgAndArgs...)
	assert.Equal(t, helpdesk.KindUnauthenticated, helpdesk.KindOf(err), msgAndArgs...)
}

// assertThrottled checks that a sign-in was refused with *ThrottledError until until.
func assertThrottled(t *testing.T, in *helpdesk.SignedIn, err error, until time.Time, msgAndArgs ...any) {
	t.Helper()
	assert.Nil(t, in, msgAndArgs...)
	var te *helpdesk.ThrottledError
	if assert.ErrorAs(t, err, &te, msgAndArgs...) {
		assert.True(t, until.Equal(te.Until), "Until: want %s, got %s", until, te.Until)
	}
	assert.ErrorIs(t, err, helpdesk.ErrTooManyAttempts, msgAndArgs...)
	assert.NotErrorIs(t, err, helpdesk.ErrBadCredentials, msgAndArgs...)
	assert.Equal(t, helpdesk.KindThrottled, helpdesk.KindOf(err), msgAndArgs...)
}

// assertSignedOut checks that Authenticate refuses a session token.
func assertSignedOut(t *testing.T, d *helpdesk.Desk, token string, msgAndArgs ...any) {
	t.Helper()
	a, err := d.Authenticate(t.Context(), token)
	assert.ErrorIs(t, err, helpdesk.ErrUnauthenticated, msgAndArgs...)
	assert.Equal(t, helpdesk.KindUnauthenticated, helpdesk.KindOf(err), msgAndArgs...)
	assert.Equal(t, tenant.Actor{}, a, msgAndArgs...)
}

// assertSignedIn checks that Authenticate turns a session token into want.
func assertSignedIn(t *testing.T, d *helpdesk.Desk, token string, want tenant.Actor, msgAndArgs ...any) {
	t.Helper()
	a, err := d.Authenticate(t.Context(), token)
	if assert.NoError(t, err, msgAndArgs...) {
		assert.Equal(t, want, a, msgAndArgs...)
	}
}

// ---------------------------------------------------------------------------------------------
// Signing in

func TestSignIn(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		const window = 15 * time.Minute
		d := deskOn(t, f, helpdesk.Config{MaxLoginFailures: 3})
		tid := f.tenant.ID

		t.Run("the right password starts a session", func(t *testing.T) {
			u := withPassword(t, d, f, "Rita")
			now := f.clock.Now()
			in, err := d.SignIn(ctx, tid, u.Email, peoplePassword)
			require.NoError(t, err)
			assert.Equal(t, u.ID, in.User.ID)
			assert.Equal(t, u.Actor(), in.Actor)
			assert.Equal(t, tenant.Employee(tid, u.ID, tenant.RoleAgent, "Rita"), in.Actor)
			assert.Len(t, in.Token, 43, "256 bits, base64url")
			assert.True(t, now.Add(12*time.Hour).Equal(in.ExpiresAt), "the default SessionTTL: %s", in.ExpiresAt)
			assertSignedIn(t, d, in.Token, in.Actor)
			assertSignedIn(t, f.desk, in.Token, in.Actor, "any Desk on the store knows the session")
			assertTime(t, now, storedUser(t, f, tid, u.ID).LastSignInAt, "LastSignInAt")

			again, err := d.SignIn(ctx, tid, "  "+strings.ToUpper(u.Email)+" ", peoplePassword)
			require.NoError(t, err, "the e-mail address is case-insensitive")
			assert.Equal(t, u.ID, again.User.ID)
			assert.NotEqual(t, in.Token, again.Token, "a new session")
			assertSignedIn(t, d, in.Token, in.Actor, "the earlier session goes on")
		})
		t.Run("every failure looks the same", func(t *testing.T) {
			u := withPassword(t, d, f, "Wanda")
			gone := withPassword(t, d, f, "Gwen")
			_, err := d.DeactivateUser(ctx, f.admin, gone.ID)
			require.NoError(t, err)
			invited, _ := invite(t, d, f, uuid.Nil)
			other, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Other Service", TicketPrefix: "O"})
			require.NoError(t, err)
			cases := []struct {
				name, email, password string
				tenantID              uuid.UUID
			}{
				{"a wrong password", u.Email, "Wrong1horse", tid},
				{"the password in another case", u.Email, strings.ToLower(peoplePassword), tid},
				{"an empty password", u.Email, "", tid},
				{"an unknown address", addressFor("nobody"), peoplePassword, tid},
				{"an invited user", invited.Email, peoplePassword, tid},
				{"a deactivated user with the right password", gone.Email, peoplePassword, tid},
				{"a user without a password", storedUser(t, f, tid, f.agent.UserID).Email, "", tid},
				{"another tenant", u.Email, peoplePassword, other.ID},
				{"an unknown tenant", u.Email, peoplePassword, uuid.New()},
			}
			var text string
			for _, c := range cases {
				in, err := d.SignIn(ctx, c.tenantID, c.email, c.password)
				assertBadCredentials(t, in, err, c.name)
				if text == "" {
					text = err.Error()
				}
				assert.Equal(t, text, err.Error(), "%s: the same words as every other failure", c.name)
			}
		})
		t.Run("repeated failures throttle an address", func(t *testing.T) {
			u := withPassword(t, d, f, "Tom")
			bystander := withPassword(t, d, f, "Bea")
			ghost := addressFor("ghost")
			first := f.clock.Now()
			for i := range 3 {
				for _, email := range []string{u.Email, ghost} {
					in, err := d.SignIn(ctx, tid, email, "Wrong1horse")
					assertBadCredentials(t, in, err, "failure %d of %s", i+1, email)
				}
				f.clock.Advance(time.Minute)
			}
			until := first.Add(window)
			for name, try := range map[string]struct{ email, password string }{
				"the right password":        {u.Email, peoplePassword},
				"a wrong password":          {u.Email, "Wrong1horse"},
				"the address in upper case": {strings.ToUpper(u.Email), peoplePassword},
				"an unknown address":        {ghost, peoplePassword},
			} {
				in, err := d.SignIn(ctx, tid, try.email, try.password)
				assertThrottled(t, in, err, until, name)
			}
			in, err := d.SignIn(ctx, tid, bystander.Email, peoplePassword)
			require.NoError(t, err, "another address is not throttled")
			assert.Equal(t, bystander.ID, in.User.ID)

			f.clock.Advance(until.Sub(f.clock.Now()) - time.Second)
			in, err = d.SignIn(ctx, tid, u.Email, peoplePassword)
			assertThrottled(t, in, err, until, "a second before the window ends")
			f.clock.Advance(time.Second)
			in, err = d.SignIn(ctx, tid, u.Email, peoplePassword)
			require.NoError(t, err, "the window has ended")
			assert.Equal(t, u.ID, in.User.ID)
		})
		t.Run("throttling is per tenant", func(t *testing.T) {
			ghost := addressFor("ghost")
			other, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Third Service", TicketPrefix: "C"})
			require.NoError(t, err)
			first := f.clock.Now()
			for range 3 {
				_, err := d.SignIn(ctx, tid, ghost, "Wrong1horse")
				require.ErrorIs(t, err, helpdesk.ErrBadCredentials)
			}
			in, err := d.SignIn(ctx, tid, ghost, "Wrong1horse")
			assertThrottled(t, in, err, first.Add(window))
			in, err = d.SignIn(ctx, other.ID, ghost, "Wrong1horse")
			assertBadCredentials(t, in, err, "the same address in another tenant")
		})
		t.Run("a successful sign-in clears the failures", func(t *testing.T) {
			u := withPassword(t, d, f, "Cleo")
			for round := range 2 {
				for i := range 2 {
					_, err := d.SignIn(ctx, tid, u.Email, "Wrong1horse")
					require.ErrorIs(t, err, helpdesk.ErrBadCredentials, "round %d, failure %d", round, i)
				}
				_, err := d.SignIn(ctx, tid, u.Email, peoplePassword)
				require.NoError(t, err, "round %d: 2 failures, then the right password", round)
			}
			count, _, err := f.store.LoginFailures(ctx, tid, secret.Hash(u.Email))
			require.NoError(t, err)
			assert.Zero(t, count)
		})
		t.Run("a password hashed more cheaply than wanted is rehashed", func(t *testing.T) {
			u := withPassword(t, d, f, "Remy")
			old := storedUser(t, f, tid, u.ID).PasswordHash
			require.Contains(t, old, "m=19456,t=2,p=1")
			costly := deskOn(t, f, helpdesk.Config{PasswordParams: tenant.PasswordParams{MemoryKiB: 20 * 1024, Iterations: 2, Threads: 1}})
			_, err := costly.SignIn(ctx, tid, u.Email, peoplePassword)
			require.NoError(t, err)
			rehashed := storedUser(t, f, tid, u.ID).PasswordHash
			assert.Contains(t, rehashed, "m=20480,t=2,p=1")
			assert.NotEqual(t, old, rehashed)

			_, err = costly.SignIn(ctx, tid, u.Email, peoplePassword)
			require.NoError(t, err)
			assert.Equal(t, rehashed, storedUser(t, f, tid, u.ID).PasswordHash, "not rehashed twice")
			_, err = d.SignIn(ctx, tid, u.Email, peoplePassword)
			require.NoError(t, err, "a Desk with the minimum verifies the costlier hash")
			assert.Equal(t, rehashed, storedUser(t, f, tid, u.ID).PasswordHash, "and does not downgrade it")
			in, err := costly.SignIn(ctx, tid, u.Email, "Wrong1horse")
			assertBadCredentials(t, in, err)
		})
		t.Run("New refuses password parameters below OWASP's minimum", func(t *testing.T) {
			for name, p := range map[string]tenant.PasswordParams{
				"less memory":     {MemoryKiB: 16 * 1024, Iterations: 2, Threads: 1},
				"fewer passes":    {MemoryKiB: 64 * 1024, Iterations: 1, Threads: 1},
				"zero lanes only": {MemoryKiB: 19 * 1024, Iterations: 2},
			} {
				d, err := helpdesk.New(s, &helpdesk.Config{PasswordParams: p})
				assert.Nil(t, d, name)
				assert.ErrorIs(t, err, tenant.ErrWeakParams, name)
			}
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Invitations

func TestSignInInvitation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()

		t.Run("accepting sets the password and signs in once", func(t *testing.T) {
			u, link := invite(t, f.desk, f, f.custX.ID)
			in, err := f.desk.AcceptInvitation(ctx, link.Token, "weak")
			assert.Nil(t, in)
			assertField(t, err, "password")
			assert.ErrorIs(t, err, tenant.ErrWeakPassword)
			assert.Equal(t, tenant.UserInvited, storedUser(t, f, f.tenant.ID, u.ID).Status, "a weak password changes nothing")

			in, err = f.desk.AcceptInvitation(ctx, link.Token, peoplePassword)
			require.NoError(t, err, "the link is still usable after a weak password")
			assert.Equal(t, u.ID, in.User.ID)
			assert.Equal(t, tenant.UserActive, in.User.Status)
			want := tenant.CustomerUser(f.tenant.ID, f.custX.ID, u.ID, tenant.RoleCustomerUser, u.Name)
			assert.Equal(t, want, in.Actor)
			assertSignedIn(t, f.desk, in.Token, want)
			got := storedUser(t, f, f.tenant.ID, u.ID)
			assert.Equal(t, tenant.UserActive, got.Status)
			assert.Contains(t, got.PasswordHash, "m=19456,t=2,p=1")
			ut, err := f.store.GetUserToken(ctx, secret.Hash(link.Token))
			require.NoError(t, err)
			assertTime(t, f.clock.Now(), ut.UsedAt, "UsedAt")

			again, err := f.desk.AcceptInvitation(ctx, link.Token, "Other1horse")
			assert.Nil(t, again)
			assertInvalidLink(t, err, "a second use")
			_, err = f.desk.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
			assert.NoError(t, err, "the first password stays")
		})
		t.Run("only the token's hash is stored", func(t *testing.T) {
			u, link := invite(t, f.desk, f, uuid.Nil)
			_, err := f.store.GetUserToken(ctx, link.Token)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			ut, err := f.store.GetUserToken(ctx, secret.Hash(link.Token))
			require.NoError(t, err)
			assert.Equal(t, u.ID, ut.UserID)
			assert.Equal(t, secret.Hash(link.Token), ut.Hash)
			assert.NotContains(t, ut.Hash, link.Token)
		})
		t.Run("a link expires after InvitationTTL", func(t *testing.T) {
			_, early := invite(t, f.desk, f, uuid.Nil)
			_, late := invite(t, f.desk, f, uuid.Nil)
			f.clock.Advance(7*24*time.Hour - time.Second)
			_, err := f.desk.AcceptInvitation(ctx, early.Token, peoplePassword)
			require.NoError(t, err, "a second before it expires")
			f.clock.Advance(time.Second)
			in, err := f.desk.AcceptInvitation(ctx, late.Token, peoplePassword)
			assert.Nil(t, in)
			assertInvalidLink(t, err, "at ExpiresAt")
		})
		t.Run("a shorter InvitationTTL", func(t *testing.T) {
			d := deskOn(t, f, helpdesk.Config{InvitationTTL: time.Hour})
			_, link := invite(t, d, f, uuid.Nil)
			assert.True(t, f.clock.Now().Add(time.Hour).Equal(link.ExpiresAt))
			f.clock.Advance(time.Hour)
			_, err := d.AcceptInvitation(ctx, link.Token, peoplePassword)
			assertInvalidLink(t, err)
		})
		t.Run("ResendInvitation voids the earlier link", func(t *testing.T) {
			u, first := invite(t, f.desk, f, uuid.Nil)
			f.clock.Advance(time.Hour)
			second, err := f.desk.ResendInvitation(ctx, f.admin, u.ID)
			require.NoError(t, err)
			assert.NotEqual(t, first.Token, second.Token)
			assert.True(t, f.clock.Now().Add(7*24*time.Hour).Equal(second.ExpiresAt), "a fresh expiry")
			_, err = f.desk.AcceptInvitation(ctx, first.Token, peoplePassword)
			assertInvalidLink(t, err, "the earlier link")
			in, err := f.desk.AcceptInvitation(ctx, second.Token, peoplePassword)
			require.NoError(t, err)
			assert.Equal(t, u.ID, in.User.ID)
			_, err = f.desk.ResendInvitation(ctx, f.admin, u.ID)
			assertField(t, err, "user")
		})
		t.Run("tokens that are no invitation", func(t *testing.T) {
			reset, err := f.desk.RequestPasswordReset(ctx, f.tenant.ID, storedUser(t, f, f.tenant.ID, f.agent2.UserID).Email)
			require.NoError(t, err)
			require.NotNil(t, reset)
			share, err := f.desk.ShareLogin(ctx, f.agent2)
			require.NoError(t, err)
			for name, token := range map[string]string{
				"empty":                   "",
				"random":                  secret.NewToken(),
				"a password-reset token":  reset.Token,
				"a share-login token":     share.Token,
				"a requester-link secret": f.tokens[portalTicket(t, f, "x").ID],
			} {
				in, err := f.desk.AcceptInvitation(ctx, token, peoplePassword)
				assert.Nil(t, in, name)
				assertInvalidLink(t, err, name)
			}
			assert.Equal(t, tenant.UserActive, storedUser(t, f, f.tenant.ID, f.agent2.UserID).Status)
			assert.Empty(t, storedUser(t, f, f.tenant.ID, f.agent2.UserID).PasswordHash, "no password was set")
			in, err := f.desk.RedeemShareLogin(ctx, share.Token)
			require.NoError(t, err, "a token of another purpose is not used up by trying it as an invitation")
			assert.Equal(t, f.agent2, in.Actor)
		})
		t.Run("deactivation voids the invitation", func(t *testing.T) {
			u, link := invite(t, f.desk, f, uuid.Nil)
			_, err := f.desk.DeactivateUser(ctx, f.admin, u.ID)
			require.NoError(t, err)
			_, err = f.desk.AcceptInvitation(ctx, link.Token, peoplePassword)
			assertInvalidLink(t, err)
			back, err := f.desk.ReactivateUser(ctx, f.admin, u.ID)
			require.NoError(t, err)
			assert.Equal(t, tenant.UserInvited, back.Status, "a user without a password comes back invited")
			fresh, err := f.desk.ResendInvitation(ctx, f.admin, u.ID)
			require.NoError(t, err)
			_, err = f.desk.AcceptInvitation(ctx, fresh.Token, peoplePassword)
			assert.NoError(t, err)
		})
		t.Run("concurrent acceptance succeeds once", func(t *testing.T) {
			u, link := invite(t, f.desk, f, uuid.Nil)
			const n = 8
			errs := make([]error, n)
			ins := make([]*helpdesk.SignedIn, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					ins[i], errs[i] = f.desk.AcceptInvitation(context.Background(), link.Token, peoplePassword)
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range errs {
				if err == nil {
					require.Equal(t, -1, winner, "two acceptances succeeded")
					winner = i
					continue
				}
				t.Logf("loser %d: %v", i, err)
				// Both engines report the lost race as a used link (UseUserToken's ErrConflict
				// is mapped to ErrInvalidLink), never as a storage error.
				assertInvalidLink(t, err, "loser %d", i)
			}
			require.NotEqual(t, -1, winner, "no acceptance succeeded: %v", errs)
			assert.Equal(t, u.ID, ins[winner].User.ID)
			assertSignedIn(t, f.desk, ins[winner].Token, ins[winner].Actor)
			assert.Equal(t, tenant.UserActive, storedUser(t, f, f.tenant.ID, u.ID).Status)
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Sessions

func TestSessionLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		moderator := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleModerator, "Mo Moderator")

		t.Run("unknown tokens", func(t *testing.T) {
			in := sessionOf(t, f.desk, f.agent)
			for name, token := range map[string]string{
				"empty":                  "",
				"random":                 secret.NewToken(),
				"the stored hash":        secret.Hash(in.Token),
				"the token, truncated":   in.Token[:len(in.Token)-1],
				"the token, spaced":      " " + in.Token,
				"a requester-link token": f.tokens[portalTicket(t, f, "x").ID],
			} {
				assertSignedOut(t, f.desk, token, name)
			}
			assertSignedIn(t, f.desk, in.Token, f.agent)
		})
		t.Run("a session lasts SessionTTL", func(t *testing.T) {
			in := sessionOf(t, f.desk, f.agent)
			assert.True(t, f.clock.Now().Add(12*time.Hour).Equal(in.ExpiresAt))
			f.clock.Advance(12*time.Hour - time.Second)
			assertSignedIn(t, f.desk, in.Token, f.agent, "a second before it ends")
			f.clock.Advance(time.Second)
			assertSignedOut(t, f.desk, in.Token, "at ExpiresAt")

			short := deskOn(t, f, helpdesk.Config{SessionTTL: time.Minute})
			in = sessionOf(t, short, f.agent)
			f.clock.Advance(time.Minute)
			assertSignedOut(t, short, in.Token, "Config.SessionTTL")
		})
		t.Run("SignOut ends one session and may be repeated", func(t *testing.T) {
			s1, s2 := sessionOf(t, f.desk, f.agent), sessionOf(t, f.desk, f.agent)
			require.NoError(t, f.desk.SignOut(ctx, s1.Token))
			assertSignedOut(t, f.desk, s1.Token)
			assertSignedIn(t, f.desk, s2.Token, f.agent, "the other session goes on")
			assert.NoError(t, f.desk.SignOut(ctx, s1.Token), "again")
			assert.NoError(t, f.desk.SignOut(ctx, ""))
			assert.NoError(t, f.desk.SignOut(ctx, secret.NewToken()))
			assertSignedIn(t, f.desk, s2.Token, f.agent)
		})
		t.Run("deactivation ends every session and keeps the history", func(t *testing.T) {
			d := deskOn(t, f, helpdesk.Config{})
			u := withPassword(t, d, f, "Dana")
			a := u.Actor()
			s1, err := d.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
			require.NoError(t, err)
			s2 := sessionOf(t, d, a)
			share, err := d.ShareLogin(ctx, a)
			require.NoError(t, err)
			reset, err := d.RequestPasswordReset(ctx, f.tenant.ID, u.Email)
			require.NoError(t, err)
			// Dana joins the default group, so the ticket is offered to her too.
			group, err := f.store.GetTeam(ctx, f.tenant.ID, f.teamA.ID)
			require.NoError(t, err)
			members := group.Members
			group.Members = append(slices.Clone(members), u.ID)
			group, err = f.desk.UpdateTeam(ctx, f.admin, group)
			require.NoError(t, err)
			t.Cleanup(func() {
				group.Members = members
				_, err := f.desk.UpdateTeam(context.Background(), f.admin, group)
				assert.NoError(t, err)
			})
			tk := portalTicket(t, f, "Dana takes it")
			_, err = d.Accept(ctx, a, tk.ID)
			require.NoError(t, err)
			_, err = d.PostMessage(ctx, a, tk.ID, helpdesk.NewMessage{Body: "on my way"})
			require.NoError(t, err)

			got, err := d.DeactivateUser(ctx, f.admin, u.ID)
			require.NoError(t, err)
			assert.Equal(t, tenant.UserDeactivated, got.Status)
			assertSignedOut(t, d, s1.Token, "the password session")
			assertSignedOut(t, d, s2.Token, "the share-login session")
			_, err = d.RedeemShareLogin(ctx, share.Token)
			assertInvalidLink(t, err, "an unused share-login link")
			_, err = d.ResetPassword(ctx, reset.Token, "Another1horse")
			assertInvalidLink(t, err, "an unused reset link")
			in, err := d.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
			assertBadCredentials(t, in, err)
			_, err = d.ShareLogin(ctx, a)
			assert.ErrorIs(t, err, helpdesk.ErrUnauthenticated, "an actor kept from before")

			stored := storedUser(t, f, f.tenant.ID, u.ID)
			assert.Equal(t, tenant.UserDeactivated, stored.Status)
			assert.NotEmpty(t, stored.PasswordHash, "the password is kept for reactivation")
			kept := f.reload(t, tk.ID)
			assert.Equal(t, u.ID, kept.AssigneeID, "still the assignee")
			hs := f.history(t, f.admin, tk.ID)
			assert.Equal(t, []string{"submit", "accept", "message"}, historyActions(hs))
			assert.Equal(t, a.Ref(), hs[1].Actor, "the history still names them")
			ms, err := messagesOf(ctx, d, f.admin, tk.ID)
			require.NoError(t, err)
			require.Len(t, ms, 1)
			assert.Equal(t, a.Ref(), ms[0].Author)
			deactivated := listUserIDs(t, d, f.admin, storage.UserFilter{Status: tenant.UserDeactivated})
			assert.Contains(t, deactivated, u.ID)
			_, err = d.DeactivateUser(ctx, f.admin, u.ID)
			assertField(t, err, "user")

			back, err := d.ReactivateUser(ctx, f.admin, u.ID)
			require.NoError(t, err)
			assert.Equal(t, tenant.UserActive, back.Status)
			in, err = d.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
			require.NoError(t, err, "signs in again after reactivation")
			assertSignedIn(t, d, in.Token, a)
			assertSignedOut(t, d, s1.Token, "the ended sessions stay ended")
			_, err = d.ReactivateUser(ctx, f.admin, u.ID)
			assertField(t, err, "user")
		})
		t.Run("users do not deactivate themselves", func(t *testing.T) {
			for _, a := range []tenant.Actor{f.admin, f.userY} {
				u, err := f.desk.DeactivateUser(ctx, a, a.UserID)
				assert.Nil(t, u)
				assertField(t, err, "user")
				assert.Equal(t, tenant.UserActive, storedUser(t, f, f.tenant.ID, a.UserID).Status)
			}
		})
		t.Run("a team's supervisor is replaced first", func(t *testing.T) {
			sup := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleSupervisor, "Nell Nightly")
			team, err := f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: "Night desk", SupervisorID: sup.UserID})
			require.NoError(t, err)
			u, err := f.desk.DeactivateUser(ctx, f.admin, sup.UserID)
			assert.Nil(t, u)
			assertField(t, err, "user")
			assert.Contains(t, err.Error(), `"Night desk"`, "the error names the team")
			assert.Equal(t, tenant.UserActive, storedUser(t, f, f.tenant.ID, sup.UserID).Status)

			team.SupervisorID = f.supervisor.UserID
			_, err = f.desk.UpdateTeam(ctx, f.admin, team)
			require.NoError(t, err)
			u, err = f.desk.DeactivateUser(ctx, f.admin, sup.UserID)
			require.NoError(t, err, "once the team has another supervisor")
			assert.Equal(t, tenant.UserDeactivated, u.Status)
		})
		t.Run("a team member may be deactivated", func(t *testing.T) {
			m := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleAgent, "Max Member")
			_, err := f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: "Max's team", SupervisorID: f.supervisor.UserID,
				Members: []uuid.UUID{m.UserID}})
			require.NoError(t, err)
			_, err = f.desk.DeactivateUser(ctx, f.admin, m.UserID)
			assert.NoError(t, err)
		})
		t.Run("who may deactivate whom", func(t *testing.T) {
			cases := []struct {
				name   string
				actor  tenant.Actor
				target tenant.Actor
				want   error
			}{
				{"admin, an agent", f.admin, f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleAgent, "Ari Agent"), nil},
				{"system, a customer user", f.system, f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerUser, "Cy Customer"), nil},
				{"moderator, a customer user", moderator, f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerUser, "Cai Customer"), nil},
				{"moderator, an agent", moderator, f.agent, helpdesk.ErrForbidden},
				{"supervisor, an agent", f.supervisor, f.agent, helpdesk.ErrForbidden},
				{"agent, an agent", f.agent, f.agent2, helpdesk.ErrForbidden},
				{"customer_admin, their user", f.userY, f.person(t, f.tenant.ID, f.custY.ID, tenant.RoleCustomerUser, "Cory Customer"), nil},
				{"customer_admin, another customer's user", f.userY, f.userX, storage.ErrNotFound},
				{"customer_admin, an agent", f.userY, f.agent, storage.ErrNotFound},
				{"customer_user, a colleague", f.userX, f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerUser, "Cato Customer"), helpdesk.ErrForbidden},
				{"admin, an unknown user", f.admin, tenant.Employee(f.tenant.ID, uuid.New(), tenant.RoleAgent, "Nobody"), storage.ErrNotFound},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					var session, target *helpdesk.SignedIn
					if c.actor.UserID != uuid.Nil {
						session = sessionOf(t, f.desk, c.actor)
					}
					if c.target.Name != "Nobody" {
						target = sessionOf(t, f.desk, c.target)
					}
					u, err := f.desk.DeactivateUser(ctx, c.actor, c.target.UserID)
					if c.want != nil {
						assert.ErrorIs(t, err, c.want)
						assert.Nil(t, u)
					} else {
						require.NoError(t, err)
						assert.Equal(t, tenant.UserDeactivated, u.Status)
					}
					if session != nil {
						assertSignedIn(t, f.desk, session.Token, c.actor, "the actor's own session")
					}
					switch {
					case target == nil:
					case c.want == nil:
						assertSignedOut(t, f.desk, target.Token, "the target's session")
					default:
						assertSignedIn(t, f.desk, target.Token, c.target, "the target's session")
					}
				})
			}
		})
		t.Run("SetPassword sets another user's password and ends their sessions", func(t *testing.T) {
			u, _ := invite(t, f.desk, f, f.custY.ID)
			require.NoError(t, f.desk.SetPassword(ctx, f.userY, u.ID, peoplePassword), "a customer_admin for their user")
			assert.Equal(t, tenant.UserActive, storedUser(t, f, f.tenant.ID, u.ID).Status, "an invited user becomes active")
			in, err := f.desk.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
			require.NoError(t, err)

			require.NoError(t, f.desk.SetPassword(ctx, f.admin, u.ID, "Another1horse"))
			assertSignedOut(t, f.desk, in.Token)

			err = f.desk.SetPassword(ctx, f.admin, u.ID, "weak")
			assertField(t, err, "password")
			assert.ErrorIs(t, err, tenant.ErrWeakPassword)
			err = f.desk.SetPassword(ctx, f.admin, f.admin.UserID, peoplePassword)
			assertField(t, err, "user")
			err = f.desk.SetPassword(ctx, f.userY, f.userX.UserID, peoplePassword)
			assert.ErrorIs(t, err, storage.ErrNotFound, "another customer's user")
		})
		t.Run("SetPassword checks the actor before the password", func(t *testing.T) {
			for name, a := range map[string]tenant.Actor{"agent": f.agent, "customer_user": f.userX} {
				for _, pw := range []string{"weak", peoplePassword} {
					err := f.desk.SetPassword(ctx, a, f.agent2.UserID, pw)
					if a.Kind == tenant.ActorCustomerUser {
						// A customer user does not see employees at all.
						assert.ErrorIs(t, err, storage.ErrNotFound, "%s, password %q", name, pw)
						continue
					}
					assert.ErrorIs(t, err, helpdesk.ErrForbidden, "%s, password %q", name, pw)
				}
			}
			err := f.desk.SetPassword(ctx, moderator, f.agent2.UserID, peoplePassword)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden, "moderators do not manage employees")
			assert.Empty(t, storedUser(t, f, f.tenant.ID, f.agent2.UserID).PasswordHash)
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Password reset and change

func TestPasswordReset(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		d := deskOn(t, f, helpdesk.Config{MaxLoginFailures: 2, BaseURL: "https://desk.example"})
		tid := f.tenant.ID
		u := withPassword(t, d, f, "Rosa")

		t.Run("no link for an address without an active account", func(t *testing.T) {
			invited, _ := invite(t, d, f, uuid.Nil)
			gone := f.person(t, tid, uuid.Nil, tenant.RoleAgent, "Gil Gone")
			_, err := d.DeactivateUser(ctx, f.admin, gone.UserID)
			require.NoError(t, err)
			for name, c := range map[string]struct {
				tenantID uuid.UUID
				email    string
			}{
				"an unknown address": {tid, addressFor("nobody")},
				"an invited user":    {tid, invited.Email},
				"a deactivated user": {tid, storedUser(t, f, tid, gone.UserID).Email},
				"another tenant":     {uuid.New(), u.Email},
				"not an address":     {tid, "nobody"},
			} {
				link, err := d.RequestPasswordReset(ctx, c.tenantID, c.email)
				assert.NoError(t, err, name)
				assert.Nil(t, link, name)
			}
		})
		t.Run("a link for an active user", func(t *testing.T) {
			link, err := d.RequestPasswordReset(ctx, tid, " "+strings.ToUpper(u.Email))
			require.NoError(t, err)
			assertLink(t, link, "https://desk.example", "/reset-password/", f.clock.Now().Add(time.Hour))
			ut, err := f.store.GetUserToken(ctx, secret.Hash(link.Token))
			require.NoError(t, err)
			assert.Equal(t, tenant.PurposePasswordReset, ut.Purpose)
			assert.Equal(t, u.ID, ut.UserID)
			_, err = f.store.GetUserToken(ctx, link.Token)
			assert.ErrorIs(t, err, storage.ErrNotFound, "only the hash is stored")
		})
		t.Run("resetting sets the password, ends the sessions and lifts throttling", func(t *testing.T) {
			old, err := d.SignIn(ctx, tid, u.Email, peoplePassword)
			require.NoError(t, err)
			share := sessionOf(t, d, u.Actor())
			first := f.clock.Now()
			for range 2 {
				_, err := d.SignIn(ctx, tid, u.Email, "Wrong1horse")
				require.ErrorIs(t, err, helpdesk.ErrBadCredentials)
			}
			in, err := d.SignIn(ctx, tid, u.Email, peoplePassword)
			assertThrottled(t, in, err, first.Add(15*time.Minute))

			link, err := d.RequestPasswordReset(ctx, tid, u.Email)
			require.NoError(t, err)
			in, err = d.ResetPassword(ctx, link.Token, "short")
			assert.Nil(t, in)
			assertField(t, err, "password")
			assertSignedIn(t, d, old.Token, u.Actor(), "a weak password changes nothing")

			in, err = d.ResetPassword(ctx, link.Token, "Reset1horse")
			require.NoError(t, err, "the link is still usable after a weak password")
			assert.Equal(t, u.ID, in.User.ID)
			assertSignedIn(t, d, in.Token, u.Actor(), "signed in on a new session")
			assertSignedOut(t, d, old.Token, "the earlier sessions end")
			assertSignedOut(t, d, share.Token, "the earlier sessions end")

			_, err = d.SignIn(ctx, tid, u.Email, "Reset1horse")
			require.NoError(t, err, "the throttling is lifted and the new password works")
			in, err = d.SignIn(ctx, tid, u.Email, peoplePassword)
			assertBadCredentials(t, in, err, "the old password")

			in, err = d.ResetPassword(ctx, link.Token, "Again1horse")
			assert.Nil(t, in)
			assertInvalidLink(t, err, "a second use")
			_, err = d.SignIn(ctx, tid, u.Email, "Reset1horse")
			require.NoError(t, err, "the second use changed nothing")
		})
		t.Run("a link expires after ResetTTL", func(t *testing.T) {
			link, err := d.RequestPasswordReset(ctx, tid, u.Email)
			require.NoError(t, err)
			f.clock.Advance(time.Hour)
			in, err := d.ResetPassword(ctx, link.Token, "Late1horse")
			assert.Nil(t, in)
			assertInvalidLink(t, err)
		})
		t.Run("a new request voids the earlier link", func(t *testing.T) {
			first, err := d.RequestPasswordReset(ctx, tid, u.Email)
			require.NoError(t, err)
			second, err := d.RequestPasswordReset(ctx, tid, u.Email)
			require.NoError(t, err)
			assert.NotEqual(t, first.Token, second.Token)
			_, err = d.ResetPassword(ctx, first.Token, "First1horse")
			assertInvalidLink(t, err)
			_, err = d.ResetPassword(ctx, second.Token, peoplePassword)
			assert.NoError(t, err)
		})
		t.Run("an invitation is no reset link", func(t *testing.T) {
			_, link := invite(t, d, f, uuid.Nil)
			_, err := d.ResetPassword(ctx, link.Token, peoplePassword)
			assertInvalidLink(t, err)
		})
	})
}

func TestPasswordChange(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		u := withPassword(t, f.desk, f, "Carl")
		in, err := f.desk.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
		require.NoError(t, err)

		t.Run("a wrong current password", func(t *testing.T) {
			_, err := f.desk.ChangePassword(ctx, in.Actor, "Wrong1horse", "Changed1horse")
			assertField(t, err, "current")
			assert.ErrorIs(t, err, helpdesk.ErrBadCredentials)
			assert.Equal(t, helpdesk.KindInvalid, helpdesk.KindOf(err), "a form error, not a signed-out session")
			_, err = f.desk.ChangePassword(ctx, f.agent, "", "Changed1horse")
			assert.ErrorIs(t, err, helpdesk.ErrBadCredentials, "a user without a password")
			assertSignedIn(t, f.desk, in.Token, in.Actor, "a wrong guess ends nothing")
		})
		t.Run("a weak new password", func(t *testing.T) {
			_, err := f.desk.ChangePassword(ctx, in.Actor, peoplePassword, "changed")
			assertField(t, err, "password")
			assert.ErrorIs(t, err, tenant.ErrWeakPassword)
		})
		t.Run("actors who are not users", func(t *testing.T) {
			tk := portalTicket(t, f, "x")
			for name, a := range map[string]tenant.Actor{"system": f.system, "code holder": f.holder, "requester link": f.link(t, tk)} {
				_, err := f.desk.ChangePassword(ctx, a, peoplePassword, "Changed1horse")
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, name)
			}
		})
		t.Run("the right current password", func(t *testing.T) {
			other, err := f.desk.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
			require.NoError(t, err)
			changed, err := f.desk.ChangePassword(ctx, in.Actor, peoplePassword, "Changed1horse")
			require.NoError(t, err)
			assertSignedOut(t, f.desk, in.Token, "the session that changed it is replaced")
			assertSignedOut(t, f.desk, other.Token, "every other session ends")
			assertSignedIn(t, f.desk, changed.Token, in.Actor, "the new session goes on")
			_, err = f.desk.SignIn(ctx, f.tenant.ID, u.Email, "Changed1horse")
			require.NoError(t, err)
			again, err := f.desk.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
			assertBadCredentials(t, again, err, "the old password")
		})
		t.Run("guessing the current password is throttled", func(t *testing.T) {
			v := withPassword(t, f.desk, f, "Vera")
			vin, err := f.desk.SignIn(ctx, f.tenant.ID, v.Email, peoplePassword)
			require.NoError(t, err)
			for i := range 5 {
				_, err := f.desk.ChangePassword(ctx, vin.Actor, fmt.Sprintf("Guess%dhorse", i), "Changed1horse")
				assertField(t, err, "current")
			}
			_, err = f.desk.ChangePassword(ctx, vin.Actor, peoplePassword, "Changed1horse")
			var te *helpdesk.ThrottledError
			require.ErrorAs(t, err, &te, "even the right password, once throttled")
			assert.Equal(t, helpdesk.KindThrottled, helpdesk.KindOf(err))
			_, err = f.desk.SignIn(ctx, f.tenant.ID, v.Email, peoplePassword)
			assert.ErrorAs(t, err, &te, "the same throttle as sign-in")
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Self-registration

func TestRegister(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		tid := f.tenant.ID
		other := f.addTenant(t, "Beta Service", "B")
		nurse := helpdesk.Registration{Email: "Nina.Nurse@Northwind.Example", Name: "Nina Nurse"}
		assertNoUser := func(t *testing.T, email string) {
			t.Helper()
			_, err := f.store.GetUserByEmail(ctx, tid, email)
			assert.ErrorIs(t, err, storage.ErrNotFound, "no user %s", email)
		}

		t.Run("SetSignupDomains", func(t *testing.T) {
			c, err := f.desk.SetSignupDomains(ctx, f.admin, f.custX.ID, []string{" Northwind.Example ", "northwind.example", "nw-hospital.example"})
			require.NoError(t, err)
			assert.Equal(t, []string{"northwind.example", "nw-hospital.example"}, c.SignupDomains, "lower-cased, once each")
			got, err := f.desk.Customer(ctx, f.admin, f.custX.ID)
			require.NoError(t, err)
			assert.Equal(t, c.SignupDomains, got.SignupDomains)
		})
		t.Run("SetSignupDomains refuses", func(t *testing.T) {
			for _, dom := range []string{"", "northwind", "not a domain", "@northwind.example", "nina@northwind.example",
				"northwind..example", "-northwind.example", "northwind.example/", "northwind.123", "https://northwind.example"} {
				_, err := f.desk.SetSignupDomains(ctx, f.admin, f.custY.ID, []string{"contoso.example", dom})
				assertField(t, err, "domains[1]")
			}
			_, err := f.desk.SetSignupDomains(ctx, f.admin, f.custY.ID, []string{"contoso.example", "NORTHWIND.example"})
			assertField(t, err, "domains")
			assert.Contains(t, err.Error(), f.custX.Name, "names the customer that holds the domain")
			for name, a := range map[string]tenant.Actor{"agent": f.agent, "supervisor": f.supervisor, "customer_admin": f.userY} {
				_, err := f.desk.SetSignupDomains(ctx, a, f.custY.ID, []string{"contoso.example"})
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, name)
			}
			_, err = f.desk.SetSignupDomains(ctx, f.admin, uuid.New(), []string{"contoso.example"})
			assert.ErrorIs(t, err, storage.ErrNotFound)
			_, err = f.desk.SetSignupDomains(ctx, f.admin, other.custX.ID, []string{"contoso.example"})
			assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's customer")
			got, err := f.desk.Customer(ctx, f.admin, f.custY.ID)
			require.NoError(t, err)
			assert.Empty(t, got.SignupDomains, "refusals change nothing")
			c, err := f.desk.SetSignupDomains(ctx, other.admin, other.custX.ID, []string{"northwind.example"})
			require.NoError(t, err, "another tenant's customer may accept the same domain")
			assert.Equal(t, []string{"northwind.example"}, c.SignupDomains)
		})
		t.Run("closed while SelfRegistration is off", func(t *testing.T) {
			link, err := f.desk.Register(ctx, tid, nurse)
			assert.Nil(t, link)
			assert.ErrorIs(t, err, helpdesk.ErrRegistrationClosed)
			assert.Equal(t, helpdesk.KindForbidden, helpdesk.KindOf(err))
			assertNoUser(t, "nina.nurse@northwind.example")
		})
		t.Run("UpdateSettings is for admins", func(t *testing.T) {
			moderator := f.person(t, tid, uuid.Nil, tenant.RoleModerator, "Mo Moderator")
			for name, a := range map[string]tenant.Actor{"moderator": moderator, "agent": f.agent, "customer_admin": f.userY} {
				_, err := updateSettings(ctx, f.desk, a, tenant.Settings{SelfRegistration: true})
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, name)
			}
			ten, err := updateSettings(ctx, f.desk, f.admin, tenant.Settings{SelfRegistration: true})
			require.NoError(t, err)
			assert.True(t, ten.Settings.SelfRegistration)
			got, err := f.desk.Tenant(ctx, f.agent)
			require.NoError(t, err)
			assert.True(t, got.Settings.SelfRegistration)
		})
		t.Run("a domain no customer accepts", func(t *testing.T) {
			for _, email := range []string{"eve@evil.example", "nina@mail.northwind.example", "nina@northwind.example.evil"} {
				link, err := f.desk.Register(ctx, tid, helpdesk.Registration{Email: email, Name: "Eve"})
				assert.Nil(t, link, email)
				assert.ErrorIs(t, err, helpdesk.ErrRegistrationClosed, email)
				assertNoUser(t, email)
			}
		})
		t.Run("a registration creates an invited customer user", func(t *testing.T) {
			link, err := f.desk.Register(ctx, tid, nurse)
			require.NoError(t, err)
			assertLink(t, link, "http://localhost:8080", "/invitation/", f.clock.Now().Add(7*24*time.Hour))
			u, err := f.store.GetUserByEmail(ctx, tid, "nina.nurse@northwind.example")
			require.NoError(t, err)
			assert.Equal(t, f.custX.ID, u.CustomerID)
			assert.Equal(t, tenant.RoleCustomerUser, u.Role)
			assert.Equal(t, tenant.UserInvited, u.Status)
			assert.Equal(t, "Nina Nurse", u.Name)
			assert.Empty(t, u.PasswordHash)

			again, err := f.desk.Register(ctx, tid, helpdesk.Registration{Email: "NINA.NURSE@northwind.example", Name: "Nina Again"})
			assert.NoError(t, err, "an address with an account")
			assert.Nil(t, again)
			same := storedUser(t, f, tid, u.ID)
			assert.Equal(t, u.Version, same.Version, "the account is left alone")
			assert.Equal(t, "Nina Nurse", same.Name)

			in, err := f.desk.AcceptInvitation(ctx, link.Token, peoplePassword)
			require.NoError(t, err, "the first link was not voided by the second registration")
			assert.Equal(t, tenant.CustomerUser(tid, f.custX.ID, u.ID, tenant.RoleCustomerUser, "Nina Nurse"), in.Actor)

			again, err = f.desk.Register(ctx, tid, nurse)
			assert.NoError(t, err, "an active account")
			assert.Nil(t, again)
			existing, err := f.desk.Register(ctx, tid, helpdesk.Registration{Email: storedUser(t, f, tid, f.userX.UserID).Email, Name: "X"})
			assert.ErrorIs(t, err, helpdesk.ErrRegistrationClosed, "example.com is no signup domain")
			assert.Nil(t, existing)
		})
		t.Run("a second domain of the same customer", func(t *testing.T) {
			link, err := f.desk.Register(ctx, tid, helpdesk.Registration{Email: "olaf@nw-hospital.example", Name: "Olaf"})
			require.NoError(t, err)
			require.NotNil(t, link)
			u, err := f.store.GetUserByEmail(ctx, tid, "olaf@nw-hospital.example")
			require.NoError(t, err)
			assert.Equal(t, f.custX.ID, u.CustomerID)
		})
		t.Run("validation", func(t *testing.T) {
			for name, c := range map[string]struct {
				in    helpdesk.Registration
				field string
			}{
				"no e-mail address":  {helpdesk.Registration{Name: "N"}, "email"},
				"a bad address":      {helpdesk.Registration{Email: "nina at northwind.example", Name: "N"}, "email"},
				"no name":            {helpdesk.Registration{Email: "noname@northwind.example"}, "name"},
				"a bad phone number": {helpdesk.Registration{Email: "phone@northwind.example", Name: "N", Phone: "call me"}, "phone"},
			} {
				link, err := f.desk.Register(ctx, tid, c.in)
				assert.Nil(t, link, name)
				assertField(t, err, c.field)
			}
			_, err := f.desk.Register(ctx, uuid.New(), helpdesk.Registration{Email: "x@northwind.example", Name: "X"})
			assert.ErrorIs(t, err, storage.ErrNotFound, "an unknown tenant")
		})
		t.Run("clearing the domains closes registration for them", func(t *testing.T) {
			_, err := f.desk.SetSignupDomains(ctx, f.admin, f.custX.ID, nil)
			require.NoError(t, err)
			_, err = f.desk.Register(ctx, tid, helpdesk.Registration{Email: "late@northwind.example", Name: "Late"})
			assert.ErrorIs(t, err, helpdesk.ErrRegistrationClosed)
			assertNoUser(t, "late@northwind.example")
			_, err = f.desk.SetSignupDomains(ctx, f.admin, f.custY.ID, []string{"northwind.example"})
			require.NoError(t, err, "a cleared domain is free for another customer")
		})
		t.Run("switching SelfRegistration off closes it", func(t *testing.T) {
			_, err := updateSettings(ctx, f.desk, f.admin, tenant.Settings{})
			require.NoError(t, err)
			_, err = f.desk.Register(ctx, tid, helpdesk.Registration{Email: "later@northwind.example", Name: "Later"})
			assert.ErrorIs(t, err, helpdesk.ErrRegistrationClosed)
			assertNoUser(t, "later@northwind.example")
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Share login

func TestShareLogin(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()

		t.Run("the link", func(t *testing.T) {
			link, err := f.desk.ShareLogin(ctx, f.agent)
			require.NoError(t, err)
			assertLink(t, link, "http://localhost:8080", "/share-login/", f.clock.Now().Add(2*time.Minute))
			assert.False(t, link.ExpiresAt.After(f.clock.Now().Add(5*time.Minute)), "at most 5 minutes")
			ut, err := f.store.GetUserToken(ctx, secret.Hash(link.Token))
			require.NoError(t, err)
			assert.Equal(t, tenant.PurposeShareLogin, ut.Purpose)
			_, err = f.store.GetUserToken(ctx, link.Token)
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
		t.Run("redeeming signs in on a new session, once", func(t *testing.T) {
			u := withPassword(t, f.desk, f, "Phil")
			desktop, err := f.desk.SignIn(ctx, f.tenant.ID, u.Email, peoplePassword)
			require.NoError(t, err)
			link, err := f.desk.ShareLogin(ctx, desktop.Actor)
			require.NoError(t, err)
			phone, err := f.desk.RedeemShareLogin(ctx, link.Token)
			require.NoError(t, err)
			assert.Equal(t, u.ID, phone.User.ID)
			assert.Equal(t, desktop.Actor, phone.Actor)
			assert.NotEqual(t, desktop.Token, phone.Token)
			assertSignedIn(t, f.desk, desktop.Token, desktop.Actor, "the first device stays signed in")
			assertSignedIn(t, f.desk, phone.Token, desktop.Actor)

			again, err := f.desk.RedeemShareLogin(ctx, link.Token)
			assert.Nil(t, again)
			assertInvalidLink(t, err, "a second use")
		})
		t.Run("customer users share their login too", func(t *testing.T) {
			in := sessionOf(t, f.desk, f.userX)
			assert.Equal(t, f.userX, in.Actor)
			assertSignedIn(t, f.desk, in.Token, f.userX)
		})
		t.Run("a link expires after ShareLoginTTL", func(t *testing.T) {
			early, err := f.desk.ShareLogin(ctx, f.agent)
			require.NoError(t, err)
			f.clock.Advance(2*time.Minute - time.Second)
			_, err = f.desk.RedeemShareLogin(ctx, early.Token)
			require.NoError(t, err, "a second before it expires")
			late, err := f.desk.ShareLogin(ctx, f.agent)
			require.NoError(t, err)
			f.clock.Advance(2 * time.Minute)
			in, err := f.desk.RedeemShareLogin(ctx, late.Token)
			assert.Nil(t, in)
			assertInvalidLink(t, err, "at ExpiresAt")
		})
		t.Run("a new link voids the earlier one", func(t *testing.T) {
			first, err := f.desk.ShareLogin(ctx, f.agent)
			require.NoError(t, err)
			second, err := f.desk.ShareLogin(ctx, f.agent)
			require.NoError(t, err)
			_, err = f.desk.RedeemShareLogin(ctx, first.Token)
			assertInvalidLink(t, err)
			_, err = f.desk.RedeemShareLogin(ctx, second.Token)
			assert.NoError(t, err)
		})
		t.Run("ShareLoginTTL is at most 5 minutes", func(t *testing.T) {
			d, err := helpdesk.New(s, &helpdesk.Config{Now: f.clock.Now, ShareLoginTTL: 6 * time.Minute})
			assert.Error(t, err)
			assert.Nil(t, d)
			d, err = helpdesk.New(s, &helpdesk.Config{Now: f.clock.Now, ShareLoginTTL: -time.Minute})
			assert.Error(t, err)
			assert.Nil(t, d)
			d = deskOn(t, f, helpdesk.Config{ShareLoginTTL: 5 * time.Minute})
			link, err := d.ShareLogin(ctx, f.agent)
			require.NoError(t, err)
			assert.True(t, f.clock.Now().Add(5*time.Minute).Equal(link.ExpiresAt))
		})
		t.Run("public requesters and the system have no login to share", func(t *testing.T) {
			tk := portalTicket(t, f, "x")
			for name, a := range map[string]tenant.Actor{"code holder": f.holder, "requester link": f.link(t, tk), "system": f.system} {
				link, err := f.desk.ShareLogin(ctx, a)
				assert.Nil(t, link, name)
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, name)
			}
		})
		t.Run("tokens that are no share-login link", func(t *testing.T) {
			_, invitation := invite(t, f.desk, f, uuid.Nil)
			for name, token := range map[string]string{"empty": "", "random": secret.NewToken(), "an invitation": invitation.Token} {
				in, err := f.desk.RedeemShareLogin(ctx, token)
				assert.Nil(t, in, name)
				assertInvalidLink(t, err, name)
			}
		})
	})
}

// ---------------------------------------------------------------------------------------------
// The public access limit of requester links

func TestSessionRequesterLinkLimit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		const day = 24 * time.Hour
		// expiresAfter checks that tk's requester link works until closed+limit, and not from then.
		expiresAfter := func(t *testing.T, tk *ticket.Ticket, limit time.Duration) {
			t.Helper()
			link := f.link(t, tk)
			closed := f.reload(t, tk.ID).ClosedAt
			require.NotNil(t, closed)
			f.clock.Advance(closed.Add(limit).Sub(f.clock.Now()) - time.Second)
			_, err := f.desk.OpenRequesterLink(ctx, f.tokens[tk.ID])
			require.NoError(t, err, "a second before the limit")
			_, err = f.desk.Ticket(ctx, link, tk.ID)
			require.NoError(t, err, "a second before the limit")
			f.clock.Advance(time.Second)
			page, err := f.desk.OpenRequesterLink(ctx, f.tokens[tk.ID])
			assert.Nil(t, page)
			assertInvalidLink(t, err, "OpenRequesterLink at the limit")
			got, err := f.desk.Ticket(ctx, link, tk.ID)
			assert.Nil(t, got)
			assertInvalidLink(t, err, "Ticket at the limit")
			got, err = f.desk.TicketByRef(ctx, link, tk.Ref())
			assert.Nil(t, got)
			assertInvalidLink(t, err, "TicketByRef at the limit")
			_, err = f.desk.Ticket(ctx, f.agent, tk.ID)
			assert.NoError(t, err, "staff still see the ticket")
		}

		t.Run("30 days after closing by default", func(t *testing.T) {
			expiresAfter(t, f.ticketIn(t, ticket.StateClosed), 30*day)
		})
		t.Run("a customer user's ticket", func(t *testing.T) {
			expiresAfter(t, f.ticketBy(t, f.userX, ticket.StateClosed), 30*day)
		})
		t.Run("a cancelled ticket", func(t *testing.T) {
			expiresAfter(t, f.ticketBy(t, f.userX, ticket.StateCancelled), 30*day)
		})
		t.Run("an open ticket's link keeps working", func(t *testing.T) {
			open := portalTicket(t, f, "still open")
			f.clock.Advance(400 * day)
			page, err := f.desk.OpenRequesterLink(ctx, f.tokens[open.ID])
			require.NoError(t, err)
			assert.Equal(t, open.ID, page.Ticket.ID)
		})
		t.Run("PublicAccessDays shortens it", func(t *testing.T) {
			ten, err := updateSettings(ctx, f.desk, f.admin, tenant.Settings{PublicAccessDays: 2})
			require.NoError(t, err)
			assert.Equal(t, 2, ten.Settings.PublicAccessDays)
			expiresAfter(t, f.ticketBy(t, f.userX, ticket.StateClosed), 2*day)
		})
		t.Run("PublicAccessDays applies to tickets closed before the change", func(t *testing.T) {
			_, err := updateSettings(ctx, f.desk, f.admin, tenant.Settings{})
			require.NoError(t, err)
			tk := f.ticketBy(t, f.userX, ticket.StateClosed)
			f.clock.Advance(3 * day)
			_, err = f.desk.OpenRequesterLink(ctx, f.tokens[tk.ID])
			require.NoError(t, err, "within the default 30 days")
			_, err = updateSettings(ctx, f.desk, f.admin, tenant.Settings{PublicAccessDays: 2})
			require.NoError(t, err)
			_, err = f.desk.OpenRequesterLink(ctx, f.tokens[tk.ID])
			assertInvalidLink(t, err, "beyond the new 2 days")
		})
		t.Run("PublicAccessDays validation", func(t *testing.T) {
			for _, days := range []int{-1, 3651} {
				_, err := updateSettings(ctx, f.desk, f.admin, tenant.Settings{PublicAccessDays: days})
				assertField(t, err, "public_access_days")
			}
			_, err := updateSettings(ctx, f.desk, f.system, tenant.Settings{PublicAccessDays: 3650})
			assert.NoError(t, err, "the system may, up to 10 years")
		})
	})
}
