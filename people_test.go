package helpdesk_test

import (
	"encoding/base64"
	"fmt"
	"strings"
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

// ---------------------------------------------------------------------------------------------
// Helpers for people and sign-in tests. Argon2id hashing costs tens of milliseconds per
// password, so these tests set few passwords: sessions for users without one come from
// sessionOf (share-login), which hashes nothing.

// peoplePassword is the password of the users these tests create with one.
const peoplePassword = "Correct1horse"

// addressFor returns a fresh e-mail address at example.com, its local part starting with name.
func addressFor(name string) string {
	return fmt.Sprintf("%s.%s@example.com", name, uuid.NewString()[:8])
}

// deskOn returns another Desk on the fixture's store and clock, configured by cfg.
func deskOn(t *testing.T, f *fixture, cfg helpdesk.Config) *helpdesk.Desk {
	t.Helper()
	cfg.Now = f.clock.Now
	d, err := helpdesk.New(f.store, &cfg)
	require.NoError(t, err)
	return d
}

// invite creates an invited user through d as f.admin: an agent, or with customerID a
// customer_user of that customer. It returns the user and the invitation link.
func invite(t *testing.T, d *helpdesk.Desk, f *fixture, customerID uuid.UUID) (*tenant.User, *helpdesk.OneTimeLink) {
	t.Helper()
	in := helpdesk.NewUser{Email: addressFor("invited"), Name: "Ivy Invited", Role: tenant.RoleAgent}
	if customerID != uuid.Nil {
		in.Role, in.CustomerID = tenant.RoleCustomerUser, customerID
	}
	u, link, err := d.CreateUser(t.Context(), f.admin, in)
	require.NoError(t, err)
	require.NotNil(t, link)
	return u, link
}

// withPassword creates an active agent through d as f.admin, with peoplePassword (one hash).
func withPassword(t *testing.T, d *helpdesk.Desk, f *fixture, name string) *tenant.User {
	t.Helper()
	u, link, err := d.CreateUser(t.Context(), f.admin, helpdesk.NewUser{Email: addressFor(strings.ToLower(name)),
		Name: name, Role: tenant.RoleAgent, Password: peoplePassword})
	require.NoError(t, err)
	require.Nil(t, link)
	return u
}

// sessionOf signs actor's user in on a new session through a share-login link, without
// hashing a password.
func sessionOf(t *testing.T, d *helpdesk.Desk, actor tenant.Actor) *helpdesk.SignedIn {
	t.Helper()
	link, err := d.ShareLogin(t.Context(), actor)
	require.NoError(t, err)
	in, err := d.RedeemShareLogin(t.Context(), link.Token)
	require.NoError(t, err)
	return in
}

// storedUser reads a user straight from the store.
func storedUser(t *testing.T, f *fixture, tenantID, id uuid.UUID) *tenant.User {
	t.Helper()
	u, err := f.store.GetUser(t.Context(), tenantID, id)
	require.NoError(t, err)
	return u
}

// listUserIDs lists every user actor may see with filter fl, two to a page.
func listUserIDs(t *testing.T, d *helpdesk.Desk, actor tenant.Actor, fl storage.UserFilter) []uuid.UUID {
	t.Helper()
	var out []uuid.UUID
	p := storage.PageRequest{Limit: 2}
	for range 100 {
		page, err := d.Users(t.Context(), actor, fl, p)
		require.NoError(t, err)
		for _, u := range page.Items {
			out = append(out, u.ID)
		}
		if page.Next == "" {
			return out
		}
		p.After = page.Next
	}
	t.Fatal("Users pages without end")
	return nil
}

// portalTicket opens a ticket as customer user X and keeps its requester-link secret for
// fixture.link.
func portalTicket(t *testing.T, f *fixture, title string) *ticket.Ticket {
	t.Helper()
	return f.open(t, f.userX, helpdesk.NewTicket{Title: title})
}

// assertLink checks a one-time link: a 256-bit base64url token, URL base+path+token, and
// ExpiresAt at expires.
func assertLink(t *testing.T, link *helpdesk.OneTimeLink, base, path string, expires time.Time) {
	t.Helper()
	if !assert.NotNil(t, link) {
		return
	}
	raw, err := base64.RawURLEncoding.DecodeString(link.Token)
	if assert.NoError(t, err, "token %q is base64url without padding", link.Token) {
		assert.Len(t, raw, 32, "at least 128 bits of entropy: 32 random bytes")
	}
	assert.Equal(t, base+path+link.Token, link.URL)
	assert.True(t, expires.Equal(link.ExpiresAt), "ExpiresAt: want %s, got %s", expires, link.ExpiresAt)
}

// assertInvalidLink checks that err is ErrInvalidLink, classified unauthenticated.
func assertInvalidLink(t *testing.T, err error, msgAndArgs ...any) {
	t.Helper()
	assert.ErrorIs(t, err, helpdesk.ErrInvalidLink, msgAndArgs...)
	assert.Equal(t, helpdesk.KindUnauthenticated, helpdesk.KindOf(err), msgAndArgs...)
}

// ---------------------------------------------------------------------------------------------
// Creating users

func TestPeopleCreateUser(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		moderator := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleModerator, "Mo Moderator")
		other := f.addTenant(t, "Beta Service", "B")

		t.Run("an invited user gets a one-time link", func(t *testing.T) {
			d := deskOn(t, f, helpdesk.Config{BaseURL: "https://desk.example/support/"})
			u, link, err := d.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: "  Ivy.Invited@Example.COM ", Name: " Ivy Invited ",
				Phone: "+49 30 1234567", Language: "de", Role: tenant.RoleAgent})
			require.NoError(t, err)
			assert.Equal(t, "ivy.invited@example.com", u.Email, "trimmed and lower-cased")
			assert.Equal(t, "Ivy Invited", u.Name)
			assert.Equal(t, f.tenant.ID, u.TenantID)
			assert.Equal(t, uuid.Nil, u.CustomerID)
			assert.Equal(t, tenant.RoleAgent, u.Role)
			assert.Equal(t, tenant.UserInvited, u.Status)
			assert.Empty(t, u.PasswordHash)
			assertLink(t, link, "https://desk.example/support", "/invitation/", f.clock.Now().Add(7*24*time.Hour))

			got := storedUser(t, f, f.tenant.ID, u.ID)
			assert.Equal(t, tenant.UserInvited, got.Status)
			assert.Equal(t, "ivy.invited@example.com", got.Email)
			assert.Equal(t, "de", got.Language)

			_, err = f.store.GetUserToken(ctx, link.Token)
			assert.ErrorIs(t, err, storage.ErrNotFound, "the raw token is not stored")
			ut, err := f.store.GetUserToken(ctx, secret.Hash(link.Token))
			require.NoError(t, err, "the token's hash is stored")
			assert.Equal(t, u.ID, ut.UserID)
			assert.Equal(t, f.tenant.ID, ut.TenantID)
			assert.Equal(t, tenant.PurposeInvitation, ut.Purpose)
			assert.NotEqual(t, link.Token, ut.Hash)
			assert.Nil(t, ut.UsedAt)
			assert.True(t, link.ExpiresAt.Equal(ut.ExpiresAt))
		})
		t.Run("every invitation has its own token", func(t *testing.T) {
			_, l1 := invite(t, f.desk, f, uuid.Nil)
			_, l2 := invite(t, f.desk, f, f.custX.ID)
			assert.NotEqual(t, l1.Token, l2.Token)
			assert.True(t, strings.HasPrefix(l1.URL, "http://localhost:8080/invitation/"), "the default BaseURL: %s", l1.URL)
		})
		t.Run("an admin-set password makes the user active", func(t *testing.T) {
			email := addressFor("set")
			u, link, err := f.desk.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: email, Name: "Sid Set",
				Role: tenant.RoleSupervisor, Password: peoplePassword})
			require.NoError(t, err)
			assert.Nil(t, link, "no invitation for a user with a password")
			assert.Equal(t, tenant.UserActive, u.Status)
			got := storedUser(t, f, f.tenant.ID, u.ID)
			assert.Equal(t, tenant.UserActive, got.Status)
			assert.Contains(t, got.PasswordHash, "m=19456,t=2,p=1")
			assert.NotContains(t, got.PasswordHash, peoplePassword)
			in, err := f.desk.SignIn(ctx, f.tenant.ID, email, peoplePassword)
			require.NoError(t, err)
			assert.Equal(t, u.ID, in.User.ID)
		})
		t.Run("a weak password names every broken rule", func(t *testing.T) {
			email := addressFor("weak")
			u, link, err := f.desk.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: email, Name: "Wes Weak",
				Role: tenant.RoleAgent, Password: "abc"})
			assert.Nil(t, u)
			assert.Nil(t, link)
			assertField(t, err, "password")
			assert.ErrorIs(t, err, tenant.ErrWeakPassword)
			for _, rule := range []string{"at least 8 characters", "an upper-case letter", "a digit"} {
				assert.Contains(t, err.Error(), rule)
			}
			assert.NotContains(t, err.Error(), "a lower-case letter", "a rule that holds is not named")
			_, err = f.store.GetUserByEmail(ctx, f.tenant.ID, email)
			assert.ErrorIs(t, err, storage.ErrNotFound, "nothing stored")
		})
		t.Run("an e-mail address is taken once per tenant, in any case", func(t *testing.T) {
			email := addressFor("dup")
			_, _, err := f.desk.CreateUser(ctx, f.admin, helpdesk.NewUser{Email: email, Name: "Dee Dup", Role: tenant.RoleAgent})
			require.NoError(t, err)
			for name, in := range map[string]helpdesk.NewUser{
				"same address":       {Email: email, Name: "Dee Again", Role: tenant.RoleAgent},
				"upper-case address": {Email: strings.ToUpper(email), Name: "Dee Again", Role: tenant.RoleAgent},
				"as a customer user": {Email: " " + email + " ", Name: "Dee Customer", Role: tenant.RoleCustomerUser, CustomerID: f.custX.ID},
			} {
				u, link, err := f.desk.CreateUser(ctx, f.admin, in)
				assert.Nil(t, u, name)
				assert.Nil(t, link, name)
				assert.ErrorIs(t, err, storage.ErrConflict, name)
				assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err), name)
			}
			u, _, err := f.desk.CreateUser(ctx, other.admin, helpdesk.NewUser{Email: email, Name: "Dee Elsewhere", Role: tenant.RoleAgent})
			require.NoError(t, err, "another tenant may have the same address")
			assert.Equal(t, other.tenant.ID, u.TenantID)
		})
		t.Run("validation", func(t *testing.T) {
			cases := []struct {
				name  string
				in    helpdesk.NewUser
				field string
			}{
				{"no e-mail address", helpdesk.NewUser{Name: "N", Role: tenant.RoleAgent}, "email"},
				{"not an e-mail address", helpdesk.NewUser{Email: "nina", Name: "N", Role: tenant.RoleAgent}, "email"},
				{"an address with a display name", helpdesk.NewUser{Email: "Nina <nina@example.com>", Name: "N", Role: tenant.RoleAgent}, "email"},
				{"no name", helpdesk.NewUser{Email: addressFor("x"), Name: "  ", Role: tenant.RoleAgent}, "name"},
				{"a bad phone number", helpdesk.NewUser{Email: addressFor("x"), Name: "N", Phone: "call me", Role: tenant.RoleAgent}, "phone"},
				{"a bad language", helpdesk.NewUser{Email: addressFor("x"), Name: "N", Language: "German", Role: tenant.RoleAgent}, "language"},
				{"no role", helpdesk.NewUser{Email: addressFor("x"), Name: "N"}, "role"},
				{"an unknown role", helpdesk.NewUser{Email: addressFor("x"), Name: "N", Role: "owner"}, "role"},
				{"an employee role with a customer", helpdesk.NewUser{Email: addressFor("x"), Name: "N", Role: tenant.RoleAgent, CustomerID: f.custX.ID}, "role"},
				{"an admin with a customer", helpdesk.NewUser{Email: addressFor("x"), Name: "N", Role: tenant.RoleAdmin, CustomerID: f.custX.ID}, "role"},
				{"a customer_user without a customer", helpdesk.NewUser{Email: addressFor("x"), Name: "N", Role: tenant.RoleCustomerUser}, "customer_id"},
				{"a customer_admin without a customer", helpdesk.NewUser{Email: addressFor("x"), Name: "N", Role: tenant.RoleCustomerAdmin}, "customer_id"},
				{"a password without a digit", helpdesk.NewUser{Email: addressFor("x"), Name: "N", Role: tenant.RoleAgent, Password: "Correcthorse"}, "password"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					u, link, err := f.desk.CreateUser(ctx, f.admin, c.in)
					assert.Nil(t, u)
					assert.Nil(t, link)
					assertField(t, err, c.field)
				})
			}
		})
		t.Run("who may add whom", func(t *testing.T) {
			employee := func(r tenant.Role) helpdesk.NewUser {
				return helpdesk.NewUser{Name: "New Employee", Role: r}
			}
			customerUser := func(r tenant.Role, c uuid.UUID) helpdesk.NewUser {
				return helpdesk.NewUser{Name: "New Customer", Role: r, CustomerID: c}
			}
			cases := []struct {
				name  string
				actor tenant.Actor
				in    helpdesk.NewUser
				want  error // nil: allowed
			}{
				{"admin adds an agent", f.admin, employee(tenant.RoleAgent), nil},
				{"admin adds an admin", f.admin, employee(tenant.RoleAdmin), nil},
				{"admin adds a customer_admin", f.admin, customerUser(tenant.RoleCustomerAdmin, f.custX.ID), nil},
				{"system adds a moderator", f.system, employee(tenant.RoleModerator), nil},
				{"system adds a customer_user", f.system, customerUser(tenant.RoleCustomerUser, f.custY.ID), nil},
				{"moderator adds an agent", moderator, employee(tenant.RoleAgent), helpdesk.ErrForbidden},
				{"moderator adds an admin", moderator, employee(tenant.RoleAdmin), helpdesk.ErrForbidden},
				{"moderator adds a customer_user", moderator, customerUser(tenant.RoleCustomerUser, f.custX.ID), nil},
				{"moderator adds a customer_admin", moderator, customerUser(tenant.RoleCustomerAdmin, f.custY.ID), nil},
				{"supervisor adds an agent", f.supervisor, employee(tenant.RoleAgent), helpdesk.ErrForbidden},
				{"supervisor adds a customer_user", f.supervisor, customerUser(tenant.RoleCustomerUser, f.custX.ID), helpdesk.ErrForbidden},
				{"agent adds an agent", f.agent, employee(tenant.RoleAgent), helpdesk.ErrForbidden},
				{"agent adds a customer_user", f.agent, customerUser(tenant.RoleCustomerUser, f.custX.ID), helpdesk.ErrForbidden},
				{"customer_admin adds a user of their customer", f.userY, customerUser(tenant.RoleCustomerUser, f.custY.ID), nil},
				{"customer_admin adds a customer_admin of their customer", f.userY, customerUser(tenant.RoleCustomerAdmin, f.custY.ID), nil},
				{"customer_admin adds a user of another customer", f.userY, customerUser(tenant.RoleCustomerUser, f.custX.ID), storage.ErrNotFound},
				{"customer_admin adds an agent", f.userY, employee(tenant.RoleAgent), helpdesk.ErrForbidden},
				{"customer_user adds a user of their customer", f.userX, customerUser(tenant.RoleCustomerUser, f.custX.ID), helpdesk.ErrForbidden},
				{"code holder adds a customer_user", f.holder, customerUser(tenant.RoleCustomerUser, f.custX.ID), helpdesk.ErrForbidden},
				{"admin adds a user of an unknown customer", f.admin, customerUser(tenant.RoleCustomerUser, uuid.New()), storage.ErrNotFound},
				{"another tenant's admin adds a user of this tenant's customer", other.admin, customerUser(tenant.RoleCustomerUser, f.custX.ID), storage.ErrNotFound},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					c.in.Email = addressFor("who")
					u, link, err := f.desk.CreateUser(ctx, c.actor, c.in)
					if c.want != nil {
						assert.ErrorIs(t, err, c.want)
						assert.Nil(t, u)
						assert.Nil(t, link)
						_, err := f.store.GetUserByEmail(ctx, c.actor.TenantID, c.in.Email)
						assert.ErrorIs(t, err, storage.ErrNotFound, "nothing stored")
						return
					}
					require.NoError(t, err)
					assert.Equal(t, c.actor.TenantID, u.TenantID)
					assert.Equal(t, c.in.Role, u.Role)
					assert.Equal(t, c.in.CustomerID, u.CustomerID)
					assert.Equal(t, tenant.UserInvited, u.Status)
					assert.NotNil(t, link)
					got, err := f.desk.User(ctx, c.actor, u.ID)
					require.NoError(t, err, "the creator sees the new user")
					assert.Equal(t, u.Email, got.Email)
				})
			}
		})
		t.Run("ResendInvitation is for invited users", func(t *testing.T) {
			_, err := f.desk.ResendInvitation(ctx, f.admin, f.agent.UserID)
			assertField(t, err, "user")
			u, _ := invite(t, f.desk, f, f.custY.ID)
			link, err := f.desk.ResendInvitation(ctx, f.userY, u.ID)
			require.NoError(t, err, "a customer_admin re-invites their customer's users")
			assertLink(t, link, "http://localhost:8080", "/invitation/", f.clock.Now().Add(7*24*time.Hour))
			_, err = f.desk.ResendInvitation(ctx, f.agent, u.ID)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			_, err = f.desk.ResendInvitation(ctx, moderator, f.agent.UserID)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden, "moderators do not manage employees")
			x, _ := invite(t, f.desk, f, f.custX.ID)
			_, err = f.desk.ResendInvitation(ctx, f.userY, x.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound, "another customer's user")
			_, err = f.desk.ResendInvitation(ctx, f.admin, uuid.New())
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Listing and reading users

func TestPeopleUsers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		other := f.addTenant(t, "Beta Service", "B")
		userX2 := f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerAdmin, "Xavier Customer")
		userY2 := f.person(t, f.tenant.ID, f.custY.ID, tenant.RoleCustomerUser, "Yola Customer")
		invited, _ := invite(t, f.desk, f, f.custY.ID)
		employees := []uuid.UUID{f.admin.UserID, f.supervisor.UserID, f.agent.UserID, f.agent2.UserID}
		ofX := []uuid.UUID{f.userX.UserID, userX2.UserID}
		ofY := []uuid.UUID{f.userY.UserID, userY2.UserID, invited.ID}
		all := append(append(append([]uuid.UUID{}, employees...), ofX...), ofY...)

		t.Run("staff see every user of the tenant", func(t *testing.T) {
			for name, a := range map[string]tenant.Actor{"admin": f.admin, "supervisor": f.supervisor, "agent": f.agent, "system": f.system} {
				assert.ElementsMatch(t, all, listUserIDs(t, f.desk, a, storage.UserFilter{}), name)
			}
			assert.NotContains(t, listUserIDs(t, f.desk, other.admin, storage.UserFilter{}), f.agent.UserID, "another tenant's")
		})
		t.Run("filters", func(t *testing.T) {
			cases := []struct {
				name string
				fl   storage.UserFilter
				want []uuid.UUID
			}{
				{"employees", storage.UserFilter{Employees: true}, employees},
				{"one customer", storage.UserFilter{CustomerID: f.custX.ID}, ofX},
				{"a role", storage.UserFilter{Role: tenant.RoleAgent}, []uuid.UUID{f.agent.UserID, f.agent2.UserID}},
				{"a status", storage.UserFilter{Status: tenant.UserInvited}, []uuid.UUID{invited.ID}},
				{"a name, in any case", storage.UserFilter{Text: " xena "}, []uuid.UUID{f.userX.UserID}},
				{"customer and role", storage.UserFilter{CustomerID: f.custY.ID, Role: tenant.RoleCustomerUser}, []uuid.UUID{userY2.UserID, invited.ID}},
				{"an unknown customer", storage.UserFilter{CustomerID: uuid.New()}, nil},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					assert.ElementsMatch(t, c.want, listUserIDs(t, f.desk, f.admin, c.fl))
				})
			}
		})
		t.Run("a customer_admin sees their customer's users only", func(t *testing.T) {
			assert.ElementsMatch(t, ofY, listUserIDs(t, f.desk, f.userY, storage.UserFilter{}))
			assert.ElementsMatch(t, ofY, listUserIDs(t, f.desk, f.userY, storage.UserFilter{CustomerID: f.custY.ID}))
			assert.Empty(t, listUserIDs(t, f.desk, f.userY, storage.UserFilter{CustomerID: f.custX.ID}), "another customer's")
			assert.Empty(t, listUserIDs(t, f.desk, f.userY, storage.UserFilter{Employees: true}), "employees")
			assert.Empty(t, listUserIDs(t, f.desk, f.userY, storage.UserFilter{Role: tenant.RoleAgent}))
		})
		t.Run("who may not list", func(t *testing.T) {
			tk := portalTicket(t, f, "to get a requester link")
			for name, a := range map[string]tenant.Actor{"customer_user": f.userX, "code holder": f.holder, "requester link": f.link(t, tk)} {
				page, err := f.desk.Users(ctx, a, storage.UserFilter{}, storage.PageRequest{})
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, name)
				assert.Empty(t, page.Items, name)
			}
		})
		t.Run("a bad cursor", func(t *testing.T) {
			_, err := f.desk.Users(ctx, f.admin, storage.UserFilter{}, storage.PageRequest{After: "not a cursor"})
			assert.ErrorIs(t, err, storage.ErrInvalidCursor)
		})
		t.Run("reading one user", func(t *testing.T) {
			cases := []struct {
				name   string
				actor  tenant.Actor
				target uuid.UUID
				want   error
			}{
				{"agent reads a customer user", f.agent, f.userX.UserID, nil},
				{"agent reads an admin", f.agent, f.admin.UserID, nil},
				{"customer_user reads themself", f.userX, f.userX.UserID, nil},
				{"customer_user reads a colleague", f.userX, userX2.UserID, nil},
				{"customer_admin reads their user", f.userY, userY2.UserID, nil},
				{"customer_admin reads another customer's user", f.userY, f.userX.UserID, storage.ErrNotFound},
				{"customer_user reads an employee", f.userX, f.agent.UserID, storage.ErrNotFound},
				{"another tenant's admin", other.admin, f.agent.UserID, storage.ErrNotFound},
				{"an unknown user", f.admin, uuid.New(), storage.ErrNotFound},
				{"code holder", f.holder, f.userX.UserID, storage.ErrNotFound},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					u, err := f.desk.User(ctx, c.actor, c.target)
					if c.want != nil {
						assert.ErrorIs(t, err, c.want)
						assert.Nil(t, u)
						return
					}
					require.NoError(t, err)
					assert.Equal(t, c.target, u.ID)
				})
			}
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Changing users

func TestPeopleUpdateUser(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		moderator := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleModerator, "Mo Moderator")

		t.Run("users change their own name, phone and language", func(t *testing.T) {
			for name, self := range map[string]tenant.Actor{
				"an agent":        f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleAgent, "Pat Agent"),
				"a customer_user": f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerUser, "Pia Customer"),
			} {
				u, err := f.desk.UpdateUser(ctx, self, self.UserID, helpdesk.UserEdit{
					Name: ptr(" Pat Q. Person "), Phone: ptr("+49 30 1234567"), Language: ptr("de-AT")})
				require.NoError(t, err, name)
				assert.Equal(t, "Pat Q. Person", u.Name, name)
				got := storedUser(t, f, f.tenant.ID, self.UserID)
				assert.Equal(t, "Pat Q. Person", got.Name, name)
				assert.Equal(t, "+49 30 1234567", got.Phone, name)
				assert.Equal(t, "de-AT", got.Language, name)
				assert.Equal(t, self.Role, got.Role, name)
			}
		})
		t.Run("users do not change their own role", func(t *testing.T) {
			for name, self := range map[string]tenant.Actor{"an agent": f.agent, "an admin": f.admin, "a customer_admin": f.userY} {
				for _, r := range []tenant.Role{tenant.RoleAdmin, self.Role} {
					u, err := f.desk.UpdateUser(ctx, self, self.UserID, helpdesk.UserEdit{Role: &r, Name: ptr("Renamed")})
					assert.Nil(t, u, name)
					assertField(t, err, "role")
				}
				got := storedUser(t, f, f.tenant.ID, self.UserID)
				assert.Equal(t, self.Role, got.Role, name)
				assert.Equal(t, self.Name, got.Name, "%s: nothing changed", name)
			}
		})
		t.Run("an admin changes an agent's role", func(t *testing.T) {
			a := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleAgent, "Rory Agent")
			session := sessionOf(t, f.desk, a)
			u, err := f.desk.UpdateUser(ctx, f.admin, a.UserID, helpdesk.UserEdit{Role: ptr(tenant.RoleSupervisor)})
			require.NoError(t, err)
			assert.Equal(t, tenant.RoleSupervisor, u.Role)
			assert.Equal(t, tenant.RoleSupervisor, storedUser(t, f, f.tenant.ID, a.UserID).Role)
			now, err := f.desk.Authenticate(ctx, session.Token)
			require.NoError(t, err)
			assert.Equal(t, tenant.RoleSupervisor, now.Role, "the new role holds from the next request on")
		})
		t.Run("a role stays within its kind", func(t *testing.T) {
			cases := []struct {
				name   string
				target uuid.UUID
				role   tenant.Role
			}{
				{"employee to customer_user", f.agent2.UserID, tenant.RoleCustomerUser},
				{"employee to customer_admin", f.agent2.UserID, tenant.RoleCustomerAdmin},
				{"customer user to agent", f.userX.UserID, tenant.RoleAgent},
				{"customer user to admin", f.userX.UserID, tenant.RoleAdmin},
				{"an unknown role", f.agent2.UserID, "owner"},
				{"no role", f.agent2.UserID, ""},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before := storedUser(t, f, f.tenant.ID, c.target)
					u, err := f.desk.UpdateUser(ctx, f.admin, c.target, helpdesk.UserEdit{Role: &c.role})
					assert.Nil(t, u)
					assertField(t, err, "role")
					assert.Equal(t, before.Role, storedUser(t, f, f.tenant.ID, c.target).Role)
				})
			}
		})
		t.Run("who may change whom", func(t *testing.T) {
			custY := f.person(t, f.tenant.ID, f.custY.ID, tenant.RoleCustomerUser, "Yves Customer")
			cases := []struct {
				name   string
				actor  tenant.Actor
				target uuid.UUID
				want   error
			}{
				{"admin renames an agent", f.admin, f.agent2.UserID, nil},
				{"system renames a customer user", f.system, f.userX.UserID, nil},
				{"moderator renames a customer user", moderator, custY.UserID, nil},
				{"moderator renames an agent", moderator, f.agent2.UserID, helpdesk.ErrForbidden},
				{"supervisor renames an agent", f.supervisor, f.agent2.UserID, helpdesk.ErrForbidden},
				{"agent renames another agent", f.agent, f.agent2.UserID, helpdesk.ErrForbidden},
				{"agent renames a customer user", f.agent, f.userX.UserID, helpdesk.ErrForbidden},
				{"customer_admin renames their user", f.userY, custY.UserID, nil},
				{"customer_admin renames another customer's user", f.userY, f.userX.UserID, storage.ErrNotFound},
				{"customer_admin renames an agent", f.userY, f.agent2.UserID, storage.ErrNotFound},
				{"customer_user renames another customer's user", f.userX, custY.UserID, storage.ErrNotFound},
				{"admin renames an unknown user", f.admin, uuid.New(), storage.ErrNotFound},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					name := "Renamed by " + c.actor.Name
					u, err := f.desk.UpdateUser(ctx, c.actor, c.target, helpdesk.UserEdit{Name: &name})
					if c.want != nil {
						assert.ErrorIs(t, err, c.want)
						assert.Nil(t, u)
						return
					}
					require.NoError(t, err)
					assert.Equal(t, name, storedUser(t, f, f.tenant.ID, c.target).Name)
				})
			}
		})
		t.Run("a moderator promotes a customer user", func(t *testing.T) {
			c := f.person(t, f.tenant.ID, f.custX.ID, tenant.RoleCustomerUser, "Cleo Customer")
			u, err := f.desk.UpdateUser(ctx, moderator, c.UserID, helpdesk.UserEdit{Role: ptr(tenant.RoleCustomerAdmin)})
			require.NoError(t, err)
			assert.Equal(t, tenant.RoleCustomerAdmin, u.Role)
		})
		t.Run("validation", func(t *testing.T) {
			cases := []struct {
				name  string
				edit  helpdesk.UserEdit
				field string
			}{
				{"nothing to change", helpdesk.UserEdit{}, "edit"},
				{"an empty name", helpdesk.UserEdit{Name: ptr("  ")}, "name"},
				{"a bad phone number", helpdesk.UserEdit{Phone: ptr("call me")}, "phone"},
				{"a bad language", helpdesk.UserEdit{Language: ptr("German")}, "language"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					for who, a := range map[string]tenant.Actor{"self": f.agent, "admin": f.admin} {
						u, err := f.desk.UpdateUser(ctx, a, f.agent.UserID, c.edit)
						assert.Nil(t, u, who)
						assertField(t, err, c.field)
					}
				})
			}
		})
		t.Run("a team's supervisor keeps a role that leads", func(t *testing.T) {
			// CreateTeam and UpdateTeam refuse an agent as supervisor, and DeactivateUser a
			// team's supervisor; demoting the supervisor to agent must not leave the team led
			// by an agent either.
			sup := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleSupervisor, "Lea Lead")
			_, err := f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: "Lea's team", SupervisorID: sup.UserID})
			require.NoError(t, err)
			u, err := f.desk.UpdateUser(ctx, f.admin, sup.UserID, helpdesk.UserEdit{Role: ptr(tenant.RoleAgent)})
			assert.Nil(t, u)
			assertField(t, err, "role")
			assert.Equal(t, tenant.RoleSupervisor, storedUser(t, f, f.tenant.ID, sup.UserID).Role)
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Teams

func TestTeams(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		f := newFixture(t, s)
		ctx := t.Context()
		moderator := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleModerator, "Mo Moderator")
		other := f.addTenant(t, "Beta Service", "B")
		gone := f.person(t, f.tenant.ID, uuid.Nil, tenant.RoleSupervisor, "Gus Gone")
		_, err := f.desk.DeactivateUser(ctx, f.admin, gone.UserID)
		require.NoError(t, err)

		t.Run("who may create a team", func(t *testing.T) {
			for name, c := range map[string]struct {
				actor tenant.Actor
				want  error
			}{
				"admin":          {f.admin, nil},
				"moderator":      {moderator, nil},
				"system":         {f.system, nil},
				"supervisor":     {f.supervisor, helpdesk.ErrForbidden},
				"agent":          {f.agent, helpdesk.ErrForbidden},
				"customer_admin": {f.userY, helpdesk.ErrForbidden},
				"code holder":    {f.holder, helpdesk.ErrForbidden},
			} {
				team, err := f.desk.CreateTeam(ctx, c.actor, helpdesk.NewTeam{Name: "Team of " + name, SupervisorID: f.supervisor.UserID})
				if c.want != nil {
					assert.ErrorIs(t, err, c.want, name)
					assert.Nil(t, team, name)
					continue
				}
				require.NoError(t, err, name)
				assert.Equal(t, f.tenant.ID, team.TenantID, name)
			}
		})
		t.Run("the supervisor", func(t *testing.T) {
			cases := []struct {
				name  string
				sup   uuid.UUID
				want  error
				field string
			}{
				{"a supervisor", f.supervisor.UserID, nil, ""},
				{"an admin", f.admin.UserID, nil, ""},
				{"a moderator", moderator.UserID, nil, ""},
				{"none", uuid.Nil, helpdesk.ErrInvalid, "supervisor_id"},
				{"an agent", f.agent.UserID, helpdesk.ErrInvalid, "supervisor_id"},
				{"a customer_admin", f.userY.UserID, helpdesk.ErrInvalid, "supervisor_id"},
				{"a deactivated supervisor", gone.UserID, helpdesk.ErrInvalid, "supervisor_id"},
				{"an unknown user", uuid.New(), storage.ErrNotFound, ""},
				{"another tenant's supervisor", other.supervisor.UserID, storage.ErrNotFound, ""},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					team, err := f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: "Led by " + c.name, SupervisorID: c.sup})
					switch {
					case c.want == nil:
						require.NoError(t, err)
						assert.Equal(t, c.sup, team.SupervisorID)
					case c.field != "":
						assert.Nil(t, team)
						assertField(t, err, c.field)
					default:
						assert.Nil(t, team)
						assert.ErrorIs(t, err, c.want)
					}
				})
			}
		})
		t.Run("the members", func(t *testing.T) {
			cases := []struct {
				name    string
				members []uuid.UUID
				want    error
				field   string
			}{
				{"employees of every role", []uuid.UUID{f.agent.UserID, f.admin.UserID, moderator.UserID, f.supervisor.UserID}, nil, ""},
				{"none", nil, nil, ""},
				{"a customer user", []uuid.UUID{f.userX.UserID}, helpdesk.ErrInvalid, "members[0]"},
				{"a customer user second", []uuid.UUID{f.agent.UserID, f.userY.UserID}, helpdesk.ErrInvalid, "members[1]"},
				{"a deactivated employee", []uuid.UUID{gone.UserID}, helpdesk.ErrInvalid, "members[0]"},
				{"one employee twice", []uuid.UUID{f.agent.UserID, f.agent.UserID}, helpdesk.ErrInvalid, "members[1]"},
				{"an unknown user", []uuid.UUID{f.agent.UserID, uuid.New()}, storage.ErrNotFound, ""},
				{"another tenant's agent", []uuid.UUID{other.agent.UserID}, storage.ErrNotFound, ""},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					team, err := f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: "Members: " + c.name,
						SupervisorID: f.supervisor.UserID, Members: c.members})
					switch {
					case c.want == nil:
						require.NoError(t, err)
						assert.Equal(t, c.members, team.Members)
					case c.field != "":
						assert.Nil(t, team)
						assertField(t, err, c.field)
					default:
						assert.Nil(t, team)
						assert.ErrorIs(t, err, c.want)
					}
				})
			}
		})
		t.Run("a team needs a name", func(t *testing.T) {
			team, err := f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: " ", SupervisorID: f.supervisor.UserID})
			assert.Nil(t, team)
			assertField(t, err, "name")
		})
		t.Run("Teams lists the teams with their members, for staff", func(t *testing.T) {
			for name, a := range map[string]tenant.Actor{"agent": f.agent, "supervisor": f.supervisor, "system": f.system} {
				ts, err := f.desk.Teams(ctx, a)
				require.NoError(t, err, name)
				byID := map[uuid.UUID]*tenant.Team{}
				for _, tm := range ts {
					assert.Equal(t, f.tenant.ID, tm.TenantID, name)
					byID[tm.ID] = tm
				}
				require.Contains(t, byID, f.teamA.ID, name)
				assert.Equal(t, []uuid.UUID{f.agent.UserID, f.agent2.UserID}, byID[f.teamA.ID].Members, name)
				assert.Equal(t, f.supervisor.UserID, byID[f.teamA.ID].SupervisorID, name)
				assert.NotContains(t, byID, other.teamA.ID, name)
			}
			for name, a := range map[string]tenant.Actor{"customer_admin": f.userY, "customer_user": f.userX, "code holder": f.holder} {
				_, err := f.desk.Teams(ctx, a)
				assert.ErrorIs(t, err, helpdesk.ErrForbidden, name)
			}
		})
		t.Run("meta-teams", func(t *testing.T) {
			europe, err := f.desk.CreateMetaTeam(ctx, f.admin, " Europe ")
			require.NoError(t, err)
			assert.Equal(t, "Europe", europe.Name)
			asia, err := f.desk.CreateMetaTeam(ctx, moderator, "Asia")
			require.NoError(t, err)
			team, err := f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: "Berlin", SupervisorID: f.supervisor.UserID, MetaTeamID: europe.ID})
			require.NoError(t, err)
			assert.Equal(t, europe.ID, team.MetaTeamID)
			ts, err := f.desk.Teams(ctx, f.agent)
			require.NoError(t, err)
			for _, tm := range ts {
				if tm.ID == team.ID {
					assert.Equal(t, europe.ID, tm.MetaTeamID, "stored")
				}
			}
			ms, err := f.desk.MetaTeams(ctx, f.agent)
			require.NoError(t, err)
			var names []string
			for _, m := range ms {
				names = append(names, m.Name)
			}
			assert.Equal(t, []string{asia.Name, europe.Name}, names, "by name")

			_, err = f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: "Nowhere", SupervisorID: f.supervisor.UserID, MetaTeamID: uuid.New()})
			assert.ErrorIs(t, err, storage.ErrNotFound, "an unknown meta-team")
			otherMeta, err := f.desk.CreateMetaTeam(ctx, other.admin, "Elsewhere")
			require.NoError(t, err)
			_, err = f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: "Nowhere", SupervisorID: f.supervisor.UserID, MetaTeamID: otherMeta.ID})
			assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's meta-team")
			_, err = f.desk.CreateMetaTeam(ctx, f.admin, "")
			assertField(t, err, "name")
			_, err = f.desk.CreateMetaTeam(ctx, f.agent, "Africa")
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			_, err = f.desk.MetaTeams(ctx, f.userX)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
		})
		t.Run("UpdateTeam replaces the members and checks the version", func(t *testing.T) {
			team, err := f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: "Night shift", SupervisorID: f.supervisor.UserID,
				Members: []uuid.UUID{f.agent.UserID}})
			require.NoError(t, err)
			edit := *team
			edit.Name, edit.SupervisorID, edit.Members = "Night crew", moderator.UserID, []uuid.UUID{f.agent2.UserID, f.admin.UserID}
			got, err := f.desk.UpdateTeam(ctx, moderator, &edit)
			require.NoError(t, err)
			assert.Equal(t, "Night crew", got.Name)
			assert.Equal(t, moderator.UserID, got.SupervisorID)
			assert.Equal(t, []uuid.UUID{f.agent2.UserID, f.admin.UserID}, got.Members, "replaced, in the order given")
			assert.Equal(t, team.Version+1, got.Version)
			ts, err := f.desk.Teams(ctx, f.agent)
			require.NoError(t, err)
			found := false
			for _, tm := range ts {
				if tm.ID == team.ID {
					found = true
					assert.Equal(t, []uuid.UUID{f.agent2.UserID, f.admin.UserID}, tm.Members)
					assert.Equal(t, got.Version, tm.Version)
				}
			}
			assert.True(t, found)

			stale := *team
			stale.Members = []uuid.UUID{f.agent.UserID}
			_, err = f.desk.UpdateTeam(ctx, f.admin, &stale)
			assert.ErrorIs(t, err, storage.ErrConflict, "the version read before the update")
			assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))

			bad := *got
			bad.Members = []uuid.UUID{f.userX.UserID}
			_, err = f.desk.UpdateTeam(ctx, f.admin, &bad)
			assertField(t, err, "members[0]")
			bad = *got
			bad.SupervisorID = f.agent.UserID
			_, err = f.desk.UpdateTeam(ctx, f.admin, &bad)
			assertField(t, err, "supervisor_id")

			empty := *got
			empty.Members = nil
			cleared, err := f.desk.UpdateTeam(ctx, f.admin, &empty)
			require.NoError(t, err, "a team may have no members")
			assert.Empty(t, cleared.Members)

			_, err = f.desk.UpdateTeam(ctx, f.agent, cleared)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			unknown := *cleared
			unknown.ID = uuid.New()
			_, err = f.desk.UpdateTeam(ctx, f.admin, &unknown)
			assert.ErrorIs(t, err, storage.ErrNotFound)
			_, err = f.desk.UpdateTeam(ctx, other.admin, cleared)
			assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's team")
		})
		t.Run("a new tenant starts with its default group, which cannot be deleted", func(t *testing.T) {
			ten, err := f.desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Gamma Service", TicketPrefix: "G"})
			require.NoError(t, err)
			require.NotEqual(t, uuid.Nil, ten.DefaultTeamID, "no tenant is without a default group")
			sys := tenant.SystemFor(ten.ID)
			teams, err := f.desk.Teams(ctx, sys)
			require.NoError(t, err)
			require.Len(t, teams, 1)
			assert.Equal(t, ten.DefaultTeamID, teams[0].ID)
			assert.Equal(t, "Support", teams[0].Name)

			// A request before anyone set the tenant up still lands in a team.
			early, err := f.desk.SubmitTicket(ctx, sys, helpdesk.NewTicket{Title: "monitoring alarm"})
			require.NoError(t, err)
			assert.Equal(t, ten.DefaultTeamID, early.TeamID)

			sup := f.person(t, ten.ID, uuid.Nil, tenant.RoleSupervisor, "Gail Supervisor")
			second, err := f.desk.CreateTeam(ctx, sys, helpdesk.NewTeam{Name: "Second", SupervisorID: sup.UserID})
			require.NoError(t, err)
			got, err := f.desk.Tenant(ctx, sys)
			require.NoError(t, err)
			assert.Equal(t, ten.DefaultTeamID, got.DefaultTeamID, "a new team is not the default group (%s)", second.ID)

			err = f.desk.DeleteTeam(ctx, sys, ten.DefaultTeamID)
			assert.ErrorIs(t, err, helpdesk.ErrDefaultTeam, "the default group while another team exists")
			assert.Equal(t, helpdesk.KindConflict, helpdesk.KindOf(err))
			require.NoError(t, f.desk.DeleteTeam(ctx, sys, second.ID))
			err = f.desk.DeleteTeam(ctx, sys, ten.DefaultTeamID)
			assert.ErrorIs(t, err, helpdesk.ErrDefaultTeam, "the last team")
			teams, err = f.desk.Teams(ctx, sys)
			require.NoError(t, err)
			require.Len(t, teams, 1, "refusals change nothing")
			late, err := f.desk.SubmitTicket(ctx, sys, helpdesk.NewTicket{Title: "second alarm"})
			require.NoError(t, err)
			assert.Equal(t, ten.DefaultTeamID, late.TeamID, "no request is lost")

			_, err = f.desk.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: "Delta", DefaultGroup: " "})
			var ve *helpdesk.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "default_group", ve.Field)
		})
		t.Run("a team is deleted by managers, once its tickets are elsewhere", func(t *testing.T) {
			team, err := f.desk.CreateTeam(ctx, f.admin, helpdesk.NewTeam{Name: "Short-lived", SupervisorID: f.supervisor.UserID,
				Members: []uuid.UUID{f.agent.UserID}})
			require.NoError(t, err)
			tk := f.submit(t, "routed to the short-lived team")
			_, err = f.desk.Assign(ctx, f.supervisor, tk.ID, helpdesk.Assignment{TeamID: team.ID})
			require.NoError(t, err)
			assert.ErrorIs(t, f.desk.DeleteTeam(ctx, f.agent, team.ID), helpdesk.ErrForbidden)
			assert.ErrorIs(t, f.desk.DeleteTeam(ctx, f.supervisor, team.ID), helpdesk.ErrForbidden)
			assert.ErrorIs(t, f.desk.DeleteTeam(ctx, other.admin, team.ID), storage.ErrNotFound, "another tenant's team")
			assert.ErrorIs(t, f.desk.DeleteTeam(ctx, f.admin, team.ID), storage.ErrConflict, "it has an open ticket")
			_, err = f.desk.Transition(ctx, f.admin, tk.ID, ticket.EventCancel, helpdesk.Change{Reason: "duplicate"})
			require.NoError(t, err)
			require.NoError(t, f.desk.DeleteTeam(ctx, f.admin, team.ID))
			assert.ErrorIs(t, f.desk.DeleteTeam(ctx, f.admin, team.ID), storage.ErrNotFound, "gone")
			got, err := f.desk.User(ctx, f.admin, f.agent.UserID)
			require.NoError(t, err)
			assert.Equal(t, tenant.UserActive, got.Status, "its members stay")
		})
		t.Run("new tickets go to the default group", func(t *testing.T) {
			require.Equal(t, f.teamA.ID, f.tenant.DefaultTeamID, "the fixture's first team")
			before := portalTicket(t, f, "before the switch")
			assert.Equal(t, f.teamA.ID, before.TeamID)
			phone := f.open(t, f.agent, helpdesk.NewTicket{Title: "by phone", CustomerID: f.custY.ID})
			assert.Equal(t, f.teamA.ID, phone.TeamID)

			ten, err := f.desk.SetDefaultTeam(ctx, f.admin, f.teamB.ID)
			require.NoError(t, err)
			assert.Equal(t, f.teamB.ID, ten.DefaultTeamID)
			t.Cleanup(func() {
				_, err := f.desk.SetDefaultTeam(ctx, f.admin, f.teamA.ID)
				assert.NoError(t, err)
			})
			after := portalTicket(t, f, "after the switch")
			assert.Equal(t, f.teamB.ID, after.TeamID)
			assert.Equal(t, f.teamA.ID, f.reload(t, before.ID).TeamID, "earlier tickets stay where they are")

			_, err = f.desk.SetDefaultTeam(ctx, f.agent, f.teamA.ID)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			_, err = f.desk.SetDefaultTeam(ctx, f.supervisor, f.teamA.ID)
			assert.ErrorIs(t, err, helpdesk.ErrForbidden)
			_, err = f.desk.SetDefaultTeam(ctx, f.admin, uuid.New())
			assert.ErrorIs(t, err, storage.ErrNotFound)
			_, err = f.desk.SetDefaultTeam(ctx, f.admin, other.teamA.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's team")
			got, err := f.desk.Tenant(ctx, f.admin)
			require.NoError(t, err)
			assert.Equal(t, f.teamB.ID, got.DefaultTeamID, "refusals change nothing")
		})
	})
}
