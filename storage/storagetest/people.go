package storagetest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// race calls fn(0) … fn(n-1) in n goroutines released together, and returns their errors by i.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var done sync.WaitGroup
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	done.Wait()
	return errs
}

// testUsers checks what the entity tests do not: e-mail uniqueness per tenant and the lookup by
// e-mail address. Create, read and update are checked by the entity test "User".
func testUsers(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("DuplicateEmail", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		dup := a.newUser("Ada Again", uuid.Nil, tenant.RoleAgent)
		dup.Email = a.User.Email
		assert.ErrorIs(t, s.CreateUser(ctx, dup), storage.ErrConflict, "an e-mail address taken in the same tenant")
		_, err := s.GetUser(ctx, a.Tenant.ID, dup.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the rejected user was stored")

		same := b.newUser("Ada Elsewhere", uuid.Nil, tenant.RoleAgent)
		same.Email = a.User.Email
		require.NoError(t, s.CreateUser(ctx, same), "the same e-mail address in another tenant")
		got, err := s.GetUserByEmail(ctx, b.Tenant.ID, a.User.Email)
		require.NoError(t, err)
		assertSame(t, clone(same), got, "each tenant finds its own user by the shared address")
		got, err = s.GetUserByEmail(ctx, a.Tenant.ID, a.User.Email)
		require.NoError(t, err)
		assertSame(t, clone(a.User), got)
	})

	t.Run("UpdateToTakenEmail", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		other := w.addUser("Otto Agent", uuid.Nil, tenant.RoleAgent)
		taken := clone(other)
		taken.Email = w.User.Email
		taken.UpdatedAt = w.tick()
		assert.ErrorIs(t, s.UpdateUser(ctx, taken), storage.ErrConflict)
		got, err := s.GetUser(ctx, w.Tenant.ID, other.ID)
		require.NoError(t, err)
		assertSame(t, clone(other), got, "the rejected update changed the user")

		// The address the update tried to take is still the first user's.
		got, err = s.GetUserByEmail(ctx, w.Tenant.ID, w.User.Email)
		require.NoError(t, err)
		assert.Equal(t, w.User.ID, got.ID)
	})

	t.Run("UpdateFreesEmail", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		old := w.User.Email
		renamed := clone(w.User)
		renamed.Email = "ada.renamed@operator.example"
		require.NoError(t, s.UpdateUser(ctx, renamed))
		_, err := s.GetUserByEmail(ctx, w.Tenant.ID, old)
		assert.ErrorIs(t, err, storage.ErrNotFound, "the old address")
		got, err := s.GetUserByEmail(ctx, w.Tenant.ID, renamed.Email)
		require.NoError(t, err)
		assertSame(t, clone(renamed), got, "the new address")
		reuse := w.newUser("Ada Successor", uuid.Nil, tenant.RoleAgent)
		reuse.Email = old
		assert.NoError(t, s.CreateUser(ctx, reuse), "the old address is free again")
	})

	t.Run("GetUserByEmailMissing", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		_, err := s.GetUserByEmail(ctx, a.Tenant.ID, "nobody@operator.example")
		assert.ErrorIs(t, err, storage.ErrNotFound, "an address never used")
		_, err = s.GetUserByEmail(ctx, b.Tenant.ID, a.User.Email)
		assert.ErrorIs(t, err, storage.ErrNotFound, "another tenant's address")
		for _, email := range unstorable {
			_, err = s.GetUserByEmail(ctx, a.Tenant.ID, email)
			assert.ErrorIs(t, err, storage.ErrNotFound, "%q", email)
		}
	})
}

// matchUser is UserFilter's contract, in Go.
func matchUser(f storage.UserFilter, u *tenant.User) bool {
	switch {
	case f.CustomerID != uuid.Nil && f.CustomerID != u.CustomerID,
		f.Employees && u.CustomerID != uuid.Nil,
		f.Role != "" && f.Role != u.Role,
		f.Status != "" && f.Status != u.Status:
		return false
	}
	text := strings.ToLower(f.Text)
	return strings.Contains(strings.ToLower(u.Name), text) || strings.Contains(strings.ToLower(u.Email), text)
}

// testUserFilter checks every UserFilter field alone and combined, and the pagination of users.
func testUserFilter(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	people := func(w *world) (all []*tenant.User, c2 *tenant.Customer) {
		t.Helper()
		c2 = w.addCustomer("Bravo Bakery")
		all = []*tenant.User{w.User}
		for _, p := range []struct {
			name     string
			customer uuid.UUID
			role     tenant.Role
			status   tenant.UserStatus
		}{
			{"Sam Supervisor", uuid.Nil, tenant.RoleSupervisor, tenant.UserActive},
			{"Łukasz Nowak", uuid.Nil, tenant.RoleAgent, tenant.UserInvited},
			{"Otto Agent", uuid.Nil, tenant.RoleAgent, tenant.UserDeactivated},
			{"Cora Customer", w.Customer.ID, tenant.RoleCustomerAdmin, tenant.UserActive},
			{"Ulla User", w.Customer.ID, tenant.RoleCustomerUser, tenant.UserInvited},
			{"Björn Berg", c2.ID, tenant.RoleCustomerUser, tenant.UserActive},
			{"Émile Dubois", c2.ID, tenant.RoleCustomerAdmin, tenant.UserDeactivated},
		} {
			u := w.newUser(p.name, p.customer, p.role)
			u.Status = p.status
			if p.customer == c2.ID {
				u.Email = strings.Replace(u.Email, "customer.example", "bravo_bakery.example", 1)
			}
			require.NoError(t, s.CreateUser(ctx, u), "setup: create user %q", p.name)
			all = append(all, u)
		}
		return all, c2
	}
	w := newWorld(t, s, "Tenant A")
	all, c2 := people(w)
	other := newWorld(t, s, "Tenant B")
	people(other) // the same people in another tenant must never show

	cases := []struct {
		name string
		f    storage.UserFilter
		// all and none mark the filters meant to match every user or none.
		all, none bool
	}{
		{name: "Zero", all: true},
		{name: "CustomerID", f: storage.UserFilter{CustomerID: w.Customer.ID}},
		{name: "CustomerID/Other", f: storage.UserFilter{CustomerID: c2.ID}},
		{name: "Employees", f: storage.UserFilter{Employees: true}},
		{name: "Role", f: storage.UserFilter{Role: tenant.RoleAgent}},
		{name: "Role/Customer", f: storage.UserFilter{Role: tenant.RoleCustomerAdmin}},
		{name: "Status/Invited", f: storage.UserFilter{Status: tenant.UserInvited}},
		{name: "Status/Deactivated", f: storage.UserFilter{Status: tenant.UserDeactivated}},
		{name: "Text/Name", f: storage.UserFilter{Text: "ULLA"}},
		{name: "Text/Email", f: storage.UserFilter{Text: "@Operator.Example"}},
		{name: "Text/NonASCIILower", f: storage.UserFilter{Text: "łuk"}},
		{name: "Text/NonASCIIUpper", f: storage.UserFilter{Text: "ŁUKASZ"}},
		{name: "Text/Accent", f: storage.UserFilter{Text: "émile"}},
		{name: "Text/UnderscoreIsLiteral", f: storage.UserFilter{Text: "bravo_"}},
		{name: "Combined/EmployeesRole", f: storage.UserFilter{Employees: true, Role: tenant.RoleAgent}},
		{name: "Combined/CustomerStatus", f: storage.UserFilter{CustomerID: c2.ID, Status: tenant.UserActive}},
		{name: "Combined/TextStatus", f: storage.UserFilter{Text: "a", Status: tenant.UserActive}},
		{name: "Combined/EmployeesCustomer", f: storage.UserFilter{Employees: true, CustomerID: w.Customer.ID}, none: true},
		{name: "OtherTenantsCustomer", f: storage.UserFilter{CustomerID: other.Customer.ID}, none: true},
		{name: "Text/NoMatch", f: storage.UserFilter{Text: "zz-nobody"}, none: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []uuid.UUID
			for _, u := range all {
				if matchUser(c.f, u) {
					want = append(want, u.ID)
				}
			}
			switch {
			case c.all:
				require.Len(t, want, len(all), "fixture: %+v should match every user", c.f)
			case c.none:
				require.Empty(t, want, "fixture: %+v should match no user", c.f)
			default:
				require.NotEmpty(t, want, "fixture: %+v matches no user", c.f)
				require.Less(t, len(want), len(all), "fixture: %+v matches every user", c.f)
			}
			page, err := s.ListUsers(ctx, w.Tenant.ID, c.f, storage.PageRequest{Limit: storage.MaxPageSize})
			require.NoError(t, err)
			var got []uuid.UUID
			for _, u := range page.Items {
				got = append(got, u.ID)
			}
			assert.Equal(t, newestFirst(want), got, "users matching %+v, newest first", c.f)
			assert.Empty(t, page.Next)
		})
	}

	t.Run("WholeRecords", func(t *testing.T) {
		page, err := s.ListUsers(ctx, w.Tenant.ID, storage.UserFilter{}, storage.PageRequest{})
		require.NoError(t, err)
		want := cloneAll(all)
		slices.Reverse(want) // created oldest first
		assertSame(t, want, page.Items, "listed users differ from what was created")
	})

	t.Run("Pagination", func(t *testing.T) {
		var want []uuid.UUID
		for _, u := range all {
			want = append(want, u.ID)
		}
		got, sizes := walk(t, 3, func(p storage.PageRequest) (storage.Page[*tenant.User], error) {
			return s.ListUsers(ctx, w.Tenant.ID, storage.UserFilter{}, p)
		}, func(u *tenant.User) uuid.UUID { return u.ID }, func(page int) {
			if page == 1 {
				w.addUser("Inserted While Paging", uuid.Nil, tenant.RoleAgent)
			}
		})
		assert.Equal(t, newestFirst(want), got, "the users present at the start, each once, newest first")
		assert.Equal(t, []int{3, 3, 2}, sizes)

		got, sizes = walk(t, 2, func(p storage.PageRequest) (storage.Page[*tenant.User], error) {
			return s.ListUsers(ctx, w.Tenant.ID, storage.UserFilter{Employees: true, Status: tenant.UserActive}, p)
		}, func(u *tenant.User) uuid.UUID { return u.ID }, nil)
		assert.Len(t, got, 3, "Ada, Sam and the inserted agent")
		assert.Equal(t, []int{2, 1}, sizes)

		_, err := s.ListUsers(ctx, w.Tenant.ID, storage.UserFilter{}, storage.PageRequest{After: "!!not a cursor!!"})
		assert.ErrorIs(t, err, storage.ErrInvalidCursor)
	})
}

// testTeams checks team members, the listing of teams and meta-teams, and their isolation.
// Create, read and update of teams are checked by the entity test "Team".
func testTeams(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("MembersInOrder", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		u1 := w.addUser("Otto Agent", uuid.Nil, tenant.RoleAgent)
		u2 := w.addUser("Sam Supervisor", uuid.Nil, tenant.RoleSupervisor)
		// Not the order of the IDs, nor of creation.
		tm := w.addTeam("Field service", u2.ID, u2.ID, w.User.ID, u1.ID)
		got, err := s.GetTeam(ctx, w.Tenant.ID, tm.ID)
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{u2.ID, w.User.ID, u1.ID}, got.Members, "members in the order given")

		empty := w.addTeam("Nobody yet", u2.ID)
		got, err = s.GetTeam(ctx, w.Tenant.ID, empty.ID)
		require.NoError(t, err)
		assert.Empty(t, got.Members)
	})

	t.Run("UpdateReplacesMembers", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		u1 := w.addUser("Otto Agent", uuid.Nil, tenant.RoleAgent)
		u2 := w.addUser("Sam Supervisor", uuid.Nil, tenant.RoleSupervisor)
		tm := w.addTeam("Field service", u2.ID, w.User.ID, u1.ID)
		for _, members := range [][]uuid.UUID{{u1.ID, u2.ID, w.User.ID}, {u2.ID}, nil, {w.User.ID, u1.ID}} {
			tm.Members = members
			tm.UpdatedAt = w.tick()
			require.NoError(t, s.UpdateTeam(ctx, tm))
			got, err := s.GetTeam(ctx, w.Tenant.ID, tm.ID)
			require.NoError(t, err)
			assertSame(t, clone(tm), got, "members %v", members)
		}
		// The world's team keeps its own member.
		got, err := s.GetTeam(ctx, w.Tenant.ID, w.Team.ID)
		require.NoError(t, err)
		assertSame(t, clone(w.Team), got)
	})

	t.Run("StaleUpdateKeepsMembers", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		stale := clone(w.Team)
		stale.Version--
		stale.Members = []uuid.UUID{newID()}
		assert.ErrorIs(t, s.UpdateTeam(ctx, stale), storage.ErrConflict)
		got, err := s.GetTeam(ctx, w.Tenant.ID, w.Team.ID)
		require.NoError(t, err)
		assertSame(t, clone(w.Team), got, "a stale update changed the members")
	})

	t.Run("InTx", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		var created *tenant.Team
		err := s.InTx(ctx, func(q storage.Queries) error {
			created = w.newTeam("Never", w.User.ID, w.User.ID, newID())
			if err := q.CreateTeam(ctx, created); err != nil {
				return err
			}
			changed := clone(w.Team)
			changed.Members = []uuid.UUID{newID(), newID()}
			if err := q.UpdateTeam(ctx, changed); err != nil {
				return err
			}
			got, err := q.GetTeam(ctx, w.Tenant.ID, w.Team.ID)
			if err != nil {
				return err
			}
			assert.Equal(t, changed.Members, got.Members, "a transaction reads its own members")
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		_, err = s.GetTeam(ctx, w.Tenant.ID, created.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "a rolled back team")
		got, err := s.GetTeam(ctx, w.Tenant.ID, w.Team.ID)
		require.NoError(t, err)
		assertSame(t, clone(w.Team), got, "a rolled back update changed the team")
		teams, err := s.ListTeams(ctx, w.Tenant.ID)
		require.NoError(t, err)
		assertSame(t, []*tenant.Team{clone(w.Team)}, teams, "a rolled back team's members linger")
	})

	t.Run("ListTeams", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A") // has Support
		other := newWorld(t, s, "Tenant B")
		u1 := w.addUser("Otto Agent", uuid.Nil, tenant.RoleAgent)
		night := w.addTeam("Night shift", u1.ID, u1.ID, w.User.ID)
		backOffice := w.addTeam("Back office", w.User.ID)
		alpha := w.addTeam("Alpha", u1.ID, w.User.ID, u1.ID)
		other.addTeam("Aardvarks", other.User.ID, other.User.ID)

		got, err := s.ListTeams(ctx, w.Tenant.ID)
		require.NoError(t, err)
		assertSame(t, cloneAll([]*tenant.Team{alpha, backOffice, night, w.Team}), got, "by name, with members")

		empty := newTenant("Tenant without teams", now())
		require.NoError(t, s.CreateTenant(ctx, empty))
		got, err = s.ListTeams(ctx, empty.ID)
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("MetaTeams", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		other := newWorld(t, s, "Tenant B")
		ops := w.addMetaTeam("Operations")
		field := w.addMetaTeam("Field")
		sales := w.addMetaTeam("Sales")
		other.addMetaTeam("Accounts")

		got, err := s.GetMetaTeam(ctx, w.Tenant.ID, ops.ID)
		require.NoError(t, err)
		assertSame(t, clone(ops), got)
		_, err = s.GetMetaTeam(ctx, w.Tenant.ID, newID())
		assert.ErrorIs(t, err, storage.ErrNotFound, "an unknown meta-team")
		_, err = s.GetMetaTeam(ctx, other.Tenant.ID, ops.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, "read through another tenant")

		dup := w.newMetaTeam("Duplicate")
		dup.ID = ops.ID
		assert.ErrorIs(t, s.CreateMetaTeam(ctx, dup), storage.ErrConflict)

		list, err := s.ListMetaTeams(ctx, w.Tenant.ID)
		require.NoError(t, err)
		assertSame(t, cloneAll([]*tenant.MetaTeam{field, ops, sales}), list, "by name")

		// A team filed under a meta-team keeps the reference.
		tm := w.newTeam("Field north", w.User.ID, w.User.ID)
		tm.MetaTeamID = field.ID
		require.NoError(t, s.CreateTeam(ctx, tm))
		gotTeam, err := s.GetTeam(ctx, w.Tenant.ID, tm.ID)
		require.NoError(t, err)
		assert.Equal(t, field.ID, gotTeam.MetaTeamID)

		// Renamed at the version read; a stale version or another tenant's is refused.
		renamed := clone(sales)
		renamed.Name, renamed.UpdatedAt = "Sales and marketing", w.tick()
		require.NoError(t, s.UpdateMetaTeam(ctx, renamed))
		assert.Equal(t, sales.Version+1, renamed.Version)
		got, err = s.GetMetaTeam(ctx, w.Tenant.ID, sales.ID)
		require.NoError(t, err)
		assertSame(t, renamed, got)
		stale := clone(sales)
		stale.Name = "Stale"
		assert.ErrorIs(t, s.UpdateMetaTeam(ctx, stale), storage.ErrConflict, "a stale version")
		foreign := clone(renamed)
		foreign.TenantID = other.Tenant.ID
		assert.ErrorIs(t, s.UpdateMetaTeam(ctx, foreign), storage.ErrNotFound, "through another tenant")

		// Deleted: its teams stay, filed under none, each at a new version.
		assert.ErrorIs(t, s.DeleteMetaTeam(ctx, other.Tenant.ID, field.ID), storage.ErrNotFound, "through another tenant")
		require.NoError(t, s.DeleteMetaTeam(ctx, w.Tenant.ID, field.ID))
		_, err = s.GetMetaTeam(ctx, w.Tenant.ID, field.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound)
		kept, err := s.GetTeam(ctx, w.Tenant.ID, tm.ID)
		require.NoError(t, err)
		assert.Equal(t, uuid.Nil, kept.MetaTeamID)
		assert.Equal(t, gotTeam.Version+1, kept.Version)
		assert.ErrorIs(t, s.DeleteMetaTeam(ctx, w.Tenant.ID, field.ID), storage.ErrNotFound, "twice")
	})
}

// testUserTokens checks one-time tokens: lookup by hash across tenants, uniqueness, use exactly
// once, and the removal of a user's unused tokens.
func testUserTokens(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("CreateGet", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		expired := a.newUserToken(a.User.ID, tenant.PurposePasswordReset)
		expired.ExpiresAt = expired.CreatedAt.Add(-time.Hour)
		require.NoError(t, s.CreateUserToken(ctx, expired))
		used := b.newUserToken(b.User.ID, tenant.PurposeShareLogin)
		used.UsedAt = ptr(b.tick())
		require.NoError(t, s.CreateUserToken(ctx, used))
		for _, tk := range []*tenant.UserToken{
			a.addUserToken(a.User.ID, tenant.PurposeInvitation),
			b.addUserToken(b.User.ID, tenant.PurposeInvitation),
			expired, used,
		} {
			got, err := s.GetUserToken(ctx, tk.Hash)
			require.NoError(t, err)
			assertSame(t, clone(tk), got, "found by its hash, whatever the tenant, used or expired")
		}
		_, err := s.GetUserToken(ctx, newHash())
		assert.ErrorIs(t, err, storage.ErrNotFound, "a hash never issued")
		_, err = s.GetUserToken(ctx, "")
		assert.ErrorIs(t, err, storage.ErrNotFound, "the empty hash")
	})

	t.Run("Duplicate", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		tk := a.addUserToken(a.User.ID, tenant.PurposeInvitation)
		sameID := a.newUserToken(a.User.ID, tenant.PurposeInvitation)
		sameID.ID = tk.ID
		assert.ErrorIs(t, s.CreateUserToken(ctx, sameID), storage.ErrConflict, "a taken ID")
		sameHash := a.newUserToken(a.User.ID, tenant.PurposePasswordReset)
		sameHash.Hash = tk.Hash
		assert.ErrorIs(t, s.CreateUserToken(ctx, sameHash), storage.ErrConflict, "a taken hash")
		// The hash alone finds the token, so it must be unique across tenants too.
		foreign := b.newUserToken(b.User.ID, tenant.PurposeInvitation)
		foreign.Hash = tk.Hash
		assert.ErrorIs(t, s.CreateUserToken(ctx, foreign), storage.ErrConflict, "a hash taken in another tenant")
		got, err := s.GetUserToken(ctx, tk.Hash)
		require.NoError(t, err)
		assertSame(t, clone(tk), got)
	})

	t.Run("Use", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		tk := a.addUserToken(a.User.ID, tenant.PurposePasswordReset)

		assert.ErrorIs(t, s.UseUserToken(ctx, b.Tenant.ID, tk.ID, b.tick()), storage.ErrNotFound, "through another tenant")
		assert.ErrorIs(t, s.UseUserToken(ctx, a.Tenant.ID, newID(), a.tick()), storage.ErrNotFound, "an unknown token")
		got, err := s.GetUserToken(ctx, tk.Hash)
		require.NoError(t, err)
		assert.Nil(t, got.UsedAt, "used through another tenant")

		at := a.tick()
		require.NoError(t, s.UseUserToken(ctx, a.Tenant.ID, tk.ID, at))
		got, err = s.GetUserToken(ctx, tk.Hash)
		require.NoError(t, err)
		want := clone(tk)
		want.UsedAt = ptr(at)
		assertSame(t, want, got, "UsedAt set, nothing else changed")

		assert.ErrorIs(t, s.UseUserToken(ctx, a.Tenant.ID, tk.ID, a.tick()), storage.ErrConflict, "a used token")
		got, err = s.GetUserToken(ctx, tk.Hash)
		require.NoError(t, err)
		assertSame(t, clone(want), got, "a second use moved UsedAt")
	})

	t.Run("UseConcurrently", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		tk := w.addUserToken(w.User.ID, tenant.PurposeShareLogin)
		const callers = 8
		times := make([]time.Time, callers)
		for i := range times {
			times[i] = w.tick()
		}
		errs := race(callers, func(i int) error { return s.UseUserToken(ctx, w.Tenant.ID, tk.ID, times[i]) })
		winner := -1
		for i, err := range errs {
			if err == nil {
				assert.Equal(t, -1, winner, "more than one use succeeded")
				winner = i
				continue
			}
			assert.ErrorIs(t, err, storage.ErrConflict, "caller %d", i)
		}
		require.NotEqual(t, -1, winner, "no use succeeded: %v", errs)
		got, err := s.GetUserToken(ctx, tk.Hash)
		require.NoError(t, err)
		if assert.NotNil(t, got.UsedAt) {
			assert.True(t, times[winner].Equal(*got.UsedAt), "UsedAt %v, want the winner's %v", *got.UsedAt, times[winner])
		}
	})

	t.Run("UseInTx", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		tk := w.addUserToken(w.User.ID, tenant.PurposeInvitation)
		err := s.InTx(ctx, func(q storage.Queries) error {
			if err := q.UseUserToken(ctx, w.Tenant.ID, tk.ID, w.tick()); err != nil {
				return err
			}
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		got, err := s.GetUserToken(ctx, tk.Hash)
		require.NoError(t, err)
		assert.Nil(t, got.UsedAt, "a rolled back use")
		assert.NoError(t, s.UseUserToken(ctx, w.Tenant.ID, tk.ID, w.tick()), "the token is still unused")
	})

	t.Run("DeleteUserTokens", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		other := newWorld(t, s, "Tenant B")
		u2 := w.addUser("Otto Agent", uuid.Nil, tenant.RoleAgent)
		doomed := []*tenant.UserToken{
			w.addUserToken(w.User.ID, tenant.PurposeInvitation),
			w.addUserToken(w.User.ID, tenant.PurposeInvitation),
		}
		used := w.addUserToken(w.User.ID, tenant.PurposeInvitation)
		require.NoError(t, s.UseUserToken(ctx, w.Tenant.ID, used.ID, w.tick()))
		kept := []*tenant.UserToken{
			used,
			w.addUserToken(w.User.ID, tenant.PurposePasswordReset),
			w.addUserToken(u2.ID, tenant.PurposeInvitation),
			other.addUserToken(other.User.ID, tenant.PurposeInvitation),
		}

		n, err := s.DeleteUserTokens(ctx, other.Tenant.ID, w.User.ID, tenant.PurposeInvitation)
		require.NoError(t, err)
		assert.Zero(t, n, "deleted through another tenant")

		n, err = s.DeleteUserTokens(ctx, w.Tenant.ID, w.User.ID, tenant.PurposeInvitation)
		require.NoError(t, err)
		assert.Equal(t, len(doomed), n)
		for _, tk := range doomed {
			_, err := s.GetUserToken(ctx, tk.Hash)
			assert.ErrorIs(t, err, storage.ErrNotFound, "an unused invitation of the user")
		}
		for _, tk := range kept {
			got, err := s.GetUserToken(ctx, tk.Hash)
			if assert.NoError(t, err, "a used token, another purpose, another user or tenant") {
				assert.Equal(t, tk.ID, got.ID)
			}
		}

		n, err = s.DeleteUserTokens(ctx, w.Tenant.ID, w.User.ID, tenant.PurposeInvitation)
		require.NoError(t, err)
		assert.Zero(t, n, "deleting again")
	})
}

// testAuthSessions checks sign-in sessions: lookup by token hash across tenants, uniqueness,
// and ending one session or all of a user's.
func testAuthSessions(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("CreateGet", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		expired := a.newAuthSession(a.User.ID)
		expired.ExpiresAt = expired.CreatedAt.Add(-time.Minute)
		require.NoError(t, s.CreateAuthSession(ctx, expired))
		for _, as := range []*tenant.AuthSession{a.addAuthSession(a.User.ID), b.addAuthSession(b.User.ID), expired} {
			got, err := s.GetAuthSession(ctx, as.TokenHash)
			require.NoError(t, err)
			assertSame(t, clone(as), got, "found by its token hash, whatever the tenant, expired or not")
		}
		_, err := s.GetAuthSession(ctx, newHash())
		assert.ErrorIs(t, err, storage.ErrNotFound, "a hash never issued")
		_, err = s.GetAuthSession(ctx, "")
		assert.ErrorIs(t, err, storage.ErrNotFound, "the empty hash")
	})

	t.Run("Duplicate", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		as := a.addAuthSession(a.User.ID)
		sameID := a.newAuthSession(a.User.ID)
		sameID.ID = as.ID
		assert.ErrorIs(t, s.CreateAuthSession(ctx, sameID), storage.ErrConflict, "a taken ID")
		sameHash := b.newAuthSession(b.User.ID)
		sameHash.TokenHash = as.TokenHash
		assert.ErrorIs(t, s.CreateAuthSession(ctx, sameHash), storage.ErrConflict, "a hash taken in another tenant")
		got, err := s.GetAuthSession(ctx, as.TokenHash)
		require.NoError(t, err)
		assertSame(t, clone(as), got)
	})

	t.Run("Delete", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		as := a.addAuthSession(a.User.ID)
		second := a.addAuthSession(a.User.ID)

		assert.ErrorIs(t, s.DeleteAuthSession(ctx, b.Tenant.ID, as.ID), storage.ErrNotFound, "through another tenant")
		_, err := s.GetAuthSession(ctx, as.TokenHash)
		require.NoError(t, err, "a session survives a delete through another tenant")

		require.NoError(t, s.DeleteAuthSession(ctx, a.Tenant.ID, as.ID))
		_, err = s.GetAuthSession(ctx, as.TokenHash)
		assert.ErrorIs(t, err, storage.ErrNotFound, "a deleted session")
		assert.ErrorIs(t, s.DeleteAuthSession(ctx, a.Tenant.ID, as.ID), storage.ErrNotFound, "deleting twice")
		_, err = s.GetAuthSession(ctx, second.TokenHash)
		assert.NoError(t, err, "the user's other session")
	})

	t.Run("DeleteUserAuthSessions", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		other := newWorld(t, s, "Tenant B")
		u2 := w.addUser("Otto Agent", uuid.Nil, tenant.RoleAgent)
		doomed := []*tenant.AuthSession{w.addAuthSession(w.User.ID), w.addAuthSession(w.User.ID), w.addAuthSession(w.User.ID)}
		kept := []*tenant.AuthSession{w.addAuthSession(u2.ID), other.addAuthSession(other.User.ID)}

		n, err := s.DeleteUserAuthSessions(ctx, other.Tenant.ID, w.User.ID)
		require.NoError(t, err)
		assert.Zero(t, n, "ended through another tenant")

		n, err = s.DeleteUserAuthSessions(ctx, w.Tenant.ID, w.User.ID)
		require.NoError(t, err)
		assert.Equal(t, len(doomed), n)
		for _, as := range doomed {
			_, err := s.GetAuthSession(ctx, as.TokenHash)
			assert.ErrorIs(t, err, storage.ErrNotFound, "a session of the user")
		}
		for _, as := range kept {
			got, err := s.GetAuthSession(ctx, as.TokenHash)
			require.NoError(t, err, "another user's session")
			assertSame(t, clone(as), got)
		}

		n, err = s.DeleteUserAuthSessions(ctx, w.Tenant.ID, w.User.ID)
		require.NoError(t, err)
		assert.Zero(t, n, "ending again")
	})
}

// testLoginFailures checks the failed sign-in counter: counting, the window, clearing, keys per
// tenant, and that concurrent failures are all counted.
func testLoginFailures(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()
	const window = 15 * time.Minute
	record := func(t *testing.T, tenantID uuid.UUID, key string, at time.Time) (int, time.Time) {
		t.Helper()
		n, since, err := s.RecordLoginFailure(ctx, tenantID, key, at, window)
		require.NoError(t, err, "RecordLoginFailure at %v", at)
		assert.Equal(t, time.UTC, since.Location(), "since is UTC")
		return n, since
	}
	recorded := func(t *testing.T, tenantID uuid.UUID, key string) (int, time.Time) {
		t.Helper()
		n, since, err := s.LoginFailures(ctx, tenantID, key)
		require.NoError(t, err)
		return n, since
	}

	t.Run("Counts", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		first := w.tick()
		for i, at := range []time.Time{first, first.Add(time.Second), first.Add(window / 2), first.Add(window - time.Millisecond)} {
			n, since := record(t, w.Tenant.ID, "key-a", at)
			assert.Equal(t, i+1, n, "failure %d", i+1)
			assert.True(t, first.Equal(since), "since %v, want the first failure %v", since, first)
		}
		n, since := recorded(t, w.Tenant.ID, "key-a")
		assert.Equal(t, 4, n)
		assert.True(t, first.Equal(since), "since %v, want %v", since, first)
		assert.Equal(t, time.UTC, since.Location(), "since is UTC")
	})

	t.Run("WindowExpires", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		first := w.tick()
		record(t, w.Tenant.ID, "key-a", first)
		record(t, w.Tenant.ID, "key-a", first.Add(time.Minute))
		later := first.Add(window + time.Second)
		n, since := record(t, w.Tenant.ID, "key-a", later)
		assert.Equal(t, 1, n, "the count restarts after the window")
		assert.True(t, later.Equal(since), "since %v, want the new window's start %v", since, later)
		n, since = record(t, w.Tenant.ID, "key-a", later.Add(time.Minute))
		assert.Equal(t, 2, n, "counting on in the new window")
		assert.True(t, later.Equal(since), "since %v, want %v", since, later)
	})

	t.Run("Clear", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		first := w.tick()
		record(t, w.Tenant.ID, "key-a", first)
		record(t, w.Tenant.ID, "key-a", first.Add(time.Second))
		record(t, w.Tenant.ID, "key-b", first)
		require.NoError(t, s.ClearLoginFailures(ctx, w.Tenant.ID, "key-a"))
		n, since := recorded(t, w.Tenant.ID, "key-a")
		assert.Zero(t, n)
		assert.True(t, since.IsZero(), "since %v after clearing", since)
		n, _ = recorded(t, w.Tenant.ID, "key-b")
		assert.Equal(t, 1, n, "another key was cleared too")

		again := first.Add(2 * time.Second)
		n, since = record(t, w.Tenant.ID, "key-a", again)
		assert.Equal(t, 1, n, "counting restarts after clearing")
		assert.True(t, again.Equal(since))
		assert.NoError(t, s.ClearLoginFailures(ctx, w.Tenant.ID, "never-failed"), "clearing a key without failures")
	})

	t.Run("Unknown", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		n, since := recorded(t, w.Tenant.ID, "never-failed")
		assert.Zero(t, n)
		assert.True(t, since.IsZero())
	})

	t.Run("PerTenant", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		at := a.tick()
		record(t, a.Tenant.ID, "shared-key", at)
		record(t, a.Tenant.ID, "shared-key", at.Add(time.Second))
		n, _ := record(t, b.Tenant.ID, "shared-key", at.Add(2*time.Second))
		assert.Equal(t, 1, n, "the same key in another tenant counts apart")
		n, _ = recorded(t, a.Tenant.ID, "shared-key")
		assert.Equal(t, 2, n)

		require.NoError(t, s.ClearLoginFailures(ctx, b.Tenant.ID, "shared-key"))
		n, _ = recorded(t, a.Tenant.ID, "shared-key")
		assert.Equal(t, 2, n, "clearing through another tenant")
	})

	t.Run("Concurrent", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		const callers = 10
		first := w.tick()
		counts := make([]int, callers)
		errs := race(callers, func(i int) error {
			var err error
			counts[i], _, err = s.RecordLoginFailure(ctx, w.Tenant.ID, "key-a", first.Add(time.Duration(i)*time.Millisecond), window)
			return err
		})
		for i, err := range errs {
			require.NoError(t, err, "caller %d", i)
		}
		slices.Sort(counts)
		assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, counts, "each failure counted once")
		n, _ := recorded(t, w.Tenant.ID, "key-a")
		assert.Equal(t, callers, n)
	})

	t.Run("InTx", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		at := w.tick()
		record(t, w.Tenant.ID, "key-a", at)
		err := s.InTx(ctx, func(q storage.Queries) error {
			n, _, err := q.RecordLoginFailure(ctx, w.Tenant.ID, "key-a", at.Add(time.Second), window)
			if err != nil {
				return err
			}
			assert.Equal(t, 2, n)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		n, _ := recorded(t, w.Tenant.ID, "key-a")
		assert.Equal(t, 1, n, "a rolled back failure was counted")
	})
}
