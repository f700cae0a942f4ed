package storage

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// Errors every Store returns, possibly wrapped; test with errors.Is.
var (
	// ErrNotFound means the record does not exist within the tenant asked about. A record of
	// another tenant is reported as not found, never as forbidden, so existence does not leak.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a write lost a race: the record's Version changed since it was read, or
	// a unique value (such as a code token) is already taken.
	ErrConflict = errors.New("conflict")
	// ErrInvalidCursor means a page cursor is malformed, or, for the listings of one ticket's
	// rows (messages, history, sessions, attachments), names no row of that listing: a cursor
	// of another ticket, tenant or listing, or of a row the listing leaves out. A cursor
	// carries the last row's ID only, so the other listings do not detect a well-formed cursor
	// from another listing: they just page on from that ID.
	ErrInvalidCursor = errors.New("invalid page cursor")
	// ErrUnavailable means the database could not be reached or would not serve: it refused or
	// dropped the connection (it is restarting, or the network failed), had no connection left
	// for it, or cancelled the statement. Retrying later may succeed. A write that failed this
	// way may still have committed if the connection was lost while the commit was under way, so
	// retry writes that must not happen twice with an idempotency key. Stores wrap it around the
	// driver's error; [Unreachable] also recognises such errors that a store passed on unwrapped.
	ErrUnavailable = errors.New("database unavailable")
)

// Store is the persistence port of the helpdesk. Every method is scoped by tenant: a record is
// only ever read or written through the ID of the tenant that owns it.
//
// Updates are optimistic: the record's Version must equal the stored one; the store increments
// it and sets the caller's struct to the new Version. A stale Version returns ErrConflict.
// Timestamps are the caller's: the store persists CreatedAt and UpdatedAt as given (CreatedAt
// never changes after creation).
type Store interface {
	Queries
	// InTx runs fn in one transaction: everything fn writes through q commits together when fn
	// returns nil, and nothing does otherwise. fn's error is returned as is (wrapped errors keep
	// their identity). Returns ErrConflict when the database aborted the transaction for a
	// serialization failure or deadlock.
	InTx(ctx context.Context, fn func(q Queries) error) error
	// Close releases the store's connections.
	Close() error
}

// Migrator is implemented by stores whose schema is versioned. MigrateUp applies every pending
// migration and MigrateDown rolls back every applied one; both are idempotent.
type Migrator interface {
	MigrateUp(ctx context.Context) error
	MigrateDown(ctx context.Context) error
}

// Queries are the reads and writes a Store offers, either directly or inside InTx.
type Queries interface {
	Tenants
	TenantSMTP
	Customers
	Departments
	Projects
	Devices
	Templates
	Codes
	Tickets
	Messages
	History
	Sessions
	Offers
	Statuses
	Priorities
	CannedResponses
	Audit
	Users
	Teams
	UserTokens
	RequestLinks
	AuthSessions
	LoginFailures
	Outbox
	NotificationTemplates
	Timers
	Attachments
	Stats
	PushSubscriptions
	APITokens
	Idempotency
	Webhooks
	Housekeeping
}

// PushSubscriptions stores users' Web Push subscriptions: the browsers a user asked to be
// notified in. An endpoint belongs to one subscription in a tenant.
type PushSubscriptions interface {
	// CreatePushSubscription inserts s, whose ID and CreatedAt the caller sets. Returns
	// ErrConflict if the ID is taken or the tenant already has a subscription with s.Endpoint,
	// and ErrNotFound if there is no such user.
	CreatePushSubscription(ctx context.Context, s *notify.PushSubscription) error
	// ListPushSubscriptions returns the user's subscriptions, oldest first.
	ListPushSubscriptions(ctx context.Context, tenantID, userID uuid.UUID) ([]*notify.PushSubscription, error)
	// DeletePushSubscription removes the user's subscription id. Returns ErrNotFound if the
	// user has no such subscription.
	DeletePushSubscription(ctx context.Context, tenantID, userID, id uuid.UUID) error
	// DeletePushSubscriptionEndpoint removes the tenant's subscription with endpoint, whoever
	// made it, and reports whether there was one.
	DeletePushSubscriptionEndpoint(ctx context.Context, tenantID uuid.UUID, endpoint string) (bool, error)
}

// TenantSMTP stores the tenants' own mail servers, one per tenant at most.
type TenantSMTP interface {
	// GetTenantSMTP returns the tenant's SMTP settings, with SealedPassword as stored and
	// PasswordSet true when it is not empty. Returns ErrNotFound if the tenant has none.
	GetTenantSMTP(ctx context.Context, tenantID uuid.UUID) (*tenant.SMTP, error)
	// PutTenantSMTP inserts s, or replaces the tenant's settings. Returns ErrNotFound if there
	// is no such tenant.
	PutTenantSMTP(ctx context.Context, s *tenant.SMTP) error
	// ResealTenantSMTP replaces the tenant's sealed password old by sealed (the same password
	// sealed under another key). Returns ErrConflict if the stored sealed password is no longer
	// old (the settings changed meanwhile) and ErrNotFound if the tenant has no settings.
	ResealTenantSMTP(ctx context.Context, tenantID uuid.UUID, old, sealed string) error
	// DeleteTenantSMTP removes the tenant's settings. Returns ErrNotFound if it has none.
	DeleteTenantSMTP(ctx context.Context, tenantID uuid.UUID) error
}

// Tenants stores operators.
type Tenants interface {
	// CreateTenant inserts t (ID and timestamps set by the caller). Returns ErrConflict if the ID
	// is taken.
	CreateTenant(ctx context.Context, t *tenant.Tenant) error
	// GetTenant returns ErrNotFound if there is no such tenant.
	GetTenant(ctx context.Context, id uuid.UUID) (*tenant.Tenant, error)
	// UpdateTenant returns ErrNotFound if there is no such tenant and ErrConflict if t.Version is stale.
	UpdateTenant(ctx context.Context, t *tenant.Tenant) error
	// NextTicketNumber reserves the tenant's next ticket number (1, 2, …) and returns it with
	// the tenant as the reservation left it, which gives a new ticket its prefix (number and
	// prefix make the reference), and its default team. Inside a transaction
	// the number is released again if the transaction rolls back. Returns ErrNotFound if there is no such tenant.
	NextTicketNumber(ctx context.Context, tenantID uuid.UUID) (TicketNumber, error)
}

// Customers stores the corporate customers of a tenant.
type Customers interface {
	// CreateCustomer returns ErrConflict if the ID is taken.
	CreateCustomer(ctx context.Context, c *tenant.Customer) error
	// GetCustomer returns ErrNotFound if the tenant has no such customer.
	GetCustomer(ctx context.Context, tenantID, id uuid.UUID) (*tenant.Customer, error)
	// UpdateCustomer returns ErrNotFound or ErrConflict (stale Version).
	UpdateCustomer(ctx context.Context, c *tenant.Customer) error
	// ListCustomers returns the tenant's customers by name.
	ListCustomers(ctx context.Context, tenantID uuid.UUID) ([]*tenant.Customer, error)
}

// Departments stores an operator's branches.
type Departments interface {
	// CreateDepartment returns ErrConflict if the ID is taken.
	CreateDepartment(ctx context.Context, d *tenant.Department) error
	// GetDepartment returns ErrNotFound if the tenant has no such department.
	GetDepartment(ctx context.Context, tenantID, id uuid.UUID) (*tenant.Department, error)
	// UpdateDepartment returns ErrNotFound or ErrConflict (stale Version).
	UpdateDepartment(ctx context.Context, d *tenant.Department) error
	// ListDepartments returns the tenant's departments by name.
	ListDepartments(ctx context.Context, tenantID uuid.UUID) ([]*tenant.Department, error)
}

// Projects stores projects.
type Projects interface {
	// CreateProject returns ErrConflict if the ID is taken.
	CreateProject(ctx context.Context, p *tenant.Project) error
	// GetProject returns ErrNotFound if the tenant has no such project.
	GetProject(ctx context.Context, tenantID, id uuid.UUID) (*tenant.Project, error)
	// UpdateProject returns ErrNotFound or ErrConflict (stale Version).
	UpdateProject(ctx context.Context, p *tenant.Project) error
	// ListProjects returns the tenant's projects by name.
	ListProjects(ctx context.Context, tenantID uuid.UUID) ([]*tenant.Project, error)
}

// DeviceFilter narrows ListDevices; zero fields match everything.
type DeviceFilter struct {
	CustomerID uuid.UUID
	TemplateID uuid.UUID
	// Text matches name or serial number, case-insensitively.
	Text string
}

// Devices stores devices.
type Devices interface {
	// CreateDevice returns ErrConflict if the ID is taken.
	CreateDevice(ctx context.Context, d *device.Device) error
	// GetDevice returns ErrNotFound if the tenant has no such device.
	GetDevice(ctx context.Context, tenantID, id uuid.UUID) (*device.Device, error)
	// UpdateDevice returns ErrNotFound or ErrConflict (stale Version).
	UpdateDevice(ctx context.Context, d *device.Device) error
	// ListDevices returns a page of the tenant's devices, newest first. Returns
	// ErrInvalidCursor for a malformed cursor.
	ListDevices(ctx context.Context, tenantID uuid.UUID, f DeviceFilter, p PageRequest) (Page[*device.Device], error)
}

// Templates stores device templates.
type Templates interface {
	// CreateTemplate returns ErrConflict if the ID is taken.
	CreateTemplate(ctx context.Context, t *device.Template) error
	// GetTemplate returns ErrNotFound if the tenant has no such template.
	GetTemplate(ctx context.Context, tenantID, id uuid.UUID) (*device.Template, error)
	// UpdateTemplate returns ErrNotFound or ErrConflict (stale Version).
	UpdateTemplate(ctx context.Context, t *device.Template) error
	// ListTemplates returns the tenant's templates by name.
	ListTemplates(ctx context.Context, tenantID uuid.UUID) ([]*device.Template, error)
}

// CodeFilter narrows PageCodes; zero fields match everything.
type CodeFilter struct {
	DeviceID uuid.UUID
	// Active, when not nil, matches the codes switched on (true) or off (false).
	Active *bool
}

// Codes stores device codes.
type Codes interface {
	// CreateCode returns ErrConflict if the ID or the token is taken.
	CreateCode(ctx context.Context, c *device.Code) error
	// GetCode returns ErrNotFound if the tenant has no such code.
	GetCode(ctx context.Context, tenantID, id uuid.UUID) (*device.Code, error)
	// GetCodeByToken finds a code by its secret token, whatever its tenant: the token is the
	// credential. Returns ErrNotFound if no code has that token, such as one that is not valid
	// UTF-8 or holds a NUL byte (text no record can hold).
	GetCodeByToken(ctx context.Context, token string) (*device.Code, error)
	// UpdateCode returns ErrNotFound or ErrConflict (stale Version).
	UpdateCode(ctx context.Context, c *device.Code) error
	// RecordCodeScan increments the code's scan count and sets its last scan time, without
	// touching its Version (scans never conflict with edits). Returns ErrNotFound.
	RecordCodeScan(ctx context.Context, tenantID, id uuid.UUID, at time.Time) error
	// ListCodes returns the device's codes, oldest first.
	ListCodes(ctx context.Context, tenantID, deviceID uuid.UUID) ([]*device.Code, error)
	// PageCodes returns a page of the tenant's codes matching f, newest first. Returns
	// ErrInvalidCursor for a malformed cursor.
	PageCodes(ctx context.Context, tenantID uuid.UUID, f CodeFilter, p PageRequest) (Page[*device.Code], error)
}

// TicketFilter narrows ListTickets; zero fields match everything and fields combine with AND.
type TicketFilter struct {
	// States matches any of the listed built-in states.
	States []ticket.State
	// PriorityIDs matches any of the listed priorities.
	PriorityIDs []uuid.UUID
	AssigneeID  uuid.UUID
	// Unassigned matches tickets without an assignee (AssigneeID is then ignored).
	Unassigned bool
	TeamID     uuid.UUID
	CustomerID uuid.UUID
	DeviceID   uuid.UUID
	ProjectID  uuid.UUID
	// CodeID matches tickets opened through one device code.
	CodeID uuid.UUID
	// Text searches the tickets' words: the reference, title, description, requester name and
	// e-mail address, and the public messages (internal ones too with TextInternal). Case and
	// accents do not matter; every word must occur, the last one as a prefix unless Text ends
	// in a space; a Text without a letter or digit matches nothing. With a Text, ListTickets
	// orders by relevance, then newest first (see ListTickets).
	Text string
	// TextInternal lets Text match internal messages as well. The Desk sets it for the actors
	// who may read internal messages, and clears it for everyone else.
	TextInternal bool
}

// SessionFilter narrows ListTenantSessions; zero fields match everything.
type SessionFilter struct {
	// States matches any of the listed session states.
	States []ticket.SessionState
	// PlannedFrom (inclusive) and PlannedTo (exclusive) bound the planned start; either one
	// leaves out the sessions without a planned time.
	PlannedFrom, PlannedTo time.Time
	// CustomerID matches the sessions of the customer's tickets.
	CustomerID uuid.UUID
	// AgentID matches the sessions of one employee (who invited, proposed or confirmed).
	AgentID uuid.UUID
}

// TicketNumber is what NextTicketNumber reserves and reads for a new ticket, in one statement.
type TicketNumber struct {
	// Number is the ticket's number within its tenant.
	Number int64
	// Tenant is the whole tenant as the reservation left it, so that the new ticket's
	// transaction needs no second read of it.
	Tenant *tenant.Tenant
}

// CountFilter scopes CountTickets within a tenant; zero fields match everything.
type CountFilter struct {
	CustomerID uuid.UUID
	DeviceID   uuid.UUID
}

// Tickets stores tickets.
type Tickets interface {
	// CreateTicket returns ErrConflict if the ID or the tenant's Number is taken.
	CreateTicket(ctx context.Context, t *ticket.Ticket) error
	// GetTicket returns ErrNotFound if the tenant has no such ticket.
	GetTicket(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Ticket, error)
	// GetTicketForUpdate is GetTicket that also holds the ticket's row lock until the
	// transaction ends, where the database locks rows (PostgreSQL: FOR UPDATE; SQLite's write
	// transactions already exclude one another). A transaction that changes a ticket reads it
	// this way before it writes anything of the ticket's, so that all of them take their locks in
	// one order (the ticket, then its offers, timers and sessions) and never deadlock one another.
	GetTicketForUpdate(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Ticket, error)
	// GetTicketByNumber returns ErrNotFound if the tenant has no ticket with that number.
	GetTicketByNumber(ctx context.Context, tenantID uuid.UUID, number int64) (*ticket.Ticket, error)
	// UpdateTicket returns ErrNotFound or ErrConflict (stale Version).
	UpdateTicket(ctx context.Context, t *ticket.Ticket) error
	// RotateRequesterLinks raises LinkVersion (and Version, with UpdatedAt set to at) of every
	// ticket of the tenant that createdByID created, in one statement, and returns how many it
	// changed: every requester link of theirs stops working.
	RotateRequesterLinks(ctx context.Context, tenantID, createdByID uuid.UUID, at time.Time) (int, error)
	// DeleteTicket removes the ticket with its messages, history, sessions, offers, timers and
	// attachments (their metadata: the caller deletes the blobs). Returns ErrNotFound.
	DeleteTicket(ctx context.Context, tenantID, id uuid.UUID) error
	// ListTickets returns a page of the tenant's tickets matching f, newest first. Pages are
	// keyset-paginated: rows inserted while a client pages neither repeat nor push rows off a
	// page. With f.Text the order is relevance, then newest first, among the newest 1,000
	// matches, and the older matches follow newest first; the first page fixes that window,
	// so its cursors stay exact too. Returns ErrInvalidCursor for a malformed cursor (a search
	// page's cursor is valid only for a search, and the other way round).
	ListTickets(ctx context.Context, tenantID uuid.UUID, f TicketFilter, p PageRequest) (Page[*ticket.Ticket], error)
	// CountTickets returns the number of the tenant's tickets per state, for a dashboard. States
	// without tickets are absent from the map.
	CountTickets(ctx context.Context, tenantID uuid.UUID, f CountFilter) (map[ticket.State]int, error)
	// CountCodeTickets returns how many of the tenant's tickets were opened through the device
	// code codeID and created after since (a ticket created at since itself is not counted),
	// for the code's hourly quota. Its cost follows those tickets, not the tenant's. Returns 0
	// for uuid.Nil.
	CountCodeTickets(ctx context.Context, tenantID, codeID uuid.UUID, since time.Time) (int, error)
}

// Messages stores ticket messages.
type Messages interface {
	// CreateMessage returns ErrConflict if the ID is taken.
	CreateMessage(ctx context.Context, m *ticket.Message) error
	// ListMessages returns a page of the ticket's messages, oldest first (by CreatedAt, then
	// ID); internal ones only when includeInternal is set. Returns ErrInvalidCursor for a
	// malformed cursor or one naming no message of this listing.
	ListMessages(ctx context.Context, tenantID, ticketID uuid.UUID, includeInternal bool, p PageRequest) (Page[*ticket.Message], error)
}

// HistoryFilter narrows ListHistory; the zero value matches every entry.
type HistoryFilter struct {
	// ExcludeActions leaves out the entries whose Action is one of these.
	ExcludeActions []string
}

// History stores the audit trail of tickets and sessions.
type History interface {
	// AppendHistory writes one entry. Returns ErrConflict if the ID is taken.
	AppendHistory(ctx context.Context, h *ticket.HistoryEntry) error
	// ListHistory returns a page of the ticket's entries matching f (its sessions' included),
	// oldest first (by At, then ID). Returns ErrInvalidCursor for a malformed cursor or one
	// naming no entry of this listing.
	ListHistory(ctx context.Context, tenantID, ticketID uuid.UUID, f HistoryFilter, p PageRequest) (Page[*ticket.HistoryEntry], error)
}

// Sessions stores video sessions.
type Sessions interface {
	// CreateSession returns ErrConflict if the ID or the link hash is taken.
	CreateSession(ctx context.Context, s *ticket.Session) error
	// GetSession returns ErrNotFound if the tenant has no such session.
	GetSession(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Session, error)
	// UpdateSession returns ErrNotFound or ErrConflict (stale Version).
	UpdateSession(ctx context.Context, s *ticket.Session) error
	// ListSessions returns a page of the ticket's sessions, oldest first (by CreatedAt, then
	// ID). Returns ErrInvalidCursor for a malformed cursor or one naming no session of the
	// ticket.
	ListSessions(ctx context.Context, tenantID, ticketID uuid.UUID, p PageRequest) (Page[*ticket.Session], error)
	// ListTenantSessions returns a page of the tenant's sessions matching f, across its
	// tickets, newest first (by ID).
	ListTenantSessions(ctx context.Context, tenantID uuid.UUID, f SessionFilter, p PageRequest) (Page[*ticket.Session], error)
	// GetSessionByRoom finds a session by its video room's name, whatever its tenant (a
	// provider's callback names only the room). Returns ErrNotFound if none has it (a name
	// that is not valid UTF-8 or holds a NUL byte included).
	GetSessionByRoom(ctx context.Context, room string) (*ticket.Session, error)
	// CountSessions returns how many of the ticket's sessions are in one of states; with no
	// states, how many it has.
	CountSessions(ctx context.Context, tenantID, ticketID uuid.UUID, states ...ticket.SessionState) (int, error)
}

// OfferFilter narrows ListOffers; zero fields match everything and fields combine with AND.
type OfferFilter struct {
	TicketID uuid.UUID
	// UserID matches the offers made to one employee.
	UserID uuid.UUID
	// States matches any of the listed states.
	States []ticket.OfferState
}

// Offers stores the offers of open tickets to the members of their team.
type Offers interface {
	// CreateOffers inserts every offer of offers, in one statement. Returns ErrConflict if an
	// ID is taken.
	CreateOffers(ctx context.Context, offers []*ticket.Offer) error
	// AcceptOffer closes the open offer of the ticket to userID as accepted at at. Of
	// concurrent calls on one offer exactly one succeeds. Returns ErrNotFound if the tenant
	// has no open offer of the ticket to that user.
	AcceptOffer(ctx context.Context, tenantID, ticketID, userID uuid.UUID, at time.Time) error
	// CloseOffers closes every open offer of the ticket into state (withdrawn or expired) at
	// at, and returns how many it closed.
	CloseOffers(ctx context.Context, tenantID, ticketID uuid.UUID, state ticket.OfferState, at time.Time) (int, error)
	// ListOffers returns a page of the tenant's offers matching f, newest first. Returns
	// ErrInvalidCursor for a malformed cursor.
	ListOffers(ctx context.Context, tenantID uuid.UUID, f OfferFilter, p PageRequest) (Page[*ticket.Offer], error)
}

// Statuses stores the tenant's custom statuses.
type Statuses interface {
	// CreateStatus returns ErrConflict if the ID is taken.
	CreateStatus(ctx context.Context, s *ticket.Status) error
	// GetStatus returns ErrNotFound if the tenant has no such status.
	GetStatus(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Status, error)
	// UpdateStatus returns ErrNotFound or ErrConflict (stale Version).
	UpdateStatus(ctx context.Context, s *ticket.Status) error
	// ListStatuses returns the tenant's statuses by state (lifecycle order) then Position.
	ListStatuses(ctx context.Context, tenantID uuid.UUID) ([]*ticket.Status, error)
	// DefaultStatus returns the ID of the tenant's default status of state that is not
	// retired (the first by Position, then ID, should there be several), uuid.Nil when there
	// is none.
	DefaultStatus(ctx context.Context, tenantID uuid.UUID, state ticket.State) (uuid.UUID, error)
}

// Priorities stores the tenant's priorities.
type Priorities interface {
	// CreatePriority returns ErrConflict if the ID is taken.
	CreatePriority(ctx context.Context, p *ticket.Priority) error
	// GetPriority returns ErrNotFound if the tenant has no such priority.
	GetPriority(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Priority, error)
	// UpdatePriority returns ErrNotFound or ErrConflict (stale Version).
	UpdatePriority(ctx context.Context, p *ticket.Priority) error
	// ListPriorities returns the tenant's priorities, most urgent first.
	ListPriorities(ctx context.Context, tenantID uuid.UUID) ([]*ticket.Priority, error)
	// DefaultPriority returns the ID of the tenant's default priority (the most urgent one if
	// several are marked default). Returns ErrNotFound if none is.
	DefaultPriority(ctx context.Context, tenantID uuid.UUID) (uuid.UUID, error)
}

// CannedResponses stores the tenant's canned responses (predefined messages per language).
type CannedResponses interface {
	// CreateCannedResponse returns ErrConflict if the ID is taken.
	CreateCannedResponse(ctx context.Context, c *ticket.CannedResponse) error
	// GetCannedResponse returns ErrNotFound if the tenant has no such canned response.
	GetCannedResponse(ctx context.Context, tenantID, id uuid.UUID) (*ticket.CannedResponse, error)
	// UpdateCannedResponse returns ErrNotFound or ErrConflict (stale Version).
	UpdateCannedResponse(ctx context.Context, c *ticket.CannedResponse) error
	// DeleteCannedResponse returns ErrNotFound if the tenant has no such canned response.
	DeleteCannedResponse(ctx context.Context, tenantID, id uuid.UUID) error
	// ListCannedResponses returns the tenant's canned responses in one language ("" for all),
	// by title.
	ListCannedResponses(ctx context.Context, tenantID uuid.UUID, language string) ([]*ticket.CannedResponse, error)
}

// Audit stores the tenant's audit log.
type Audit interface {
	// AppendAudit writes one entry. Returns ErrConflict if the ID is taken.
	AppendAudit(ctx context.Context, e *tenant.AuditEntry) error
	// ListAudit returns a page of the tenant's entries, newest first. Returns ErrInvalidCursor
	// for a malformed cursor.
	ListAudit(ctx context.Context, tenantID uuid.UUID, p PageRequest) (Page[*tenant.AuditEntry], error)
}

// UserFilter narrows ListUsers; zero fields match everything and fields combine with AND.
type UserFilter struct {
	// CustomerID matches one customer's users.
	CustomerID uuid.UUID
	// Employees matches operator employees only (users without a customer).
	Employees bool
	Role      tenant.Role
	Status    tenant.UserStatus
	// Text matches name or e-mail address, case-insensitively.
	Text string
}

// Users stores the people who sign in: operator employees and customer users.
type Users interface {
	// CreateUser returns ErrConflict if the ID is taken or the tenant already has a user with
	// that Email (which the caller lower-cases).
	CreateUser(ctx context.Context, u *tenant.User) error
	// GetUser returns ErrNotFound if the tenant has no such user.
	GetUser(ctx context.Context, tenantID, id uuid.UUID) (*tenant.User, error)
	// GetUserByEmail finds a user by lower-cased e-mail address. Returns ErrNotFound, also for
	// an address that is not valid UTF-8 or holds a NUL byte.
	GetUserByEmail(ctx context.Context, tenantID uuid.UUID, email string) (*tenant.User, error)
	// UpdateUser returns ErrNotFound, or ErrConflict for a stale Version or an Email taken.
	UpdateUser(ctx context.Context, u *tenant.User) error
	// ListUsers returns a page of the tenant's users matching f, newest first. Returns
	// ErrInvalidCursor for a malformed cursor.
	ListUsers(ctx context.Context, tenantID uuid.UUID, f UserFilter, p PageRequest) (Page[*tenant.User], error)
}

// Teams stores teams (with their members) and meta-teams.
type Teams interface {
	// CreateTeam stores t with its Members. Returns ErrConflict if the ID is taken.
	CreateTeam(ctx context.Context, t *tenant.Team) error
	// GetTeam returns ErrNotFound if the tenant has no such team.
	GetTeam(ctx context.Context, tenantID, id uuid.UUID) (*tenant.Team, error)
	// UpdateTeam replaces the team's fields and members. Returns ErrNotFound or ErrConflict
	// (stale Version).
	UpdateTeam(ctx context.Context, t *tenant.Team) error
	// ListTeams returns the tenant's teams by name, with their members.
	ListTeams(ctx context.Context, tenantID uuid.UUID) ([]*tenant.Team, error)
	// DeleteTeam removes the team with its members (the users stay). Returns ErrNotFound if
	// the tenant has no such team.
	DeleteTeam(ctx context.Context, tenantID, id uuid.UUID) error
	// CreateMetaTeam returns ErrConflict if the ID is taken.
	CreateMetaTeam(ctx context.Context, m *tenant.MetaTeam) error
	// GetMetaTeam returns ErrNotFound if the tenant has no such meta-team.
	GetMetaTeam(ctx context.Context, tenantID, id uuid.UUID) (*tenant.MetaTeam, error)
	// ListMetaTeams returns the tenant's meta-teams by name.
	ListMetaTeams(ctx context.Context, tenantID uuid.UUID) ([]*tenant.MetaTeam, error)
	// UpdateMetaTeam replaces the meta-team's name. Returns ErrNotFound or ErrConflict (stale
	// Version).
	UpdateMetaTeam(ctx context.Context, m *tenant.MetaTeam) error
	// DeleteMetaTeam removes the meta-team; the teams filed under it stay, filed under none
	// (each a new Version). Returns ErrNotFound if the tenant has no such meta-team.
	DeleteMetaTeam(ctx context.Context, tenantID, id uuid.UUID) error
}

// UserTokens stores one-time link tokens (invitations, password resets, share-login) by hash.
type UserTokens interface {
	// CreateUserToken returns ErrConflict if the ID or the hash is taken.
	CreateUserToken(ctx context.Context, t *tenant.UserToken) error
	// GetUserToken finds a token by its hash, whatever its tenant: the token is the
	// credential. It returns used and expired tokens too. Returns ErrNotFound.
	GetUserToken(ctx context.Context, hash string) (*tenant.UserToken, error)
	// UseUserToken marks an unused token used at the given time. Of concurrent calls exactly
	// one succeeds; the others, and any call on a used token, get ErrConflict. Returns
	// ErrNotFound if the tenant has no such token.
	UseUserToken(ctx context.Context, tenantID, id uuid.UUID, at time.Time) error
	// DeleteUserTokens removes the user's unused tokens of one purpose (so that a new
	// invitation or reset link voids the earlier ones) and returns how many it removed.
	DeleteUserTokens(ctx context.Context, tenantID, userID uuid.UUID, purpose tenant.TokenPurpose) (int, error)
}

// RequestLinks stores the links staff send to named contacts to open a ticket for one device.
type RequestLinks interface {
	// CreateRequestLink inserts l. Returns ErrConflict if the ID is taken.
	CreateRequestLink(ctx context.Context, l *ticket.RequestLink) error
	// GetRequestLink returns used and expired links too. Returns ErrNotFound if the tenant
	// has no such link.
	GetRequestLink(ctx context.Context, tenantID, id uuid.UUID) (*ticket.RequestLink, error)
	// UseRequestLink marks an unused link used at the given time by the ticket opened through
	// it. Of concurrent calls exactly one succeeds; the others, and any call on a used link,
	// get ErrConflict. Returns ErrNotFound if the tenant has no such link.
	UseRequestLink(ctx context.Context, tenantID, id, ticketID uuid.UUID, at time.Time) error
}

// AuthSessions stores signed-in sessions by the hash of their token.
type AuthSessions interface {
	// CreateAuthSession returns ErrConflict if the ID or the token hash is taken.
	CreateAuthSession(ctx context.Context, s *tenant.AuthSession) error
	// GetAuthSession finds a session by its token hash, whatever its tenant, expired or not.
	// Returns ErrNotFound.
	GetAuthSession(ctx context.Context, tokenHash string) (*tenant.AuthSession, error)
	// DeleteAuthSession ends one session. Returns ErrNotFound if the tenant has no such session.
	DeleteAuthSession(ctx context.Context, tenantID, id uuid.UUID) error
	// DeleteUserAuthSessions ends every session of a user and returns how many it ended.
	DeleteUserAuthSessions(ctx context.Context, tenantID, userID uuid.UUID) (int, error)
}

// LoginFailures counts failed sign-ins per key (a hash of the e-mail address tried) in a fixed
// window that opens at the first failure, for throttling.
type LoginFailures interface {
	// RecordLoginFailure counts one failure for key at time at and returns the failures
	// counted in the current window and when that window opened. A window older than window
	// is discarded first, so the count restarts at 1. Concurrent calls never lose a count.
	RecordLoginFailure(ctx context.Context, tenantID uuid.UUID, key string, at time.Time, window time.Duration) (count int, since time.Time, err error)
	// LoginFailures returns the count and window start recorded for key; 0 and the zero time
	// when there are none.
	LoginFailures(ctx context.Context, tenantID uuid.UUID, key string) (count int, since time.Time, err error)
	// ClearLoginFailures forgets key's failures (after a successful sign-in).
	ClearLoginFailures(ctx context.Context, tenantID uuid.UUID, key string) error
}

// DefaultPageSize is used when PageRequest.Limit is zero; MaxPageSize caps it.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// PageRequest asks for one page of a listing.
type PageRequest struct {
	// Limit is the page size; 0 means DefaultPageSize and larger values are capped at MaxPageSize.
	Limit int
	// After is the Next cursor of the previous page; empty for the first page.
	After string
}

// Size returns the effective page size.
func (p PageRequest) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageSize
	case p.Limit > MaxPageSize:
		return MaxPageSize
	}
	return p.Limit
}

// Page is one page of a listing.
type Page[T any] struct {
	Items []T
	// Next is the cursor of the following page; empty on the last page.
	Next string
}

// EncodeCursor turns the ID of a page's last row into an opaque cursor.
func EncodeCursor(id uuid.UUID) string { return base64.RawURLEncoding.EncodeToString(id[:]) }

// DecodeCursor reverses EncodeCursor. An empty cursor decodes to uuid.Nil. Returns
// ErrInvalidCursor (wrapped) for anything EncodeCursor did not produce.
func DecodeCursor(c string) (uuid.UUID, error) {
	if c == "" {
		return uuid.Nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) != 16 {
		return uuid.Nil, fmt.Errorf("%w: %q", ErrInvalidCursor, c)
	}
	return uuid.UUID(b), nil
}
