package storagetest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newID returns a fresh UUIDv7. IDs made in sequence sort in creation order, which the suite
// relies on to predict "newest first" listings.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// now returns the current time as databases keep it: UTC, microsecond precision.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// clone returns a shallow copy of *p. The suite replaces fields rather than modifying shared
// maps and slices in place, so a shallow copy is enough to keep a "before" snapshot.
func clone[T any](p *T) *T {
	c := *p
	return &c
}

// world is one tenant with a record of every kind it can own, created through a store. Each
// subtest builds its own world, so subtests sharing a store never see each other's rows.
type world struct {
	t   *testing.T
	ctx context.Context
	q   storage.Queries

	Tenant     *tenant.Tenant
	Department *tenant.Department
	Project    *tenant.Project
	Customer   *tenant.Customer
	Template   *device.Template
	Device     *device.Device
	Code       *device.Code
	Priority   *ticket.Priority
	Status     *ticket.Status
	Ticket     *ticket.Ticket
	Session    *ticket.Session
	// User is an admin employee; Team is led by User, its only member.
	User *tenant.User
	Team *tenant.Team

	// base and ticks make the times of the world's records distinct and increasing.
	base  time.Time
	ticks int
	// number is the last ticket Number handed out by newTicket.
	number int64
}

// newWorld creates a tenant named name and one record of every kind in q. Every record it
// creates refers to real records, so stores that enforce foreign keys accept them.
func newWorld(t *testing.T, q storage.Queries, name string) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), q: q, base: now().Add(-time.Hour)}
	w.Tenant = newTenant(name, w.tick())
	require.NoError(t, q.CreateTenant(w.ctx, w.Tenant), "setup: create tenant")
	w.Department = w.addDepartment("Main branch")
	w.Project = w.addProject("Rollout", uuid.Nil)
	w.Customer = w.addCustomer("Acme Water")
	w.Template = w.addTemplate("Pump P-100")
	w.Device = w.addDevice("Pump 1", w.Customer.ID)
	w.Code = w.addCode(w.Device.ID)
	w.Priority = w.addPriority("High", 20)
	w.Status = w.addStatus("New", ticket.StateOpen, 0)
	w.Ticket = w.addTicket(w.newTicket("Water pump leaks"))
	w.Session = w.addSession(w.Ticket.ID)
	w.User = w.addUser("Ada Admin", uuid.Nil, tenant.RoleAdmin)
	w.Team = w.addTeam("Support", w.User.ID, w.User.ID)
	return w
}

// tick returns the world's next timestamp: one second after the previous one.
func (w *world) tick() time.Time {
	w.ticks++
	return w.base.Add(time.Duration(w.ticks) * time.Second)
}

func newTenant(name string, at time.Time) *tenant.Tenant {
	return &tenant.Tenant{
		ID: newID(), Name: name, Language: "de", TicketPrefix: "T",
		CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

func (w *world) newDepartment(name string) *tenant.Department {
	at := w.tick()
	return &tenant.Department{
		ID: newID(), TenantID: w.Tenant.ID, Name: name, CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

func (w *world) addDepartment(name string) *tenant.Department {
	w.t.Helper()
	d := w.newDepartment(name)
	require.NoError(w.t, w.q.CreateDepartment(w.ctx, d), "setup: create department %q", name)
	return d
}

func (w *world) newProject(name string, customerID uuid.UUID) *tenant.Project {
	at := w.tick()
	return &tenant.Project{
		ID: newID(), TenantID: w.Tenant.ID, Name: name, CustomerID: customerID,
		CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

func (w *world) addProject(name string, customerID uuid.UUID) *tenant.Project {
	w.t.Helper()
	p := w.newProject(name, customerID)
	require.NoError(w.t, w.q.CreateProject(w.ctx, p), "setup: create project %q", name)
	return p
}

func (w *world) newCustomer(name string) *tenant.Customer {
	at := w.tick()
	c := &tenant.Customer{
		ID: newID(), TenantID: w.Tenant.ID, Name: name, Language: "fr",
		SupportUntil:  ptr(at.AddDate(1, 0, 0)),
		SignupDomains: []string{"acme.example", "acme-water.example"},
		CreatedAt:     at, UpdatedAt: at, Version: 1,
	}
	if w.Project != nil {
		c.ProjectID = w.Project.ID
	}
	if w.Department != nil {
		c.DepartmentID = w.Department.ID
	}
	return c
}

func (w *world) addCustomer(name string) *tenant.Customer {
	w.t.Helper()
	c := w.newCustomer(name)
	require.NoError(w.t, w.q.CreateCustomer(w.ctx, c), "setup: create customer %q", name)
	return c
}

func (w *world) newTemplate(name string) *device.Template {
	at := w.tick()
	return &device.Template{
		ID: newID(), TenantID: w.Tenant.ID, Name: name, Description: "Centrifugal pump, 100 l/min",
		Fields: []device.FieldDef{
			{Key: "flow_rate", Label: "Flow rate", Type: device.FieldNumber, Required: true, Public: true},
			{Key: "installed", Label: "Installed on", Type: device.FieldDate},
			{Key: "seal", Label: "Seal", Type: device.FieldSelect, Options: []string{"rubber", "ceramic"}},
		},
		Blocks: []device.Block{
			{Kind: device.BlockText, Title: "Safety", Body: "Switch off before opening."},
			{Kind: device.BlockDocument, Title: "Manual", URL: "https://example.com/p100.pdf"},
			{Kind: device.BlockFAQ, Title: "Why does it hum?", Body: "Air in the line."},
		},
		CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

func (w *world) addTemplate(name string) *device.Template {
	w.t.Helper()
	tp := w.newTemplate(name)
	require.NoError(w.t, w.q.CreateTemplate(w.ctx, tp), "setup: create template %q", name)
	return tp
}

func (w *world) newDevice(name string, customerID uuid.UUID) *device.Device {
	at := w.tick()
	d := &device.Device{
		ID: newID(), TenantID: w.Tenant.ID, CustomerID: customerID, Name: name,
		SerialNumber: "SN-" + strings.ToUpper(newID().String()[24:]), Location: "Basement",
		Fields:    map[string]string{"flow_rate": "100", "installed": "2024-05-01", "seal": "rubber"},
		CreatedAt: at, UpdatedAt: at, Version: 1,
	}
	if w.Template != nil {
		d.TemplateID = w.Template.ID
	}
	if w.Project != nil {
		d.ProjectID = w.Project.ID
	}
	return d
}

func (w *world) addDevice(name string, customerID uuid.UUID) *device.Device {
	w.t.Helper()
	d := w.newDevice(name, customerID)
	require.NoError(w.t, w.q.CreateDevice(w.ctx, d), "setup: create device %q", name)
	return d
}

func (w *world) newCode(deviceID uuid.UUID) *device.Code {
	at := w.tick()
	return &device.Code{
		ID: newID(), TenantID: w.Tenant.ID, DeviceID: deviceID, Token: device.NewToken(),
		Active: true, ExpiresAt: ptr(at.AddDate(0, 6, 0)),
		Actions:    []device.Action{device.ActionView, device.ActionOpenTicket},
		PINHash:    "pbkdf2-sha256$600000$c2FsdA$aGFzaA",
		Appearance: device.Appearance{Foreground: "#102030", Background: "#ffffff", Size: 320, Correction: device.CorrectionQuartile, QuietZone: 6, Logo: "logos/one.png", LogoSize: 18},
		CreatedAt:  at, UpdatedAt: at, Version: 1,
	}
}

func (w *world) addCode(deviceID uuid.UUID) *device.Code {
	w.t.Helper()
	c := w.newCode(deviceID)
	require.NoError(w.t, w.q.CreateCode(w.ctx, c), "setup: create code")
	return c
}

func (w *world) newPriority(name string, rank int) *ticket.Priority {
	at := w.tick()
	return &ticket.Priority{
		ID: newID(), TenantID: w.Tenant.ID, Name: name, Rank: rank, CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

func (w *world) addPriority(name string, rank int) *ticket.Priority {
	w.t.Helper()
	p := w.newPriority(name, rank)
	require.NoError(w.t, w.q.CreatePriority(w.ctx, p), "setup: create priority %q", name)
	return p
}

func (w *world) newStatus(name string, state ticket.State, position int) *ticket.Status {
	at := w.tick()
	return &ticket.Status{
		ID: newID(), TenantID: w.Tenant.ID, Name: name, State: state, Position: position,
		CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

func (w *world) addStatus(name string, state ticket.State, position int) *ticket.Status {
	w.t.Helper()
	s := w.newStatus(name, state, position)
	require.NoError(w.t, w.q.CreateStatus(w.ctx, s), "setup: create status %q", name)
	return s
}

// newTicket returns an open ticket with every field set, numbered after the world's previous
// ticket. Callers clear or change fields to craft the ticket they need.
func (w *world) newTicket(title string) *ticket.Ticket {
	at := w.tick()
	w.number++
	t := &ticket.Ticket{
		ID: newID(), TenantID: w.Tenant.ID, Number: w.number, Prefix: w.Tenant.TicketPrefix,
		Title: title, Description: "Reported through the code on the device.",
		Requester: ticket.Contact{Name: "Rita Requester", Email: "rita@example.com", Phone: "+49301234567", Language: "de"},
		Type:      "repair", State: ticket.StateOpen, AssigneeID: newID(), TeamID: newID(),
		Source:      ticket.SourceCode,
		CreatedBy:   tenant.Ref{Kind: tenant.ActorCodeHolder, ID: newID(), Name: "requester"},
		LinkVersion: 1, CreatedAt: at, UpdatedAt: at, Version: 1,
	}
	if w.Customer != nil {
		t.CustomerID = w.Customer.ID
	}
	if w.Device != nil {
		t.DeviceID = w.Device.ID
	}
	if w.Project != nil {
		t.ProjectID = w.Project.ID
	}
	if w.Priority != nil {
		t.PriorityID = w.Priority.ID
	}
	if w.Status != nil {
		t.StatusID = w.Status.ID
	}
	if w.Code != nil {
		t.CodeID = w.Code.ID
		t.CreatedBy.ID = w.Code.ID
	}
	return t
}

func (w *world) addTicket(t *ticket.Ticket) *ticket.Ticket {
	w.t.Helper()
	require.NoError(w.t, w.q.CreateTicket(w.ctx, t), "setup: create ticket %q", t.Title)
	return t
}

func (w *world) newMessage(ticketID uuid.UUID, v ticket.Visibility, body string) *ticket.Message {
	return &ticket.Message{
		ID: newID(), TenantID: w.Tenant.ID, TicketID: ticketID,
		Author: tenant.Ref{Kind: tenant.ActorEmployee, ID: newID(), Name: "Ann Agent"},
		Body:   body, Visibility: v, CreatedAt: w.tick(),
	}
}

func (w *world) addMessage(ticketID uuid.UUID, v ticket.Visibility, body string) *ticket.Message {
	w.t.Helper()
	m := w.newMessage(ticketID, v, body)
	require.NoError(w.t, w.q.CreateMessage(w.ctx, m), "setup: create message")
	return m
}

func (w *world) newHistory(ticketID, sessionID uuid.UUID, action string) *ticket.HistoryEntry {
	return &ticket.HistoryEntry{
		ID: newID(), TenantID: w.Tenant.ID, TicketID: ticketID, SessionID: sessionID,
		Actor:  tenant.Ref{Kind: tenant.ActorEmployee, ID: newID(), Name: "Ann Agent"},
		Action: action, From: string(ticket.StateOpen), To: string(ticket.StateAssigned),
		Reason: "on call", At: w.tick(),
	}
}

func (w *world) addHistory(ticketID, sessionID uuid.UUID, action string) *ticket.HistoryEntry {
	w.t.Helper()
	h := w.newHistory(ticketID, sessionID, action)
	require.NoError(w.t, w.q.AppendHistory(w.ctx, h), "setup: append history")
	return h
}

func (w *world) newSession(ticketID uuid.UUID) *ticket.Session {
	at := w.tick()
	return &ticket.Session{
		ID: newID(), TenantID: w.Tenant.ID, TicketID: ticketID, State: ticket.SessionProposed,
		PlannedAt: ptr(at.Add(24 * time.Hour)), PlannedEnd: ptr(at.Add(25 * time.Hour)),
		AgentID: newID(), CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

func (w *world) addSession(ticketID uuid.UUID) *ticket.Session {
	w.t.Helper()
	s := w.newSession(ticketID)
	require.NoError(w.t, w.q.CreateSession(w.ctx, s), "setup: create session")
	return s
}

// newUser returns an active user with every field set: an employee when customerID is uuid.Nil,
// else a user of that customer. The e-mail address is unique, made from the first name.
func (w *world) newUser(name string, customerID uuid.UUID, role tenant.Role) *tenant.User {
	at := w.tick()
	first, _, _ := strings.Cut(name, " ")
	domain := "operator.example"
	if customerID != uuid.Nil {
		domain = "customer.example"
	}
	return &tenant.User{
		ID: newID(), TenantID: w.Tenant.ID, CustomerID: customerID,
		Email: strings.ToLower(first) + "." + newID().String()[24:] + "@" + domain,
		Name:  name, Phone: "+4930555" + fmt.Sprint(1000+w.ticks), Language: "de", Role: role,
		Status:       tenant.UserActive,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g",
		LastSignInAt: ptr(at.Add(-time.Minute)), CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

func (w *world) addUser(name string, customerID uuid.UUID, role tenant.Role) *tenant.User {
	w.t.Helper()
	u := w.newUser(name, customerID, role)
	require.NoError(w.t, w.q.CreateUser(w.ctx, u), "setup: create user %q", name)
	return u
}

// newTeam returns a team led by supervisorID with the given members, in that order.
func (w *world) newTeam(name string, supervisorID uuid.UUID, members ...uuid.UUID) *tenant.Team {
	at := w.tick()
	return &tenant.Team{
		ID: newID(), TenantID: w.Tenant.ID, Name: name, SupervisorID: supervisorID, Members: members,
		CreatedAt: at, UpdatedAt: at, Version: 1,
	}
}

func (w *world) addTeam(name string, supervisorID uuid.UUID, members ...uuid.UUID) *tenant.Team {
	w.t.Helper()
	tm := w.newTeam(name, supervisorID, members...)
	require.NoError(w.t, w.q.CreateTeam(w.ctx, tm), "setup: create team %q", name)
	return tm
}

func (w *world) newMetaTeam(name string) *tenant.MetaTeam {
	at := w.tick()
	return &tenant.MetaTeam{ID: newID(), TenantID: w.Tenant.ID, Name: name, CreatedAt: at, UpdatedAt: at, Version: 1}
}

func (w *world) addMetaTeam(name string) *tenant.MetaTeam {
	w.t.Helper()
	m := w.newMetaTeam(name)
	require.NoError(w.t, w.q.CreateMetaTeam(w.ctx, m), "setup: create meta-team %q", name)
	return m
}

// newHash returns a distinct hex string shaped like a SHA-256, as token hashes are.
func newHash() string { return strings.ReplaceAll(newID().String()+newID().String(), "-", "") }

// newUserToken returns an unused token of the user, valid for a day.
func (w *world) newUserToken(userID uuid.UUID, purpose tenant.TokenPurpose) *tenant.UserToken {
	at := w.tick()
	return &tenant.UserToken{
		ID: newID(), TenantID: w.Tenant.ID, UserID: userID, Purpose: purpose, Hash: newHash(),
		ExpiresAt: at.Add(24 * time.Hour), CreatedAt: at,
	}
}

func (w *world) addUserToken(userID uuid.UUID, purpose tenant.TokenPurpose) *tenant.UserToken {
	w.t.Helper()
	tk := w.newUserToken(userID, purpose)
	require.NoError(w.t, w.q.CreateUserToken(w.ctx, tk), "setup: create user token")
	return tk
}

// newAuthSession returns a sign-in session of the user, valid for a week.
func (w *world) newAuthSession(userID uuid.UUID) *tenant.AuthSession {
	at := w.tick()
	return &tenant.AuthSession{
		ID: newID(), TenantID: w.Tenant.ID, UserID: userID, TokenHash: newHash(),
		CreatedAt: at, ExpiresAt: at.Add(7 * 24 * time.Hour),
	}
}

func (w *world) addAuthSession(userID uuid.UUID) *tenant.AuthSession {
	w.t.Helper()
	s := w.newAuthSession(userID)
	require.NoError(w.t, w.q.CreateAuthSession(w.ctx, s), "setup: create auth session")
	return s
}

// timeType is the type normalize treats as a value rather than a struct to walk.
var timeType = reflect.TypeFor[time.Time]()

// normalize rewrites, in place, what a store may legitimately change on the way through the
// database: times become UTC at microsecond precision, and empty slices and maps become nil.
func normalize(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			normalize(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == timeType {
			if v.CanSet() {
				v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC().Truncate(time.Microsecond)))
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				normalize(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			if v.CanSet() && !v.IsNil() {
				v.Set(reflect.Zero(v.Type()))
			}
			return
		}
		for i := range v.Len() {
			normalize(v.Index(i))
		}
	case reflect.Map:
		if v.Len() == 0 && v.CanSet() && !v.IsNil() {
			v.Set(reflect.Zero(v.Type()))
		}
	}
}

// assertSame asserts that got equals want once both are normalized. Both must be pointers,
// or slices of pointers, the test owns: they are normalized in place.
func assertSame(t *testing.T, want, got any, msgAndArgs ...any) bool {
	t.Helper()
	normalize(reflect.ValueOf(want))
	normalize(reflect.ValueOf(got))
	return assert.Equal(t, want, got, msgAndArgs...)
}

// ticketIDs returns the IDs of ts, in order.
func ticketIDs(ts []*ticket.Ticket) []uuid.UUID {
	var ids []uuid.UUID // nil when empty, like the want lists it is compared with
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return ids
}

// describe names a ticket filter for failure messages.
func describe(f storage.TicketFilter) string { return fmt.Sprintf("%+v", f) }
