package storagetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Harness makes stores for the suite.
type Harness interface {
	// NewStore returns a fresh, empty, fully migrated store owned by the test; the harness
	// registers its cleanup (closing the store, dropping its database) with t.Cleanup. It fails
	// the test with t.Fatal when no store can be made.
	NewStore(t *testing.T) storage.Store
}

// HarnessFunc adapts a function to Harness.
type HarnessFunc func(t *testing.T) storage.Store

// NewStore calls f(t).
func (f HarnessFunc) NewStore(t *testing.T) storage.Store { return f(t) }

// Run runs every conformance test against h as subtests of t. Each top-level subtest asks h for
// its own store; the cases within it share that store and keep apart by using tenants of their
// own. Subtests run one after another, never in parallel.
func Run(t *testing.T, h Harness) {
	for _, e := range entityTests() {
		e.run(t, h)
	}
	t.Run("Message", func(t *testing.T) { testMessages(t, h) })
	t.Run("History", func(t *testing.T) { testHistory(t, h) })
	t.Run("TicketNumber", func(t *testing.T) { testTicketNumbers(t, h) })
	t.Run("Codes", func(t *testing.T) { testCodes(t, h) })
	t.Run("Isolation", func(t *testing.T) { testIsolation(t, h) })
	t.Run("DeleteTicket", func(t *testing.T) { testDeleteTicket(t, h) })
	t.Run("InTx", func(t *testing.T) { testInTx(t, h) })
	t.Run("ConcurrentUpdate", func(t *testing.T) { testConcurrentUpdate(t, h) })
	t.Run("Pagination", func(t *testing.T) { testPagination(t, h) })
	t.Run("CodePages", func(t *testing.T) { testCodePages(t, h) })
	t.Run("TicketPages", func(t *testing.T) { testTicketPages(t, h) })
	t.Run("TicketFilter", func(t *testing.T) { testTicketFilter(t, h) })
	t.Run("Search", func(t *testing.T) { testSearch(t, h) })
	t.Run("DeviceFilter", func(t *testing.T) { testDeviceFilter(t, h) })
	t.Run("CountTickets", func(t *testing.T) { testCountTickets(t, h) })
	t.Run("Stats", func(t *testing.T) { testStats(t, h) })
	t.Run("Ordering", func(t *testing.T) { testOrdering(t, h) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, h) })
	t.Run("DefaultPriority", func(t *testing.T) { testDefaultPriority(t, h) })
	t.Run("RotateRequesterLinks", func(t *testing.T) { testRotateRequesterLinks(t, h) })
	t.Run("RequestLinks", func(t *testing.T) { testRequestLinks(t, h) })
	t.Run("TenantSMTP", func(t *testing.T) { testTenantSMTP(t, h) })
	t.Run("CannedResponses", func(t *testing.T) { testCannedResponses(t, h) })
	t.Run("Users", func(t *testing.T) { testUsers(t, h) })
	t.Run("UserFilter", func(t *testing.T) { testUserFilter(t, h) })
	t.Run("Teams", func(t *testing.T) { testTeams(t, h) })
	t.Run("DeleteTeam", func(t *testing.T) { testDeleteTeam(t, h) })
	t.Run("Offers", func(t *testing.T) { testOffers(t, h) })
	t.Run("UserTokens", func(t *testing.T) { testUserTokens(t, h) })
	t.Run("AuthSessions", func(t *testing.T) { testAuthSessions(t, h) })
	t.Run("LoginFailures", func(t *testing.T) { testLoginFailures(t, h) })
	t.Run("Notifications", func(t *testing.T) { testNotifications(t, h) })
	t.Run("NotificationClaims", func(t *testing.T) { testNotificationClaims(t, h) })
	t.Run("NotificationTemplates", func(t *testing.T) { testNotificationTemplates(t, h) })
	t.Run("NextTicketNumberTenant", func(t *testing.T) { testNextTicketNumberTenant(t, h) })
	t.Run("SessionLookups", func(t *testing.T) { testSessionLookups(t, h) })
	t.Run("TenantSessions", func(t *testing.T) { testTenantSessions(t, h) })
	t.Run("Timers", func(t *testing.T) { testTimers(t, h) })
	t.Run("Backlog", func(t *testing.T) { testBacklog(t, h) })
	t.Run("TimerClaims", func(t *testing.T) { testTimerClaims(t, h) })
	t.Run("Attachments", func(t *testing.T) { testAttachments(t, h) })
	t.Run("QuotaCounts", func(t *testing.T) { testQuotaCounts(t, h) })
	t.Run("PushSubscriptions", func(t *testing.T) { testPushSubscriptions(t, h) })
	t.Run("APITokens", func(t *testing.T) { testAPITokens(t, h) })
	t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, h) })
	t.Run("WebhookEndpoints", func(t *testing.T) { testWebhookEndpoints(t, h) })
	t.Run("WebhookDeliveries", func(t *testing.T) { testWebhookDeliveries(t, h) })
	t.Run("Housekeeping", func(t *testing.T) { testHousekeeping(t, h) })
	t.Run("Migrations", func(t *testing.T) { testMigrations(t, h) })
}

// entityTest is an entity[E] of any record type.
type entityTest interface {
	run(t *testing.T, h Harness)
}

// entity describes one updatable record type to the create/read/update tests they all share.
type entity[E any] struct {
	name string
	// scoped is false for tenants, which are read by ID alone.
	scoped bool
	// make returns a valid record of w's tenant, with every field set, not yet stored.
	make func(w *world) *E
	// change alters every mutable field of v (it may store records v then refers to).
	change func(w *world, v *E)
	// create, get and update are the store's methods for the type, as method expressions.
	create func(q storage.Queries, ctx context.Context, v *E) error
	get    func(q storage.Queries, ctx context.Context, tenantID, id uuid.UUID) (*E, error)
	update func(q storage.Queries, ctx context.Context, v *E) error
	// keys returns pointers to v's ID, TenantID (nil for tenants) and Version.
	keys func(v *E) (id, tenantID *uuid.UUID, version *int64)
}

func (e entity[E]) id(v *E) uuid.UUID {
	id, _, _ := e.keys(v)
	return *id
}

func (e entity[E]) version(v *E) int64 {
	_, _, version := e.keys(v)
	return *version
}

// getOwn reads v back through the tenant that owns it.
func (e entity[E]) getOwn(ctx context.Context, q storage.Queries, v *E) (*E, error) {
	id, tenantID, _ := e.keys(v)
	tid := uuid.Nil
	if tenantID != nil {
		tid = *tenantID
	}
	return e.get(q, ctx, tid, *id)
}

func (e entity[E]) run(t *testing.T, h Harness) {
	t.Run(e.name, func(t *testing.T) {
		s := h.NewStore(t)
		ctx := context.Background()
		// stored returns a new world and a record made and stored in it.
		stored := func(t *testing.T) (*world, *E) {
			t.Helper()
			w := newWorld(t, s, "Tenant A")
			v := e.make(w)
			require.NoError(t, e.create(s, ctx, v), "create %s", e.name)
			return w, v
		}

		t.Run("CreateGet", func(t *testing.T) {
			_, v := stored(t)
			got, err := e.getOwn(ctx, s, v)
			require.NoError(t, err)
			assertSame(t, clone(v), got, "read back differs from what was created")
		})

		t.Run("GetMissing", func(t *testing.T) {
			w, _ := stored(t)
			v := e.make(w)
			_, err := e.getOwn(ctx, s, v)
			assert.ErrorIs(t, err, storage.ErrNotFound)
		})

		t.Run("Update", func(t *testing.T) {
			w, v := stored(t)
			before := e.version(v)
			e.change(w, v)
			require.NoError(t, e.update(s, ctx, v))
			assert.Equal(t, before+1, e.version(v), "the caller's struct gets the new Version")
			got, err := e.getOwn(ctx, s, v)
			require.NoError(t, err)
			assertSame(t, clone(v), got, "read back differs from what was updated")

			// A second update goes from the Version the first one handed back.
			e.change(w, v)
			require.NoError(t, e.update(s, ctx, v), "update with the Version of the previous update")
			assert.Equal(t, before+2, e.version(v))
			got, err = e.getOwn(ctx, s, v)
			require.NoError(t, err)
			assertSame(t, clone(v), got, "read back differs after the second update")
		})

		t.Run("StaleUpdate", func(t *testing.T) {
			w, v := stored(t)
			first, second := clone(v), clone(v)
			e.change(w, first)
			require.NoError(t, e.update(s, ctx, first))
			e.change(w, second)
			err := e.update(s, ctx, second)
			assert.ErrorIs(t, err, storage.ErrConflict, "update with the Version before the first update")
			got, err := e.getOwn(ctx, s, v)
			require.NoError(t, err)
			assertSame(t, first, got, "a stale update changed the record")
		})

		t.Run("UpdateMissing", func(t *testing.T) {
			w, _ := stored(t)
			v := e.make(w)
			assert.ErrorIs(t, e.update(s, ctx, v), storage.ErrNotFound)
		})

		t.Run("DuplicateID", func(t *testing.T) {
			w, v := stored(t)
			dup := e.make(w)
			id, _, _ := e.keys(dup)
			*id = e.id(v)
			assert.ErrorIs(t, e.create(s, ctx, dup), storage.ErrConflict)
			got, err := e.getOwn(ctx, s, v)
			require.NoError(t, err)
			assertSame(t, clone(v), got, "a rejected create changed the record")
		})

		if !e.scoped {
			return
		}
		t.Run("ForeignTenant", func(t *testing.T) {
			_, v := stored(t)
			other := newWorld(t, s, "Tenant B")
			_, err := e.get(s, ctx, other.Tenant.ID, e.id(v))
			assert.ErrorIs(t, err, storage.ErrNotFound, "read through another tenant")

			foreign := clone(v)
			_, tenantID, _ := e.keys(foreign)
			*tenantID = other.Tenant.ID
			e.change(other, foreign)
			assert.ErrorIs(t, e.update(s, ctx, foreign), storage.ErrNotFound, "update through another tenant")

			got, err := e.getOwn(ctx, s, v)
			require.NoError(t, err)
			assertSame(t, clone(v), got, "an update through another tenant changed the record")
		})
	})
}

// entityTests lists the create/read/update tests of every updatable record type.
func entityTests() []entityTest {
	return []entityTest{
		entity[tenant.Tenant]{
			name: "Tenant",
			make: func(w *world) *tenant.Tenant {
				tn := newTenant("Pumps & Co", w.tick())
				tn.DefaultTeamID = newID()
				tn.Settings = tenant.Settings{SelfRegistration: true, PublicAccessDays: 14,
					Notifications: notify.Switches{}.Set(notify.TicketAccepted, notify.SMS, false).Set(notify.TicketDone, notify.SMS, true),
					SupportLink:   "https://pumps.example/support"}
				return tn
			},
			change: func(w *world, v *tenant.Tenant) {
				v.Name += " GmbH"
				v.Language = "pl"
				v.TicketPrefix = "SRV"
				v.DefaultTeamID = newID()
				v.Settings = tenant.Settings{SelfRegistration: !v.Settings.SelfRegistration, PublicAccessDays: v.Settings.PublicAccessDays + 7,
					Notifications: notify.Switches{}.Set(notify.CommentAdded, notify.Email, !v.Settings.Notifications.On(notify.CommentAdded, notify.Email)),
					SupportLink:   v.Settings.SupportLink + "/pl"}
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateTenant,
			get: func(q storage.Queries, ctx context.Context, _, id uuid.UUID) (*tenant.Tenant, error) {
				return q.GetTenant(ctx, id)
			},
			update: storage.Queries.UpdateTenant,
			keys:   func(v *tenant.Tenant) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, nil, &v.Version },
		},
		entity[tenant.Customer]{
			name: "Customer", scoped: true,
			make: func(w *world) *tenant.Customer { return w.newCustomer("Bravo Bakery") },
			change: func(w *world, v *tenant.Customer) {
				v.Name += " Ltd"
				v.Language = "es"
				v.ProjectID = uuid.Nil
				v.DepartmentID = uuid.Nil
				v.SupportUntil = nil
				if len(v.SignupDomains) > 1 { // from two domains to one, then to none
					v.SignupDomains = []string{"bravo.example"}
				} else {
					v.SignupDomains = nil
				}
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateCustomer,
			get:    storage.Queries.GetCustomer,
			update: storage.Queries.UpdateCustomer,
			keys:   func(v *tenant.Customer) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[tenant.Department]{
			name: "Department", scoped: true,
			make: func(w *world) *tenant.Department { return w.newDepartment("North") },
			change: func(w *world, v *tenant.Department) {
				v.Name += " (Hamburg)"
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateDepartment,
			get:    storage.Queries.GetDepartment,
			update: storage.Queries.UpdateDepartment,
			keys:   func(v *tenant.Department) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[tenant.Project]{
			name: "Project", scoped: true,
			make: func(w *world) *tenant.Project { return w.newProject("Audit", uuid.Nil) },
			change: func(w *world, v *tenant.Project) {
				v.Name += " 2025"
				v.CustomerID = w.Customer.ID
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateProject,
			get:    storage.Queries.GetProject,
			update: storage.Queries.UpdateProject,
			keys:   func(v *tenant.Project) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[device.Device]{
			name: "Device", scoped: true,
			make: func(w *world) *device.Device { return w.newDevice("Pump 2", w.Customer.ID) },
			change: func(w *world, v *device.Device) {
				v.Name += " (spare)"
				v.SerialNumber += "-B"
				v.Location = "Roof"
				v.CustomerID = uuid.Nil
				v.ProjectID = uuid.Nil
				v.Fields = map[string]string{"flow_rate": "120", "seal": "ceramic", "note": "ünïcödé ✓"}
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateDevice,
			get:    storage.Queries.GetDevice,
			update: storage.Queries.UpdateDevice,
			keys:   func(v *device.Device) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[device.Template]{
			name: "Template", scoped: true,
			make: func(w *world) *device.Template { return w.newTemplate("Valve V-2") },
			change: func(w *world, v *device.Template) {
				v.Name += " rev. B"
				v.Description = "Ball valve"
				v.Fields = []device.FieldDef{
					{Key: "diameter", Label: "Diameter (mm)", Type: device.FieldNumber, Required: true},
					{Key: "material", Label: "Material", Type: device.FieldSelect, Options: []string{"brass", "steel", "pvc"}, Public: true},
				}
				v.Blocks = []device.Block{{Kind: device.BlockLink, Title: "Spare parts", URL: "https://example.com/parts"}}
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateTemplate,
			get:    storage.Queries.GetTemplate,
			update: storage.Queries.UpdateTemplate,
			keys:   func(v *device.Template) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[device.Code]{
			name: "Code", scoped: true,
			make: func(w *world) *device.Code { return w.newCode(w.Device.ID) },
			change: func(w *world, v *device.Code) {
				v.Active = !v.Active
				v.ExpiresAt = nil
				v.Actions = device.Actions()
				v.PINHash = ""
				v.Appearance = device.DefaultAppearance()
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateCode,
			get:    storage.Queries.GetCode,
			update: storage.Queries.UpdateCode,
			keys:   func(v *device.Code) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[ticket.Ticket]{
			name: "Ticket", scoped: true,
			make: func(w *world) *ticket.Ticket {
				tk := w.newTicket("Water pump leaks")
				tk.State = ticket.StateClosed
				tk.Rating = &ticket.Rating{Stars: 4, Comment: "Fixed within the hour", At: w.tick()}
				tk.CloseReason = "fixed"
				tk.ClosedAt = ptr(w.tick())
				tk.UploadsUntil = ptr(w.tick().Add(7 * 24 * time.Hour))
				return tk
			},
			change: func(w *world, v *ticket.Ticket) {
				v.Title = "Water pump leaks again"
				v.Description = "The seal failed a second time."
				v.Requester = ticket.Contact{Name: "Rolf Requester", Email: "rolf@example.org", Phone: "+48221234567", Language: "pl"}
				v.DeviceID = uuid.Nil
				v.CustomerID = uuid.Nil
				v.ProjectID = uuid.Nil
				v.Type = "maintenance"
				v.PriorityID = w.addPriority("Low", 10).ID
				v.StatusID = w.addStatus("Reopened", ticket.StateAssigned, 1).ID
				v.State = ticket.StateAssigned
				v.AssigneeID = newID()
				v.TeamID = uuid.Nil
				v.Rating = nil
				v.CloseReason = ""
				v.ClosedAt = nil
				// Reopened (the window closes), then done again (it opens anew).
				if v.UploadsUntil != nil {
					v.UploadsUntil = nil
				} else {
					v.UploadsUntil = ptr(w.tick().Add(24 * time.Hour))
				}
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateTicket,
			get:    storage.Queries.GetTicket,
			update: storage.Queries.UpdateTicket,
			keys:   func(v *ticket.Ticket) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[ticket.Session]{
			name: "Session", scoped: true,
			make: func(w *world) *ticket.Session { return w.newSession(w.Ticket.ID) },
			change: func(w *world, v *ticket.Session) {
				v.State = ticket.SessionDone
				v.PlannedEnd = nil
				v.AgentID = newID()
				v.Room = "room-" + newID().String()
				v.StartedAt = ptr(w.tick())
				v.EndedAt = ptr(w.tick())
				v.Rating = &ticket.Rating{Stars: 5, Comment: "Clear picture", At: w.tick()}
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateSession,
			get:    storage.Queries.GetSession,
			update: storage.Queries.UpdateSession,
			keys:   func(v *ticket.Session) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[ticket.Status]{
			name: "Status", scoped: true,
			make: func(w *world) *ticket.Status {
				s := w.newStatus("Waiting for parts", ticket.StateWaiting, 3)
				s.Default = true
				return s
			},
			change: func(w *world, v *ticket.Status) {
				v.Name = "Parts ordered"
				v.State = ticket.StateInProgress
				v.Default = !v.Default
				v.Position++
				v.Retired = !v.Retired
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateStatus,
			get:    storage.Queries.GetStatus,
			update: storage.Queries.UpdateStatus,
			keys:   func(v *ticket.Status) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[ticket.Priority]{
			name: "Priority", scoped: true,
			make: func(w *world) *ticket.Priority {
				p := w.newPriority("Urgent", 40)
				p.Default = true
				return p
			},
			change: func(w *world, v *ticket.Priority) {
				v.Name = "Critical"
				v.Rank += 10
				v.Default = !v.Default
				v.Retired = !v.Retired
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreatePriority,
			get:    storage.Queries.GetPriority,
			update: storage.Queries.UpdatePriority,
			keys:   func(v *ticket.Priority) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[ticket.CannedResponse]{
			name: "CannedResponse", scoped: true,
			make: func(w *world) *ticket.CannedResponse {
				at := w.tick()
				return &ticket.CannedResponse{ID: newID(), TenantID: w.Tenant.ID, Language: "de", Title: "Begrüßung",
					Body: "Hallo {{.recipient_name}},\nwir kümmern uns um {{.ticket_ref}}.", CreatedAt: at, UpdatedAt: at, Version: 1}
			},
			change: func(w *world, v *ticket.CannedResponse) {
				v.Language = "pl"
				v.Title = "Powitanie"
				v.Body = "Dzień dobry {{.recipient_name}}"
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateCannedResponse,
			get:    storage.Queries.GetCannedResponse,
			update: storage.Queries.UpdateCannedResponse,
			keys:   func(v *ticket.CannedResponse) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[tenant.User]{
			name: "User", scoped: true,
			make: func(w *world) *tenant.User {
				u := w.newUser("Cora Customer", w.Customer.ID, tenant.RoleCustomerAdmin)
				u.Push = true
				return u
			},
			change: func(w *world, v *tenant.User) {
				v.Push = !v.Push
				v.CustomerID = uuid.Nil
				v.Email = "cora." + newID().String()[24:] + "@operator.example"
				v.Name += "-Smith"
				v.Phone = "+48221234567"
				v.Language = "pl"
				v.Role = tenant.RoleSupervisor
				v.Status = tenant.UserDeactivated
				v.DepartmentID = newID()
				v.PasswordHash = "$argon2id$v=19$m=65536,t=3,p=4$bmV3c2FsdA$bmV3aGFzaA"
				v.LastSignInAt = ptr(w.tick())
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateUser,
			get:    storage.Queries.GetUser,
			update: storage.Queries.UpdateUser,
			keys:   func(v *tenant.User) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[tenant.Team]{
			name: "Team", scoped: true,
			make: func(w *world) *tenant.Team {
				tm := w.newTeam("Field service", w.User.ID, newID(), w.User.ID, newID())
				tm.MetaTeamID = w.addMetaTeam("Operations").ID
				return tm
			},
			change: func(w *world, v *tenant.Team) {
				v.Name += " North"
				v.SupervisorID = newID()
				v.MetaTeamID = uuid.Nil
				// Members are replaced: one kept, one dropped, the order changed, one added.
				members := slices.Clone(v.Members[1:])
				slices.Reverse(members)
				v.Members = append(members, newID())
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateTeam,
			get:    storage.Queries.GetTeam,
			update: storage.Queries.UpdateTeam,
			keys:   func(v *tenant.Team) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
		entity[notify.Template]{
			name: "NotificationTemplate", scoped: true,
			make: func(w *world) *notify.Template { return w.newNotificationTemplate() },
			change: func(w *world, v *notify.Template) {
				v.Channel = notify.InApp
				v.Language = "pt-BR"
				v.Subject = "{{.ticket_ref}}"
				v.Text = "{{if .comment}}{{.comment}}{{else}}{{.title}}{{end}}"
				v.HTML = ""
				v.HeaderImage = ""
				v.Link = "{{.ticket_link}}"
				v.Enabled = !v.Enabled
				v.UpdatedAt = w.tick()
			},
			create: storage.Queries.CreateNotificationTemplate,
			get:    storage.Queries.GetNotificationTemplate,
			update: storage.Queries.UpdateNotificationTemplate,
			keys:   func(v *notify.Template) (*uuid.UUID, *uuid.UUID, *int64) { return &v.ID, &v.TenantID, &v.Version },
		},
	}
}

// testMessages checks that messages round-trip and that internal ones are listed only on request.
func testMessages(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("CreateList", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		m1 := w.addMessage(w.Ticket.ID, ticket.Public, "The pump is leaking again.")
		m2 := w.addMessage(w.Ticket.ID, ticket.Internal, "Check the seal batch.")
		m3 := w.addMessage(w.Ticket.ID, ticket.Public, "A technician comes tomorrow.")
		other := w.addTicket(w.newTicket("Display flickers"))
		w.addMessage(other.ID, ticket.Public, "Not about the pump.")

		all, err := listMessages(ctx, s, w.Tenant.ID, w.Ticket.ID, true)
		require.NoError(t, err)
		assertSame(t, []*ticket.Message{clone(m1), clone(m2), clone(m3)}, all, "with internal messages, oldest first")

		public, err := listMessages(ctx, s, w.Tenant.ID, w.Ticket.ID, false)
		require.NoError(t, err)
		assertSame(t, []*ticket.Message{clone(m1), clone(m3)}, public, "without internal messages, oldest first")
	})

	t.Run("Empty", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		msgs, err := listMessages(ctx, s, w.Tenant.ID, w.Ticket.ID, true)
		require.NoError(t, err)
		assert.Empty(t, msgs)
	})

	t.Run("DuplicateID", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		m := w.addMessage(w.Ticket.ID, ticket.Public, "first")
		dup := w.newMessage(w.Ticket.ID, ticket.Public, "second")
		dup.ID = m.ID
		assert.ErrorIs(t, s.CreateMessage(ctx, dup), storage.ErrConflict)
		msgs, err := listMessages(ctx, s, w.Tenant.ID, w.Ticket.ID, true)
		require.NoError(t, err)
		assertSame(t, []*ticket.Message{clone(m)}, msgs)
	})
}

// testHistory checks that history entries round-trip and list oldest first, sessions' included.
func testHistory(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("AppendList", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		e1 := w.addHistory(w.Ticket.ID, uuid.Nil, "accept")
		e2 := w.addHistory(w.Ticket.ID, w.Session.ID, "session.propose")
		e3 := w.newHistory(w.Ticket.ID, uuid.Nil, "create")
		e3.Actor = tenant.Ref{Kind: tenant.ActorSystem, Name: "system"}
		e3.From, e3.To, e3.Reason = "", "", ""
		require.NoError(t, s.AppendHistory(ctx, e3))
		other := w.addTicket(w.newTicket("Display flickers"))
		w.addHistory(other.ID, uuid.Nil, "accept")

		got, err := listHistory(ctx, s, w.Tenant.ID, w.Ticket.ID)
		require.NoError(t, err)
		assertSame(t, []*ticket.HistoryEntry{clone(e1), clone(e2), clone(e3)}, got, "oldest first, the session's included")
	})

	t.Run("DuplicateID", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		e := w.addHistory(w.Ticket.ID, uuid.Nil, "accept")
		dup := w.newHistory(w.Ticket.ID, uuid.Nil, "start")
		dup.ID = e.ID
		assert.ErrorIs(t, s.AppendHistory(ctx, dup), storage.ErrConflict)
		got, err := listHistory(ctx, s, w.Tenant.ID, w.Ticket.ID)
		require.NoError(t, err)
		assertSame(t, []*ticket.HistoryEntry{clone(e)}, got)
	})
}

// errRollback is what the suite's transactions return to make the store roll back.
var errRollback = errors.New("storagetest: roll back")
