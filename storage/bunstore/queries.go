package bunstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// queries implements storage.Queries on a bun.DB or a bun.Tx.
type queries struct {
	db bun.IDB
	pg bool
}

var _ storage.Queries = (*queries)(nil)

// update writes r where id, tenant and the old version match (r already carries old+1). No match means the row is missing (ErrNotFound) or was changed meanwhile
// (ErrConflict).
func (q *queries) update(ctx context.Context, r any, table string, tenantID, id uuid.UUID, old int64, exclude ...string) error {
	return q.updateWith(ctx, r, table, tenantID, id, old, nil, exclude...)
}

// updateWith is update with extra, if not nil, adding to the statement (such as a column the
// row type lacks).
func (q *queries) updateWith(ctx context.Context, r any, table string, tenantID, id uuid.UUID, old int64,
	extra func(*bun.UpdateQuery) *bun.UpdateQuery, exclude ...string) error {
	exclude = append(exclude, "id", "created_at")
	if table != "tenants" {
		exclude = append(exclude, "tenant_id")
	}
	uq := q.db.NewUpdate().Model(r).ExcludeColumn(exclude...).Where("id = ?", id).Where("version = ?", old)
	if table != "tenants" {
		uq = uq.Where("tenant_id = ?", tenantID)
	}
	if extra != nil {
		uq = extra(uq)
	}
	res, err := uq.Exec(ctx)
	if err != nil {
		return mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 1 {
		return nil
	}
	eq := q.db.NewSelect().Table(table).Where("id = ?", id)
	if table != "tenants" {
		eq = eq.Where("tenant_id = ?", tenantID)
	}
	exists, err := eq.Exists(ctx)
	if err != nil {
		return mapErr(err)
	}
	if exists {
		return fmt.Errorf("%w: %s %s changed since version %d", storage.ErrConflict, table, id, old)
	}
	return storage.ErrNotFound
}

// updateVersioned writes row r of a record whose caller-side version is *version: the row
// carries version+1 (rowVersion points into r) and, once written, so does the caller.
func (q *queries) updateVersioned(ctx context.Context, r any, rowVersion *int64, table string, tenantID, id uuid.UUID, version *int64, exclude ...string) error {
	*rowVersion = *version + 1
	if err := q.update(ctx, r, table, tenantID, id, *version, exclude...); err != nil {
		return err
	}
	*version = *rowVersion
	return nil
}

const scoped = "tenant_id = ? AND id = ?"

// Tenants.

func (q *queries) CreateTenant(ctx context.Context, t *tenant.Tenant) error {
	return q.insert(ctx, fromTenant(t))
}

func (q *queries) GetTenant(ctx context.Context, id uuid.UUID) (*tenant.Tenant, error) {
	return getRow[tenantRow, *tenant.Tenant](ctx, q, "id = ?", id)
}

func (q *queries) UpdateTenant(ctx context.Context, t *tenant.Tenant) error {
	r := fromTenant(t)
	return q.updateVersioned(ctx, r, &r.Version, "tenants", uuid.Nil, t.ID, &t.Version)
}

func (q *queries) NextTicketNumber(ctx context.Context, tenantID uuid.UUID) (storage.TicketNumber, error) {
	var (
		n storage.TicketNumber
		r tenantRow
	)
	err := q.db.QueryRowContext(ctx, "UPDATE tenants SET ticket_seq = ticket_seq + 1 WHERE id = ? RETURNING ticket_seq, "+r.columns(), tenantID).
		Scan(append([]any{&n.Number}, r.targets()...)...)
	if err != nil {
		return n, mapErr(err)
	}
	n.Tenant = r.domain()
	return n, nil
}

// Customers, departments, projects.

func (q *queries) CreateCustomer(ctx context.Context, c *tenant.Customer) error {
	return q.insert(ctx, fromCustomer(c))
}

func (q *queries) GetCustomer(ctx context.Context, tenantID, id uuid.UUID) (*tenant.Customer, error) {
	return getRow[customerRow, *tenant.Customer](ctx, q, scoped, tenantID, id)
}

func (q *queries) UpdateCustomer(ctx context.Context, c *tenant.Customer) error {
	r := fromCustomer(c)
	return q.updateVersioned(ctx, r, &r.Version, "customers", c.TenantID, c.ID, &c.Version)
}

func (q *queries) ListCustomers(ctx context.Context, tenantID uuid.UUID) ([]*tenant.Customer, error) {
	return listRows[customerRow, *tenant.Customer](ctx, q, byName(tenantID))
}

func byName(tenantID uuid.UUID) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("tenant_id = ?", tenantID).OrderExpr("name ASC, id ASC")
	}
}

func (q *queries) CreateDepartment(ctx context.Context, d *tenant.Department) error {
	return q.insert(ctx, fromDepartment(d))
}

func (q *queries) GetDepartment(ctx context.Context, tenantID, id uuid.UUID) (*tenant.Department, error) {
	return getRow[departmentRow, *tenant.Department](ctx, q, scoped, tenantID, id)
}

func (q *queries) UpdateDepartment(ctx context.Context, d *tenant.Department) error {
	r := fromDepartment(d)
	return q.updateVersioned(ctx, r, &r.Version, "departments", d.TenantID, d.ID, &d.Version)
}

func (q *queries) ListDepartments(ctx context.Context, tenantID uuid.UUID) ([]*tenant.Department, error) {
	return listRows[departmentRow, *tenant.Department](ctx, q, byName(tenantID))
}

func (q *queries) CreateProject(ctx context.Context, p *tenant.Project) error {
	return q.insert(ctx, fromProject(p))
}

func (q *queries) GetProject(ctx context.Context, tenantID, id uuid.UUID) (*tenant.Project, error) {
	return getRow[projectRow, *tenant.Project](ctx, q, scoped, tenantID, id)
}

func (q *queries) UpdateProject(ctx context.Context, p *tenant.Project) error {
	r := fromProject(p)
	return q.updateVersioned(ctx, r, &r.Version, "projects", p.TenantID, p.ID, &p.Version)
}

func (q *queries) ListProjects(ctx context.Context, tenantID uuid.UUID) ([]*tenant.Project, error) {
	return listRows[projectRow, *tenant.Project](ctx, q, byName(tenantID))
}

// Devices, templates, codes.

func (q *queries) CreateDevice(ctx context.Context, d *device.Device) error {
	return q.insert(ctx, fromDevice(d))
}

func (q *queries) GetDevice(ctx context.Context, tenantID, id uuid.UUID) (*device.Device, error) {
	return getRow[deviceRow, *device.Device](ctx, q, scoped, tenantID, id)
}

func (q *queries) UpdateDevice(ctx context.Context, d *device.Device) error {
	r := fromDevice(d)
	return q.updateVersioned(ctx, r, &r.Version, "devices", d.TenantID, d.ID, &d.Version)
}

func (q *queries) ListDevices(ctx context.Context, tenantID uuid.UUID, f storage.DeviceFilter, p storage.PageRequest) (storage.Page[*device.Device], error) {
	return page[deviceRow, *device.Device](ctx, q, tenantID, p, func(s *bun.SelectQuery) *bun.SelectQuery {
		if f.CustomerID != uuid.Nil {
			s = s.Where("customer_id = ?", f.CustomerID)
		}
		if f.TemplateID != uuid.Nil {
			s = s.Where("template_id = ?", f.TemplateID)
		}
		if f.Text != "" {
			s = textMatch(s, f.Text)
		}
		return s
	}, func(d *device.Device) uuid.UUID { return d.ID })
}

func (q *queries) CreateTemplate(ctx context.Context, t *device.Template) error {
	return q.insert(ctx, fromTemplate(t))
}

func (q *queries) GetTemplate(ctx context.Context, tenantID, id uuid.UUID) (*device.Template, error) {
	return getRow[templateRow, *device.Template](ctx, q, scoped, tenantID, id)
}

func (q *queries) UpdateTemplate(ctx context.Context, t *device.Template) error {
	r := fromTemplate(t)
	return q.updateVersioned(ctx, r, &r.Version, "templates", t.TenantID, t.ID, &t.Version)
}

func (q *queries) ListTemplates(ctx context.Context, tenantID uuid.UUID) ([]*device.Template, error) {
	return listRows[templateRow, *device.Template](ctx, q, byName(tenantID))
}

func (q *queries) CreateCode(ctx context.Context, c *device.Code) error {
	return q.insert(ctx, fromCode(c))
}

func (q *queries) GetCode(ctx context.Context, tenantID, id uuid.UUID) (*device.Code, error) {
	return getRow[codeRow, *device.Code](ctx, q, scoped, tenantID, id)
}

func (q *queries) GetCodeByToken(ctx context.Context, token string) (*device.Code, error) {
	if !storable(token) {
		return nil, storage.ErrNotFound
	}
	return getRow[codeRow, *device.Code](ctx, q, "token = ?", token)
}

func (q *queries) UpdateCode(ctx context.Context, c *device.Code) error {
	r := fromCode(c)
	// Scans are counted separately and never conflict with edits.
	return q.updateVersioned(ctx, r, &r.Version, "codes", c.TenantID, c.ID, &c.Version, "scan_count", "last_scan_at")
}

func (q *queries) RecordCodeScan(ctx context.Context, tenantID, id uuid.UUID, at time.Time) error {
	res, err := q.db.NewUpdate().Table("codes").
		Set("scan_count = scan_count + 1").Set("last_scan_at = ?", at).
		Where(scoped, tenantID, id).Exec(ctx)
	if err != nil {
		return mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return storage.ErrNotFound
	}
	return nil
}

func (q *queries) ListCodes(ctx context.Context, tenantID, deviceID uuid.UUID) ([]*device.Code, error) {
	return listRows[codeRow, *device.Code](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("tenant_id = ? AND device_id = ?", tenantID, deviceID).OrderExpr("id ASC")
	})
}

func (q *queries) PageCodes(ctx context.Context, tenantID uuid.UUID, f storage.CodeFilter, p storage.PageRequest) (storage.Page[*device.Code], error) {
	return page[codeRow, *device.Code](ctx, q, tenantID, p, func(s *bun.SelectQuery) *bun.SelectQuery {
		if f.DeviceID != uuid.Nil {
			s = s.Where("device_id = ?", f.DeviceID)
		}
		if f.Active != nil {
			s = s.Where("active = ?", *f.Active)
		}
		return s
	}, func(c *device.Code) uuid.UUID { return c.ID })
}

// Tickets.

func (q *queries) CreateTicket(ctx context.Context, t *ticket.Ticket) error {
	return q.createTicket(ctx, t)
}

func (q *queries) GetTicket(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Ticket, error) {
	return getRow[ticketRow, *ticket.Ticket](ctx, q, scoped, tenantID, id)
}

func (q *queries) GetTicketForUpdate(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Ticket, error) {
	s := selectRows[ticketRow, *ticket.Ticket](q).Where(scoped, tenantID, id)
	if q.pg { // SQLite's write transactions exclude one another already
		s = s.For("UPDATE")
	}
	return firstRow[ticketRow, *ticket.Ticket](ctx, s)
}

func (q *queries) RotateRequesterLinks(ctx context.Context, tenantID, createdByID uuid.UUID, at time.Time) (int, error) {
	res, err := q.db.NewRaw(`UPDATE tickets SET link_version = link_version + 1, version = version + 1, updated_at = ?
		WHERE tenant_id = ? AND created_by_id = ?`, at, tenantID, createdByID).Exec(ctx)
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), mapErr(err)
}

func (q *queries) GetTicketByNumber(ctx context.Context, tenantID uuid.UUID, number int64) (*ticket.Ticket, error) {
	return getRow[ticketRow, *ticket.Ticket](ctx, q, "tenant_id = ? AND number = ?", tenantID, number)
}

func (q *queries) UpdateTicket(ctx context.Context, t *ticket.Ticket) error {
	return q.updateTicket(ctx, t)
}

func (q *queries) DeleteTicket(ctx context.Context, tenantID, id uuid.UUID) error {
	// Children first, so the result is the same whether or not foreign keys cascade (timers
	// and attachments before the sessions and messages they may refer to).
	if !q.pg {
		if _, err := q.db.NewDelete().Table("ticket_search").Where("ticket_id = ?", id).
			Where("EXISTS (SELECT 1 FROM tickets WHERE tenant_id = ? AND id = ?)", tenantID, id).Exec(ctx); err != nil {
			return mapErr(err)
		}
	}
	for _, table := range []string{"timers", "attachments", "messages", "history", "offers", "sessions"} {
		if _, err := q.db.NewDelete().Table(table).Where("tenant_id = ? AND ticket_id = ?", tenantID, id).Exec(ctx); err != nil {
			return mapErr(err)
		}
	}
	res, err := q.db.NewDelete().Table("tickets").Where(scoped, tenantID, id).Exec(ctx)
	if err != nil {
		return mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return storage.ErrNotFound
	}
	return nil
}

func (q *queries) ListTickets(ctx context.Context, tenantID uuid.UUID, f storage.TicketFilter, p storage.PageRequest) (storage.Page[*ticket.Ticket], error) {
	if f.Text != "" {
		return q.searchTickets(ctx, tenantID, f, p)
	}
	return page[ticketRow, *ticket.Ticket](ctx, q, tenantID, p, func(s *bun.SelectQuery) *bun.SelectQuery {
		return q.ticketFilter(s, f)
	}, func(t *ticket.Ticket) uuid.UUID { return t.ID })
}

func (q *queries) ticketFilter(s *bun.SelectQuery, f storage.TicketFilter) *bun.SelectQuery {
	switch len(f.States) {
	case 0:
	case 1:
		s = s.Where("state = ?", string(f.States[0]))
	default:
		s = s.Where("state IN (?)", bun.List(f.States))
	}
	if len(f.PriorityIDs) > 0 {
		s = s.Where("priority_id IN (?)", bun.List(f.PriorityIDs))
	}
	if f.Unassigned {
		s = s.Where("assignee_id IS NULL")
	} else if f.AssigneeID != uuid.Nil {
		s = s.Where("assignee_id = ?", f.AssigneeID)
	}
	for _, c := range []struct {
		col string
		id  uuid.UUID
	}{{"team_id", f.TeamID}, {"customer_id", f.CustomerID}, {"device_id", f.DeviceID}, {"project_id", f.ProjectID}, {"code_id", f.CodeID}} {
		if c.id != uuid.Nil {
			s = s.Where("? = ?", bun.Ident(c.col), c.id)
		}
	}
	return s
}

// textMatch adds a case-insensitive substring match of text on the row's search_text, which
// holds the searchable columns lower-cased in Go, so both engines fold case the same way,
// beyond ASCII too.
func textMatch(s *bun.SelectQuery, text string) *bun.SelectQuery {
	pattern := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(text)) + "%"
	return s.Where("search_text LIKE ? ESCAPE '\\'", pattern)
}

// page reads one keyset page, newest first: rows with an ID below the cursor, one more than the
// page size to learn whether another page follows.
func page[R any, D any, P row[R, D]](ctx context.Context, q *queries, tenantID uuid.UUID, p storage.PageRequest,
	filter func(*bun.SelectQuery) *bun.SelectQuery, id func(D) uuid.UUID) (storage.Page[D], error) {
	after, err := storage.DecodeCursor(p.After)
	if err != nil {
		return storage.Page[D]{}, err
	}
	items, err := listRows[R, D, P](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		return keyset(filter(s.Where("tenant_id = ?", tenantID)), after, p.Size())
	})
	if err != nil {
		return storage.Page[D]{}, err
	}
	return pageOf(items, p.Size(), id), nil
}

// keyset narrows s to the rows after the cursor, newest first, one more than the page size so
// pageOf learns whether another page follows.
func keyset(s *bun.SelectQuery, after uuid.UUID, size int) *bun.SelectQuery {
	if after != uuid.Nil {
		s = s.Where("id < ?", after)
	}
	return s.OrderExpr("id DESC").Limit(int64(size) + 1)
}

func pageOf[D any](items []D, size int, id func(D) uuid.UUID) storage.Page[D] {
	out := storage.Page[D]{Items: items}
	if len(items) > size {
		out.Items = items[:size]
		out.Next = storage.EncodeCursor(id(items[size-1]))
	}
	return out
}

func (q *queries) CountTickets(ctx context.Context, tenantID uuid.UUID, f storage.CountFilter) (map[ticket.State]int, error) {
	var rows []struct {
		State string `bun:"state"`
		N     int    `bun:"n"`
	}
	s := q.db.NewSelect().Table("tickets").ColumnExpr("state, count(*) AS n").Where("tenant_id = ?", tenantID)
	if f.CustomerID != uuid.Nil {
		s = s.Where("customer_id = ?", f.CustomerID)
	}
	if f.DeviceID != uuid.Nil {
		s = s.Where("device_id = ?", f.DeviceID)
	}
	if err := s.GroupExpr("state").Scan(ctx, &rows); err != nil {
		return nil, mapErr(err)
	}
	out := make(map[ticket.State]int, len(rows))
	for _, r := range rows {
		out[ticket.State(r.State)] = r.N
	}
	return out, nil
}

// Messages and history.

func (q *queries) CreateMessage(ctx context.Context, m *ticket.Message) error {
	if err := q.insert(ctx, fromMessage(m)); err != nil {
		return err
	}
	return q.indexMessage(ctx, m)
}

func (q *queries) ListMessages(ctx context.Context, tenantID, ticketID uuid.UUID, includeInternal bool, p storage.PageRequest) (storage.Page[*ticket.Message], error) {
	return ticketPage[messageRow, *ticket.Message](ctx, q, tenantID, ticketID, "created_at", visible(includeInternal), p,
		func(m *ticket.Message) uuid.UUID { return m.ID })
}

// visible narrows a ticket's rows that have a visibility (messages, attachments) to the public
// ones unless includeInternal is set. The value is a literal in the statement (bun formats
// arguments into it), which lets both engines read the partial index of public rows.
func visible(includeInternal bool) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(s *bun.SelectQuery) *bun.SelectQuery {
		if !includeInternal {
			s = s.Where("visibility = ?", string(ticket.Public))
		}
		return s
	}
}

// ticketPage reads one keyset page of a ticket's rows of R's table, oldest first: by the time
// column at, then by ID. narrow leaves rows out; the page and its cursor's row are selected
// through it alike, so a cursor is valid only for the listing that handed it out. The page
// holds one row more than its size, which pageOf drops after learning that another page
// follows.
func ticketPage[R any, D any, P row[R, D]](ctx context.Context, q *queries, tenantID, ticketID uuid.UUID, at string,
	narrow func(*bun.SelectQuery) *bun.SelectQuery, p storage.PageRequest, id func(D) uuid.UUID) (storage.Page[D], error) {
	after, err := storage.DecodeCursor(p.After)
	if err != nil {
		return storage.Page[D]{}, err
	}
	items, err := scanRows[R, D, P](ctx, ticketPageQuery[R, D, P](q, tenantID, ticketID, at, narrow, after, p.Size()))
	if err != nil {
		return storage.Page[D]{}, err
	}
	if len(items) == 0 && after != uuid.Nil {
		// A cursor is handed out only with rows after it, which go only with their ticket (and
		// the cursor's row with them): a page that comes back empty after a cursor is nearly
		// always one whose cursor names no row of this listing. Only such pages pay for the
		// read that tells.
		table := P(new(R)).table()
		ok, err := narrow(q.db.NewSelect().TableExpr(table).Where("tenant_id = ? AND ticket_id = ? AND id = ?", tenantID, ticketID, after)).Exists(ctx)
		if err != nil {
			return storage.Page[D]{}, mapErr(err)
		}
		if !ok {
			return storage.Page[D]{}, fmt.Errorf("%w: ticket %s lists no such row of %s", storage.ErrInvalidCursor, ticketID, table)
		}
	}
	return pageOf(items, p.Size(), id), nil
}

// ticketPageQuery selects the rows of ticketPage's page: size+1 rows of the ticket's that narrow
// keeps, by at and ID, after the row named after unless that is uuid.Nil.
func ticketPageQuery[R any, D any, P row[R, D]](q *queries, tenantID, ticketID uuid.UUID, at string,
	narrow func(*bun.SelectQuery) *bun.SelectQuery, after uuid.UUID, size int) *bun.SelectQuery {
	listed := func(s *bun.SelectQuery) *bun.SelectQuery {
		return narrow(s.Where("tenant_id = ? AND ticket_id = ?", tenantID, ticketID))
	}
	s := listed(selectRows[R, D, P](q))
	if after != uuid.Nil {
		// The cursor's row is read in the same statement, through the same narrowing; a row
		// outside the listing reads as NULL, which no row follows.
		cursor := listed(q.db.NewSelect().TableExpr(P(new(R)).table()).ColumnExpr("?, id", bun.Ident(at))).Where("id = ?", after)
		s = s.Where("(?, id) > (?)", bun.Ident(at), cursor)
	}
	return s.OrderExpr("? ASC, id ASC", bun.Ident(at)).Limit(int64(size) + 1)
}

func (q *queries) AppendHistory(ctx context.Context, h *ticket.HistoryEntry) error {
	return q.insert(ctx, fromHistory(h))
}

func (q *queries) ListHistory(ctx context.Context, tenantID, ticketID uuid.UUID, f storage.HistoryFilter, p storage.PageRequest) (storage.Page[*ticket.HistoryEntry], error) {
	return ticketPage[historyRow, *ticket.HistoryEntry](ctx, q, tenantID, ticketID, "at", func(s *bun.SelectQuery) *bun.SelectQuery {
		switch len(f.ExcludeActions) {
		case 0:
		case 1:
			s = s.Where("action <> ?", f.ExcludeActions[0])
		default:
			s = s.Where("action NOT IN (?)", bun.List(f.ExcludeActions))
		}
		return s
	}, p, func(h *ticket.HistoryEntry) uuid.UUID { return h.ID })
}

// Sessions.

func (q *queries) CreateSession(ctx context.Context, s *ticket.Session) error {
	return q.insert(ctx, fromSession(s))
}

func (q *queries) GetSession(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Session, error) {
	return getRow[sessionRow, *ticket.Session](ctx, q, scoped, tenantID, id)
}

func (q *queries) UpdateSession(ctx context.Context, s *ticket.Session) error {
	r := fromSession(s)
	return q.updateVersioned(ctx, r, &r.Version, "sessions", s.TenantID, s.ID, &s.Version, "ticket_id")
}

func (q *queries) GetSessionByRoom(ctx context.Context, room string) (*ticket.Session, error) {
	if room == "" || !storable(room) {
		return nil, storage.ErrNotFound
	}
	// Should a room name repeat all the same, the callback is about the latest session in it.
	// room <> '' lets SQLite use the partial index.
	items, err := listRows[sessionRow, *ticket.Session](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("room = ? AND room <> ''", room).OrderExpr("id DESC").Limit(1)
	})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, storage.ErrNotFound
	}
	return items[0], nil
}

func (q *queries) ListSessions(ctx context.Context, tenantID, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[*ticket.Session], error) {
	return ticketPage[sessionRow, *ticket.Session](ctx, q, tenantID, ticketID, "created_at", everyRow, p,
		func(s *ticket.Session) uuid.UUID { return s.ID })
}

func (q *queries) ListTenantSessions(ctx context.Context, tenantID uuid.UUID, f storage.SessionFilter, p storage.PageRequest) (storage.Page[*ticket.Session], error) {
	return page[sessionRow, *ticket.Session](ctx, q, tenantID, p, func(s *bun.SelectQuery) *bun.SelectQuery {
		switch len(f.States) {
		case 0:
		case 1:
			s = s.Where("state = ?", string(f.States[0]))
		default:
			s = s.Where("state IN (?)", bun.List(f.States))
		}
		if !f.PlannedFrom.IsZero() {
			s = s.Where("planned_at >= ?", f.PlannedFrom.UTC())
		}
		if !f.PlannedTo.IsZero() {
			s = s.Where("planned_at < ?", f.PlannedTo.UTC())
		}
		if f.AgentID != uuid.Nil {
			s = s.Where("agent_id = ?", f.AgentID)
		}
		if f.CustomerID != uuid.Nil {
			s = s.Where("ticket_id IN (?)", q.db.NewSelect().Table("tickets").Column("id").
				Where("tenant_id = ? AND customer_id = ?", tenantID, f.CustomerID))
		}
		return s
	}, func(s *ticket.Session) uuid.UUID { return s.ID })
}

// everyRow narrows nothing.
func everyRow(s *bun.SelectQuery) *bun.SelectQuery { return s }

// Statuses and priorities.

func (q *queries) CreateStatus(ctx context.Context, s *ticket.Status) error {
	return q.insert(ctx, fromStatus(s))
}

func (q *queries) GetStatus(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Status, error) {
	return getRow[statusRow, *ticket.Status](ctx, q, scoped, tenantID, id)
}

func (q *queries) UpdateStatus(ctx context.Context, s *ticket.Status) error {
	r := fromStatus(s)
	return q.updateVersioned(ctx, r, &r.Version, "statuses", s.TenantID, s.ID, &s.Version)
}

func (q *queries) DefaultStatus(ctx context.Context, tenantID uuid.UUID, state ticket.State) (uuid.UUID, error) {
	var ids []uuid.UUID
	err := q.db.NewSelect().Table("statuses").Column("id").
		Where("tenant_id = ? AND state = ? AND is_default AND NOT retired", tenantID, string(state)).
		OrderExpr("position, id").Limit(1).Scan(ctx, &ids)
	if err != nil || len(ids) == 0 {
		return uuid.Nil, mapErr(err)
	}
	return ids[0], nil
}

func (q *queries) ListStatuses(ctx context.Context, tenantID uuid.UUID) ([]*ticket.Status, error) {
	out, err := listRows[statusRow, *ticket.Status](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("tenant_id = ?", tenantID).OrderExpr("position ASC, id ASC")
	})
	if err != nil {
		return nil, err
	}
	order := ticket.States()
	slices.SortStableFunc(out, func(a, b *ticket.Status) int {
		return slices.Index(order, a.State) - slices.Index(order, b.State)
	})
	return out, nil
}

func (q *queries) CreatePriority(ctx context.Context, p *ticket.Priority) error {
	return q.insert(ctx, fromPriority(p))
}

func (q *queries) GetPriority(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Priority, error) {
	return getRow[priorityRow, *ticket.Priority](ctx, q, scoped, tenantID, id)
}

func (q *queries) UpdatePriority(ctx context.Context, p *ticket.Priority) error {
	r := fromPriority(p)
	return q.updateVersioned(ctx, r, &r.Version, "priorities", p.TenantID, p.ID, &p.Version)
}

func (q *queries) DefaultPriority(ctx context.Context, tenantID uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.db.NewSelect().Table("priorities").Column("id").Where("tenant_id = ? AND is_default", tenantID).
		OrderExpr("rank DESC, id ASC").Limit(1).Scan(ctx, &id)
	return id, mapErr(err)
}

func (q *queries) ListPriorities(ctx context.Context, tenantID uuid.UUID) ([]*ticket.Priority, error) {
	return listRows[priorityRow, *ticket.Priority](ctx, q, func(s *bun.SelectQuery) *bun.SelectQuery {
		return s.Where("tenant_id = ?", tenantID).OrderExpr("rank DESC, id ASC")
	})
}

// Audit log.

func (q *queries) AppendAudit(ctx context.Context, e *tenant.AuditEntry) error {
	return q.insert(ctx, fromAudit(e))
}

func (q *queries) ListAudit(ctx context.Context, tenantID uuid.UUID, p storage.PageRequest) (storage.Page[*tenant.AuditEntry], error) {
	return page[auditRow, *tenant.AuditEntry](ctx, q, tenantID, p, func(s *bun.SelectQuery) *bun.SelectQuery { return s },
		func(e *tenant.AuditEntry) uuid.UUID { return e.ID })
}

// storable reports whether s can be compared with stored text: valid UTF-8 without a NUL byte.
// PostgreSQL refuses anything else, and SQLite's statements cannot carry a NUL; a lookup by
// such a key (a token in a URL, an address in a form) finds nothing, as no record holds it.
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
