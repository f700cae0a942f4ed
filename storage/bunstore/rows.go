package bunstore

import (
	"strings"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Row types mirror the migrations; domain structs carry no tags, so every mapping lives here.

type tenantRow struct {
	bun.BaseModel `bun:"table:tenants"`
	ID            uuid.UUID       `bun:"id,pk"`
	Name          string          `bun:"name"`
	Language      string          `bun:"language"`
	TicketPrefix  string          `bun:"ticket_prefix"`
	DefaultTeamID uuid.UUID       `bun:"default_team_id,nullzero"`
	Settings      tenant.Settings `bun:"settings"`
	CreatedAt     time.Time       `bun:"created_at"`
	UpdatedAt     time.Time       `bun:"updated_at"`
	Version       int64           `bun:"version"`
}

func fromTenant(t *tenant.Tenant) *tenantRow {
	return &tenantRow{ID: t.ID, Name: t.Name, Language: t.Language, TicketPrefix: t.TicketPrefix,
		DefaultTeamID: t.DefaultTeamID, Settings: t.Settings,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
}

func (r *tenantRow) domain() *tenant.Tenant {
	return &tenant.Tenant{ID: r.ID, Name: r.Name, Language: r.Language, TicketPrefix: r.TicketPrefix,
		DefaultTeamID: r.DefaultTeamID, Settings: r.Settings,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

type customerRow struct {
	bun.BaseModel `bun:"table:customers"`
	ID            uuid.UUID  `bun:"id,pk"`
	TenantID      uuid.UUID  `bun:"tenant_id"`
	Name          string     `bun:"name"`
	Language      string     `bun:"language"`
	ProjectID     uuid.UUID  `bun:"project_id,nullzero"`
	DepartmentID  uuid.UUID  `bun:"department_id,nullzero"`
	SupportUntil  *time.Time `bun:"support_until"`
	SignupDomains []string   `bun:"signup_domains"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	Version       int64      `bun:"version"`
}

func fromCustomer(c *tenant.Customer) *customerRow {
	return &customerRow{ID: c.ID, TenantID: c.TenantID, Name: c.Name, Language: c.Language,
		ProjectID: c.ProjectID, DepartmentID: c.DepartmentID, SupportUntil: c.SupportUntil,
		SignupDomains: c.SignupDomains, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

func (r *customerRow) domain() *tenant.Customer {
	return &tenant.Customer{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Language: r.Language,
		ProjectID: r.ProjectID, DepartmentID: r.DepartmentID, SupportUntil: utcPtr(r.SupportUntil),
		SignupDomains: r.SignupDomains, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

type departmentRow struct {
	bun.BaseModel `bun:"table:departments"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	Name          string    `bun:"name"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
}

func fromDepartment(d *tenant.Department) *departmentRow {
	return &departmentRow{ID: d.ID, TenantID: d.TenantID, Name: d.Name,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Version: d.Version}
}

func (r *departmentRow) domain() *tenant.Department {
	return &tenant.Department{ID: r.ID, TenantID: r.TenantID, Name: r.Name,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

type projectRow struct {
	bun.BaseModel `bun:"table:projects"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	Name          string    `bun:"name"`
	CustomerID    uuid.UUID `bun:"customer_id,nullzero"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
}

func fromProject(p *tenant.Project) *projectRow {
	return &projectRow{ID: p.ID, TenantID: p.TenantID, Name: p.Name, CustomerID: p.CustomerID,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

func (r *projectRow) domain() *tenant.Project {
	return &tenant.Project{ID: r.ID, TenantID: r.TenantID, Name: r.Name, CustomerID: r.CustomerID,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

type templateRow struct {
	bun.BaseModel `bun:"table:templates"`
	ID            uuid.UUID         `bun:"id,pk"`
	TenantID      uuid.UUID         `bun:"tenant_id"`
	Name          string            `bun:"name"`
	Description   string            `bun:"description"`
	Fields        []device.FieldDef `bun:"fields"`
	Blocks        []device.Block    `bun:"blocks"`
	CreatedAt     time.Time         `bun:"created_at"`
	UpdatedAt     time.Time         `bun:"updated_at"`
	Version       int64             `bun:"version"`
}

func fromTemplate(t *device.Template) *templateRow {
	return &templateRow{ID: t.ID, TenantID: t.TenantID, Name: t.Name, Description: t.Description,
		Fields: t.Fields, Blocks: t.Blocks, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
}

func (r *templateRow) domain() *device.Template {
	return &device.Template{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Description: r.Description,
		Fields: r.Fields, Blocks: r.Blocks, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

type deviceRow struct {
	bun.BaseModel `bun:"table:devices"`
	ID            uuid.UUID         `bun:"id,pk"`
	TenantID      uuid.UUID         `bun:"tenant_id"`
	CustomerID    uuid.UUID         `bun:"customer_id,nullzero"`
	TemplateID    uuid.UUID         `bun:"template_id,nullzero"`
	ProjectID     uuid.UUID         `bun:"project_id,nullzero"`
	Name          string            `bun:"name"`
	SerialNumber  string            `bun:"serial_number"`
	Location      string            `bun:"location"`
	Fields        map[string]string `bun:"fields"`
	SearchText    string            `bun:"search_text"`
	CreatedAt     time.Time         `bun:"created_at"`
	UpdatedAt     time.Time         `bun:"updated_at"`
	Version       int64             `bun:"version"`
}

func fromDevice(d *device.Device) *deviceRow {
	return &deviceRow{ID: d.ID, TenantID: d.TenantID, CustomerID: d.CustomerID, TemplateID: d.TemplateID,
		ProjectID: d.ProjectID, Name: d.Name, SerialNumber: d.SerialNumber, Location: d.Location,
		Fields: d.Fields, SearchText: searchText(d.Name, d.SerialNumber),
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Version: d.Version}
}

// searchText is what text filters match: the parts lower-cased with Unicode rules, one per line.
func searchText(parts ...string) string { return strings.ToLower(strings.Join(parts, "\n")) }

func (r *deviceRow) domain() *device.Device {
	return &device.Device{ID: r.ID, TenantID: r.TenantID, CustomerID: r.CustomerID, TemplateID: r.TemplateID,
		ProjectID: r.ProjectID, Name: r.Name, SerialNumber: r.SerialNumber, Location: r.Location,
		Fields: r.Fields, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

type codeRow struct {
	bun.BaseModel `bun:"table:codes"`
	ID            uuid.UUID         `bun:"id,pk"`
	TenantID      uuid.UUID         `bun:"tenant_id"`
	DeviceID      uuid.UUID         `bun:"device_id"`
	Token         string            `bun:"token"`
	Active        bool              `bun:"active"`
	ExpiresAt     *time.Time        `bun:"expires_at"`
	Actions       []device.Action   `bun:"actions"`
	PINHash       string            `bun:"pin_hash"`
	Appearance    device.Appearance `bun:"appearance"`
	ScanCount     int64             `bun:"scan_count"`
	LastScanAt    *time.Time        `bun:"last_scan_at"`
	CreatedAt     time.Time         `bun:"created_at"`
	UpdatedAt     time.Time         `bun:"updated_at"`
	Version       int64             `bun:"version"`
}

func fromCode(c *device.Code) *codeRow {
	return &codeRow{ID: c.ID, TenantID: c.TenantID, DeviceID: c.DeviceID, Token: c.Token, Active: c.Active,
		ExpiresAt: c.ExpiresAt, Actions: c.Actions, PINHash: c.PINHash, Appearance: c.Appearance,
		ScanCount: c.ScanCount, LastScanAt: c.LastScanAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

func (r *codeRow) domain() *device.Code {
	return &device.Code{ID: r.ID, TenantID: r.TenantID, DeviceID: r.DeviceID, Token: r.Token, Active: r.Active,
		ExpiresAt: utcPtr(r.ExpiresAt), Actions: r.Actions, PINHash: r.PINHash, Appearance: r.Appearance,
		ScanCount: r.ScanCount, LastScanAt: utcPtr(r.LastScanAt), CreatedAt: utc(r.CreatedAt),
		UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

type statusRow struct {
	bun.BaseModel `bun:"table:statuses"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	Name          string    `bun:"name"`
	State         string    `bun:"state"`
	Default       bool      `bun:"is_default"`
	Position      int       `bun:"position"`
	Retired       bool      `bun:"retired"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
}

func fromStatus(s *ticket.Status) *statusRow {
	return &statusRow{ID: s.ID, TenantID: s.TenantID, Name: s.Name, State: string(s.State), Default: s.Default,
		Position: s.Position, Retired: s.Retired, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Version: s.Version}
}

func (r *statusRow) domain() *ticket.Status {
	return &ticket.Status{ID: r.ID, TenantID: r.TenantID, Name: r.Name, State: ticket.State(r.State), Default: r.Default,
		Position: r.Position, Retired: r.Retired, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

type priorityRow struct {
	bun.BaseModel `bun:"table:priorities"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	Name          string    `bun:"name"`
	Rank          int       `bun:"rank"`
	Default       bool      `bun:"is_default"`
	Retired       bool      `bun:"retired"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
}

func fromPriority(p *ticket.Priority) *priorityRow {
	return &priorityRow{ID: p.ID, TenantID: p.TenantID, Name: p.Name, Rank: p.Rank, Default: p.Default, Retired: p.Retired,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

func (r *priorityRow) domain() *ticket.Priority {
	return &ticket.Priority{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Rank: r.Rank, Default: r.Default, Retired: r.Retired,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

type cannedRow struct {
	bun.BaseModel `bun:"table:canned_responses"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	Language      string    `bun:"language"`
	Title         string    `bun:"title"`
	Body          string    `bun:"body"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
}

func fromCanned(c *ticket.CannedResponse) *cannedRow {
	return &cannedRow{ID: c.ID, TenantID: c.TenantID, Language: c.Language, Title: c.Title, Body: c.Body,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Version: c.Version}
}

func (r *cannedRow) domain() *ticket.CannedResponse {
	return &ticket.CannedResponse{ID: r.ID, TenantID: r.TenantID, Language: r.Language, Title: r.Title, Body: r.Body,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

// ratingCols holds an optional rating as three nullable columns.
type ratingCols struct {
	Stars   *int       `bun:"rating_stars"`
	Comment *string    `bun:"rating_comment"`
	At      *time.Time `bun:"rated_at"`
}

func fromRating(r *ticket.Rating) ratingCols {
	if r == nil {
		return ratingCols{}
	}
	stars, comment, at := r.Stars, r.Comment, r.At
	return ratingCols{Stars: &stars, Comment: &comment, At: &at}
}

func (c ratingCols) domain() *ticket.Rating {
	if c.Stars == nil {
		return nil
	}
	r := &ticket.Rating{Stars: *c.Stars}
	if c.Comment != nil {
		r.Comment = *c.Comment
	}
	if c.At != nil {
		r.At = c.At.UTC()
	}
	return r
}

type ticketRow struct {
	bun.BaseModel     `bun:"table:tickets"`
	ID                uuid.UUID  `bun:"id,pk"`
	TenantID          uuid.UUID  `bun:"tenant_id"`
	Number            int64      `bun:"number"`
	Prefix            string     `bun:"prefix"`
	Title             string     `bun:"title"`
	Description       string     `bun:"description"`
	RequesterName     string     `bun:"requester_name"`
	RequesterEmail    string     `bun:"requester_email"`
	RequesterPhone    string     `bun:"requester_phone"`
	RequesterLanguage string     `bun:"requester_language"`
	DeviceID          uuid.UUID  `bun:"device_id,nullzero"`
	CustomerID        uuid.UUID  `bun:"customer_id,nullzero"`
	ProjectID         uuid.UUID  `bun:"project_id,nullzero"`
	Type              string     `bun:"type"`
	PriorityID        uuid.UUID  `bun:"priority_id,nullzero"`
	StatusID          uuid.UUID  `bun:"status_id,nullzero"`
	State             string     `bun:"state"`
	AssigneeID        uuid.UUID  `bun:"assignee_id,nullzero"`
	TeamID            uuid.UUID  `bun:"team_id,nullzero"`
	Source            string     `bun:"source"`
	CodeID            uuid.UUID  `bun:"code_id,nullzero"`
	CreatedByKind     string     `bun:"created_by_kind"`
	CreatedByID       uuid.UUID  `bun:"created_by_id,nullzero"`
	CreatedByName     string     `bun:"created_by_name"`
	Rating            ratingCols `bun:",embed"`
	CloseReason       string     `bun:"close_reason"`
	LinkVersion       int64      `bun:"link_version"`
	SearchText        string     `bun:"search_text"`
	CreatedAt         time.Time  `bun:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at"`
	ClosedAt          *time.Time `bun:"closed_at"`
	UploadsUntil      *time.Time `bun:"uploads_until"`
	Version           int64      `bun:"version"`
}

func fromTicket(t *ticket.Ticket) *ticketRow {
	return &ticketRow{ID: t.ID, TenantID: t.TenantID, Number: t.Number, Prefix: t.Prefix, Title: t.Title,
		Description: t.Description, RequesterName: t.Requester.Name, RequesterEmail: t.Requester.Email,
		RequesterPhone: t.Requester.Phone, RequesterLanguage: t.Requester.Language, DeviceID: t.DeviceID,
		CustomerID: t.CustomerID, ProjectID: t.ProjectID, Type: t.Type, PriorityID: t.PriorityID,
		StatusID: t.StatusID, State: string(t.State), AssigneeID: t.AssigneeID, TeamID: t.TeamID,
		Source: string(t.Source), CodeID: t.CodeID, CreatedByKind: string(t.CreatedBy.Kind),
		CreatedByID: t.CreatedBy.ID, CreatedByName: t.CreatedBy.Name, Rating: fromRating(t.Rating),
		CloseReason: t.CloseReason, LinkVersion: t.LinkVersion, SearchText: searchText(t.Title, t.Description),
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, ClosedAt: t.ClosedAt, UploadsUntil: t.UploadsUntil, Version: t.Version}
}

func (r *ticketRow) domain() *ticket.Ticket {
	return &ticket.Ticket{ID: r.ID, TenantID: r.TenantID, Number: r.Number, Prefix: r.Prefix, Title: r.Title,
		Description: r.Description, Requester: ticket.Contact{Name: r.RequesterName, Email: r.RequesterEmail,
			Phone: r.RequesterPhone, Language: r.RequesterLanguage}, DeviceID: r.DeviceID,
		CustomerID: r.CustomerID, ProjectID: r.ProjectID, Type: r.Type, PriorityID: r.PriorityID,
		StatusID: r.StatusID, State: ticket.State(r.State), AssigneeID: r.AssigneeID, TeamID: r.TeamID,
		Source: ticket.Source(r.Source), CodeID: r.CodeID,
		CreatedBy: tenant.Ref{Kind: tenant.ActorKind(r.CreatedByKind), ID: r.CreatedByID, Name: r.CreatedByName},
		Rating:    r.Rating.domain(), CloseReason: r.CloseReason, LinkVersion: r.LinkVersion, CreatedAt: utc(r.CreatedAt),
		UpdatedAt: utc(r.UpdatedAt), ClosedAt: utcPtr(r.ClosedAt), UploadsUntil: utcPtr(r.UploadsUntil), Version: r.Version}
}

type messageRow struct {
	bun.BaseModel `bun:"table:messages"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	TicketID      uuid.UUID `bun:"ticket_id"`
	AuthorKind    string    `bun:"author_kind"`
	AuthorID      uuid.UUID `bun:"author_id,nullzero"`
	AuthorName    string    `bun:"author_name"`
	Body          string    `bun:"body"`
	Visibility    string    `bun:"visibility"`
	CreatedAt     time.Time `bun:"created_at"`
}

func fromMessage(m *ticket.Message) *messageRow {
	return &messageRow{ID: m.ID, TenantID: m.TenantID, TicketID: m.TicketID, AuthorKind: string(m.Author.Kind),
		AuthorID: m.Author.ID, AuthorName: m.Author.Name, Body: m.Body, Visibility: string(m.Visibility),
		CreatedAt: m.CreatedAt}
}

func (r *messageRow) domain() *ticket.Message {
	return &ticket.Message{ID: r.ID, TenantID: r.TenantID, TicketID: r.TicketID,
		Author: tenant.Ref{Kind: tenant.ActorKind(r.AuthorKind), ID: r.AuthorID, Name: r.AuthorName},
		Body:   r.Body, Visibility: ticket.Visibility(r.Visibility), CreatedAt: utc(r.CreatedAt)}
}

type historyRow struct {
	bun.BaseModel `bun:"table:history"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	TicketID      uuid.UUID `bun:"ticket_id"`
	SessionID     uuid.UUID `bun:"session_id,nullzero"`
	ActorKind     string    `bun:"actor_kind"`
	ActorID       uuid.UUID `bun:"actor_id,nullzero"`
	ActorName     string    `bun:"actor_name"`
	Action        string    `bun:"action"`
	From          string    `bun:"from_state"`
	To            string    `bun:"to_state"`
	Reason        string    `bun:"reason"`
	At            time.Time `bun:"at"`
}

func fromHistory(h *ticket.HistoryEntry) *historyRow {
	return &historyRow{ID: h.ID, TenantID: h.TenantID, TicketID: h.TicketID, SessionID: h.SessionID,
		ActorKind: string(h.Actor.Kind), ActorID: h.Actor.ID, ActorName: h.Actor.Name, Action: h.Action,
		From: h.From, To: h.To, Reason: h.Reason, At: h.At}
}

func (r *historyRow) domain() *ticket.HistoryEntry {
	return &ticket.HistoryEntry{ID: r.ID, TenantID: r.TenantID, TicketID: r.TicketID, SessionID: r.SessionID,
		Actor:  tenant.Ref{Kind: tenant.ActorKind(r.ActorKind), ID: r.ActorID, Name: r.ActorName},
		Action: r.Action, From: r.From, To: r.To, Reason: r.Reason, At: utc(r.At)}
}

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`
	ID            uuid.UUID  `bun:"id,pk"`
	TenantID      uuid.UUID  `bun:"tenant_id"`
	TicketID      uuid.UUID  `bun:"ticket_id"`
	State         string     `bun:"state"`
	PlannedAt     *time.Time `bun:"planned_at"`
	PlannedEnd    *time.Time `bun:"planned_end"`
	AgentID       uuid.UUID  `bun:"agent_id,nullzero"`
	Room          string     `bun:"room"`
	StartedAt     *time.Time `bun:"started_at"`
	EndedAt       *time.Time `bun:"ended_at"`
	Rating        ratingCols `bun:",embed"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	Version       int64      `bun:"version"`
}

func fromSession(s *ticket.Session) *sessionRow {
	return &sessionRow{ID: s.ID, TenantID: s.TenantID, TicketID: s.TicketID, State: string(s.State),
		PlannedAt: s.PlannedAt, PlannedEnd: s.PlannedEnd, AgentID: s.AgentID, Room: s.Room,
		StartedAt: s.StartedAt, EndedAt: s.EndedAt, Rating: fromRating(s.Rating), CreatedAt: s.CreatedAt,
		UpdatedAt: s.UpdatedAt, Version: s.Version}
}

func (r *sessionRow) domain() *ticket.Session {
	return &ticket.Session{ID: r.ID, TenantID: r.TenantID, TicketID: r.TicketID, State: ticket.SessionState(r.State),
		PlannedAt: utcPtr(r.PlannedAt), PlannedEnd: utcPtr(r.PlannedEnd), AgentID: r.AgentID, Room: r.Room,
		StartedAt: utcPtr(r.StartedAt), EndedAt: utcPtr(r.EndedAt), Rating: r.Rating.domain(),
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

// timerRow holds a pending timer; SubjectID is what the one-per-subject-and-kind rule keys on.
type timerRow struct {
	bun.BaseModel `bun:"table:timers"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	TicketID      uuid.UUID `bun:"ticket_id"`
	SessionID     uuid.UUID `bun:"session_id,nullzero"`
	SubjectID     uuid.UUID `bun:"subject_id"`
	Kind          string    `bun:"kind"`
	DueAt         time.Time `bun:"due_at"`
	RunAt         time.Time `bun:"run_at"`
	Attempts      int       `bun:"attempts"`
	LastError     string    `bun:"last_error"`
	CreatedAt     time.Time `bun:"created_at"`
}

func fromTimer(t *ticket.Timer) *timerRow {
	return &timerRow{ID: t.ID, TenantID: t.TenantID, TicketID: t.TicketID, SessionID: t.SessionID,
		SubjectID: t.Subject(), Kind: string(t.Kind), DueAt: t.DueAt, RunAt: t.RunAt, Attempts: t.Attempts,
		LastError: t.LastError, CreatedAt: t.CreatedAt}
}

func (r *timerRow) domain() *ticket.Timer {
	return &ticket.Timer{ID: r.ID, TenantID: r.TenantID, TicketID: r.TicketID, SessionID: r.SessionID,
		Kind: ticket.TimerKind(r.Kind), DueAt: utc(r.DueAt), RunAt: utc(r.RunAt), Attempts: r.Attempts,
		LastError: r.LastError, CreatedAt: utc(r.CreatedAt)}
}

type attachmentRow struct {
	bun.BaseModel `bun:"table:attachments"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	TicketID      uuid.UUID `bun:"ticket_id"`
	MessageID     uuid.UUID `bun:"message_id,nullzero"`
	Visibility    string    `bun:"visibility"`
	Name          string    `bun:"name"`
	ContentType   string    `bun:"content_type"`
	Size          int64     `bun:"size"`
	Digest        string    `bun:"digest"`
	Key           string    `bun:"blob_key"`
	UploaderKind  string    `bun:"uploader_kind"`
	UploaderID    uuid.UUID `bun:"uploader_id,nullzero"`
	UploaderName  string    `bun:"uploader_name"`
	CreatedAt     time.Time `bun:"created_at"`
}

func fromAttachment(a *ticket.Attachment) *attachmentRow {
	return &attachmentRow{ID: a.ID, TenantID: a.TenantID, TicketID: a.TicketID, MessageID: a.MessageID,
		Visibility: string(a.Visibility), Name: a.Name, ContentType: a.ContentType, Size: a.Size, Digest: a.Digest,
		Key: a.Key, UploaderKind: string(a.Uploader.Kind), UploaderID: a.Uploader.ID, UploaderName: a.Uploader.Name,
		CreatedAt: a.CreatedAt}
}

func (r *attachmentRow) domain() *ticket.Attachment {
	return &ticket.Attachment{ID: r.ID, TenantID: r.TenantID, TicketID: r.TicketID, MessageID: r.MessageID,
		Visibility: ticket.Visibility(r.Visibility), Name: r.Name, ContentType: r.ContentType, Size: r.Size,
		Digest: r.Digest, Key: r.Key,
		Uploader:  tenant.Ref{Kind: tenant.ActorKind(r.UploaderKind), ID: r.UploaderID, Name: r.UploaderName},
		CreatedAt: utc(r.CreatedAt)}
}

type auditRow struct {
	bun.BaseModel `bun:"table:audit_log"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	ActorKind     string    `bun:"actor_kind"`
	ActorID       uuid.UUID `bun:"actor_id,nullzero"`
	ActorName     string    `bun:"actor_name"`
	Action        string    `bun:"action"`
	Entity        string    `bun:"entity"`
	EntityID      uuid.UUID `bun:"entity_id,nullzero"`
	Detail        string    `bun:"detail"`
	At            time.Time `bun:"at"`
}

func fromAudit(e *tenant.AuditEntry) *auditRow {
	return &auditRow{ID: e.ID, TenantID: e.TenantID, ActorKind: string(e.Actor.Kind), ActorID: e.Actor.ID,
		ActorName: e.Actor.Name, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Detail: e.Detail, At: e.At}
}

func (r *auditRow) domain() *tenant.AuditEntry {
	return &tenant.AuditEntry{ID: r.ID, TenantID: r.TenantID,
		Actor:  tenant.Ref{Kind: tenant.ActorKind(r.ActorKind), ID: r.ActorID, Name: r.ActorName},
		Action: r.Action, Entity: r.Entity, EntityID: r.EntityID, Detail: r.Detail, At: utc(r.At)}
}

type userRow struct {
	bun.BaseModel `bun:"table:users"`
	ID            uuid.UUID  `bun:"id,pk"`
	TenantID      uuid.UUID  `bun:"tenant_id"`
	CustomerID    uuid.UUID  `bun:"customer_id,nullzero"`
	Email         string     `bun:"email"`
	Name          string     `bun:"name"`
	Phone         string     `bun:"phone"`
	Language      string     `bun:"language"`
	Push          bool       `bun:"push"`
	Role          string     `bun:"role"`
	Status        string     `bun:"status"`
	DepartmentID  uuid.UUID  `bun:"department_id,nullzero"`
	PasswordHash  string     `bun:"password_hash"`
	LastSignInAt  *time.Time `bun:"last_sign_in_at"`
	SearchText    string     `bun:"search_text"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
	Version       int64      `bun:"version"`
}

func fromUser(u *tenant.User) *userRow {
	return &userRow{ID: u.ID, TenantID: u.TenantID, CustomerID: u.CustomerID, Email: u.Email, Name: u.Name,
		Phone: u.Phone, Language: u.Language, Push: u.Push, Role: string(u.Role), Status: string(u.Status),
		DepartmentID: u.DepartmentID, PasswordHash: u.PasswordHash, LastSignInAt: u.LastSignInAt, SearchText: searchText(u.Name, u.Email),
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Version: u.Version}
}

func (r *userRow) domain() *tenant.User {
	return &tenant.User{ID: r.ID, TenantID: r.TenantID, CustomerID: r.CustomerID, Email: r.Email, Name: r.Name,
		Phone: r.Phone, Language: r.Language, Push: r.Push, Role: tenant.Role(r.Role), Status: tenant.UserStatus(r.Status),
		DepartmentID: r.DepartmentID, PasswordHash: r.PasswordHash, LastSignInAt: utcPtr(r.LastSignInAt),
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

// teamRow holds a team without its members, which live in team_members.
type teamRow struct {
	bun.BaseModel `bun:"table:teams"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	Name          string    `bun:"name"`
	SupervisorID  uuid.UUID `bun:"supervisor_id,nullzero"`
	MetaTeamID    uuid.UUID `bun:"meta_team_id,nullzero"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
}

func fromTeam(t *tenant.Team) *teamRow {
	return &teamRow{ID: t.ID, TenantID: t.TenantID, Name: t.Name, SupervisorID: t.SupervisorID,
		MetaTeamID: t.MetaTeamID, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
}

// domain returns the team without its Members; the caller reads those separately.
func (r *teamRow) domain() *tenant.Team {
	return &tenant.Team{ID: r.ID, TenantID: r.TenantID, Name: r.Name, SupervisorID: r.SupervisorID,
		MetaTeamID: r.MetaTeamID, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

// teamMemberRow is one member of a team; Position keeps the order of Team.Members.
type teamMemberRow struct {
	bun.BaseModel `bun:"table:team_members"`
	TeamID        uuid.UUID `bun:"team_id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	UserID        uuid.UUID `bun:"user_id,pk"`
	Position      int       `bun:"position"`
}

func fromMembers(t *tenant.Team) []teamMemberRow {
	rows := make([]teamMemberRow, len(t.Members))
	for i, id := range t.Members {
		rows[i] = teamMemberRow{TeamID: t.ID, TenantID: t.TenantID, UserID: id, Position: i}
	}
	return rows
}

// domain returns the row itself: members are gathered into their teams by the caller.
func (r *teamMemberRow) domain() *teamMemberRow { return r }

type metaTeamRow struct {
	bun.BaseModel `bun:"table:meta_teams"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	Name          string    `bun:"name"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
}

func fromMetaTeam(m *tenant.MetaTeam) *metaTeamRow {
	return &metaTeamRow{ID: m.ID, TenantID: m.TenantID, Name: m.Name,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, Version: m.Version}
}

func (r *metaTeamRow) domain() *tenant.MetaTeam {
	return &tenant.MetaTeam{ID: r.ID, TenantID: r.TenantID, Name: r.Name,
		CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

type userTokenRow struct {
	bun.BaseModel `bun:"table:user_tokens"`
	ID            uuid.UUID  `bun:"id,pk"`
	TenantID      uuid.UUID  `bun:"tenant_id"`
	UserID        uuid.UUID  `bun:"user_id"`
	Purpose       string     `bun:"purpose"`
	Hash          string     `bun:"hash"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	UsedAt        *time.Time `bun:"used_at"`
	CreatedAt     time.Time  `bun:"created_at"`
}

func fromUserToken(t *tenant.UserToken) *userTokenRow {
	return &userTokenRow{ID: t.ID, TenantID: t.TenantID, UserID: t.UserID, Purpose: string(t.Purpose),
		Hash: t.Hash, ExpiresAt: t.ExpiresAt, UsedAt: t.UsedAt, CreatedAt: t.CreatedAt}
}

func (r *userTokenRow) domain() *tenant.UserToken {
	return &tenant.UserToken{ID: r.ID, TenantID: r.TenantID, UserID: r.UserID, Purpose: tenant.TokenPurpose(r.Purpose),
		Hash: r.Hash, ExpiresAt: utc(r.ExpiresAt), UsedAt: utcPtr(r.UsedAt), CreatedAt: utc(r.CreatedAt)}
}

type authSessionRow struct {
	bun.BaseModel `bun:"table:auth_sessions"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	UserID        uuid.UUID `bun:"user_id"`
	TokenHash     string    `bun:"token_hash"`
	CreatedAt     time.Time `bun:"created_at"`
	ExpiresAt     time.Time `bun:"expires_at"`
}

func fromAuthSession(s *tenant.AuthSession) *authSessionRow {
	return &authSessionRow{ID: s.ID, TenantID: s.TenantID, UserID: s.UserID, TokenHash: s.TokenHash,
		CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt}
}

func (r *authSessionRow) domain() *tenant.AuthSession {
	return &tenant.AuthSession{ID: r.ID, TenantID: r.TenantID, UserID: r.UserID, TokenHash: r.TokenHash,
		CreatedAt: utc(r.CreatedAt), ExpiresAt: utc(r.ExpiresAt)}
}

// notificationRow holds a notify.Notification. Its Attempts column is also read back as the
// embedded Message's Attempt: both count the delivery attempts made so far.
type notificationRow struct {
	bun.BaseModel  `bun:"table:notifications"`
	ID             uuid.UUID  `bun:"id,pk"`
	TenantID       uuid.UUID  `bun:"tenant_id"`
	Event          string     `bun:"event"`
	Channel        string     `bun:"channel"`
	UserID         uuid.UUID  `bun:"user_id,nullzero"`
	ToName         string     `bun:"to_name"`
	ToEmail        string     `bun:"to_email"`
	ToPhone        string     `bun:"to_phone"`
	Language       string     `bun:"language"`
	Subject        string     `bun:"subject"`
	Text           string     `bun:"text"`
	HTML           string     `bun:"html"`
	HeaderImage    string     `bun:"header_image"`
	Link           string     `bun:"link"`
	TicketID       uuid.UUID  `bun:"ticket_id,nullzero"`
	IdempotencyKey string     `bun:"idempotency_key"`
	Status         string     `bun:"status"`
	Attempts       int        `bun:"attempts"`
	NextAttemptAt  time.Time  `bun:"next_attempt_at"`
	LastError      string     `bun:"last_error"`
	ProviderID     string     `bun:"provider_id"`
	CreatedAt      time.Time  `bun:"created_at"`
	SentAt         *time.Time `bun:"sent_at"`
	DeliveredAt    *time.Time `bun:"delivered_at"`
	ReadAt         *time.Time `bun:"read_at"`
	Sealed         string     `bun:"sealed"`
}

func fromNotification(n *notify.Notification) notificationRow {
	return notificationRow{ID: n.ID, TenantID: n.TenantID, Event: string(n.Event), Channel: string(n.Channel),
		UserID: n.To.UserID, ToName: n.To.Name, ToEmail: n.To.Email, ToPhone: n.To.Phone, Language: n.Language,
		Subject: n.Subject, Text: n.Text, HTML: n.HTML, HeaderImage: n.HeaderImage, Link: n.Link,
		TicketID: n.TicketID, IdempotencyKey: n.IdempotencyKey, Status: string(n.Status), Attempts: n.Attempts,
		NextAttemptAt: n.NextAttemptAt, LastError: n.LastError, ProviderID: n.ProviderID, CreatedAt: n.CreatedAt,
		SentAt: n.SentAt, DeliveredAt: n.DeliveredAt, ReadAt: n.ReadAt, Sealed: n.Sealed}
}

func (r *notificationRow) domain() *notify.Notification {
	return &notify.Notification{
		Message: notify.Message{ID: r.ID, IdempotencyKey: r.IdempotencyKey, TenantID: r.TenantID,
			Event: notify.Event(r.Event), Channel: notify.Channel(r.Channel),
			To:       notify.Address{UserID: r.UserID, Name: r.ToName, Email: r.ToEmail, Phone: r.ToPhone},
			Language: r.Language, Subject: r.Subject, Text: r.Text, HTML: r.HTML, HeaderImage: r.HeaderImage,
			Link: r.Link, TicketID: r.TicketID, Attempt: r.Attempts},
		Status: notify.Status(r.Status), Attempts: r.Attempts, NextAttemptAt: utc(r.NextAttemptAt),
		LastError: r.LastError, ProviderID: r.ProviderID, CreatedAt: utc(r.CreatedAt),
		SentAt: utcPtr(r.SentAt), DeliveredAt: utcPtr(r.DeliveredAt), ReadAt: utcPtr(r.ReadAt), Sealed: r.Sealed,
	}
}

type notificationTemplateRow struct {
	bun.BaseModel `bun:"table:notification_templates"`
	ID            uuid.UUID `bun:"id,pk"`
	TenantID      uuid.UUID `bun:"tenant_id"`
	Event         string    `bun:"event"`
	Channel       string    `bun:"channel"`
	Language      string    `bun:"language"`
	Subject       string    `bun:"subject"`
	Text          string    `bun:"text"`
	HTML          string    `bun:"html"`
	HeaderImage   string    `bun:"header_image"`
	Link          string    `bun:"link"`
	Enabled       bool      `bun:"enabled"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
	Version       int64     `bun:"version"`
}

func fromNotificationTemplate(t *notify.Template) *notificationTemplateRow {
	return &notificationTemplateRow{ID: t.ID, TenantID: t.TenantID, Event: string(t.Event), Channel: string(t.Channel),
		Language: t.Language, Subject: t.Subject, Text: t.Text, HTML: t.HTML, HeaderImage: t.HeaderImage, Link: t.Link,
		Enabled: t.Enabled, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
}

func (r *notificationTemplateRow) domain() *notify.Template {
	return &notify.Template{ID: r.ID, TenantID: r.TenantID, Event: notify.Event(r.Event), Channel: notify.Channel(r.Channel),
		Language: r.Language, Subject: r.Subject, Text: r.Text, HTML: r.HTML, HeaderImage: r.HeaderImage, Link: r.Link,
		Enabled: r.Enabled, CreatedAt: utc(r.CreatedAt), UpdatedAt: utc(r.UpdatedAt), Version: r.Version}
}

func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
