package scaleseed

import (
	"fmt"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/internal/textsearch"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// person is a seeded user, as tickets, messages and history name them.
type person struct {
	id          uuid.UUID
	kind        tenant.ActorKind
	name, email string
}

// span is how far back a tenant's tickets go; the newest is quiet days before the seeding,
// so that every step of its lifecycle lies in the past.
const (
	span  = 730 * 24 * time.Hour
	quiet = 48 * time.Hour
)

var phrases = []string{
	"The pump alarms every ten minutes with an occlusion warning.",
	"Tubing replaced, alarm persists; photo of the display attached earlier.",
	"Can a technician come on Thursday morning? The ward is quiet then.",
	"Firmware shows 4.2.1 after the update, the error code is E-17.",
	"Thank you, it works again after the restart you suggested.",
	"Das Gerät zeigt seit gestern eine Fehlermeldung beim Start.",
	"L'appareil redémarre tout seul pendant la nuit.",
	"El equipo no enciende después del corte de luz.",
	"Urządzenie nie łączy się z siecią Wi-Fi od wczoraj.",
}

// The words the search benchmarks look for: RareWord is in the descriptions of five tickets
// of every tenant (fewer in a tenant with fewer tickets), CommonWord in a third of the
// tickets, AbsentWord in none. The phrases around them are in five languages.
const (
	RareWord   = "Wärmetauscher"
	CommonWord = "écran"
	AbsentWord = "zebrafink"
)

// fill writes tenant tid's people, customers, devices and n tickets with their messages,
// history, offers and notifications, through c (in the tenant's transaction).
func (s *seeder) fill(c *copier, i int, tid uuid.UUID, n int) error {
	ctx, conn := c.ctx, c.conn
	var (
		prefix      string
		defaultTeam uuid.UUID
	)
	if err := conn.QueryRowContext(ctx, "SELECT ticket_prefix, default_team_id FROM tenants WHERE id = ?", tid).Scan(&prefix, &defaultTeam); err != nil {
		return err
	}
	status := map[string]uuid.UUID{}
	rows, err := conn.QueryContext(ctx, "SELECT id, state FROM statuses WHERE tenant_id = ? AND is_default", tid)
	if err != nil {
		return err
	}
	for rows.Next() {
		var (
			id uuid.UUID
			st string
		)
		if err := rows.Scan(&id, &st); err != nil {
			return err
		}
		status[st] = id
	}
	if err := rows.Close(); err != nil {
		return err
	}
	var priorities []uuid.UUID // Low, Normal, High, Urgent
	rows, err = conn.QueryContext(ctx, "SELECT id FROM priorities WHERE tenant_id = ? ORDER BY rank", tid)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return err
		}
		priorities = append(priorities, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if len(priorities) != 4 || len(status) != len(ticket.States()) {
		return fmt.Errorf("tenant %s: %d priorities and %d default statuses, want 4 and %d", tid, len(priorities), len(status), len(ticket.States()))
	}

	origin := s.now.Add(-quiet - span)
	setup := origin.Add(-24 * time.Hour)
	nAgents := min(max(n/2500, 2), 40)
	nCustomers := min(max(n/250, 3), 400)
	nDevices := min(max(n/25, 5), 4000)

	// People: the admin, the supervisor, agents; a user per customer.
	emp := func(who, name string, role tenant.Role) person {
		return person{id: idAt(setup), kind: tenant.ActorEmployee, name: name, email: Email(i, who)}
	}
	admin := emp("admin", "Admin", tenant.RoleAdmin)
	super := emp("supervisor", "Supervisor", tenant.RoleSupervisor)
	agents := make([]person, nAgents)
	for a := range agents {
		agents[a] = emp(fmt.Sprintf("agent%02d", a+1), fmt.Sprintf("Agent %02d", a+1), tenant.RoleAgent)
	}
	customers := make([]uuid.UUID, nCustomers)
	custUsers := make([]person, nCustomers)
	for k := range customers {
		customers[k] = idAt(setup)
		custUsers[k] = person{id: idAt(setup), kind: tenant.ActorCustomerUser, name: fmt.Sprintf("Customer user %03d", k+1),
			email: Email(i, fmt.Sprintf("cu%03d", k+1))}
	}
	if err := c.copy("users", []string{"id", "tenant_id", "customer_id", "email", "name", "language", "role", "status",
		"password_hash", "search_text", "created_at", "updated_at", "version"}, func(next func() *row) {
		user := func(p person, customer uuid.UUID, role tenant.Role) {
			next().id(p.id).id(tid).id(customer).str(p.email).str(p.name).str("").str(string(role)).str(string(tenant.UserActive)).
				str(s.hash).str(strings.ToLower(p.name + "\n" + p.email)).at(setup).at(setup).int(1)
		}
		user(admin, uuid.Nil, tenant.RoleAdmin)
		user(super, uuid.Nil, tenant.RoleSupervisor)
		for _, a := range agents {
			user(a, uuid.Nil, tenant.RoleAgent)
		}
		for k, u := range custUsers {
			role := tenant.RoleCustomerUser
			if k == 0 {
				role = tenant.RoleCustomerAdmin
			}
			user(u, customers[k], role)
		}
	}); err != nil {
		return err
	}

	// Teams of at most 8 agents; the default group is the first, and the supervisor leads all.
	nTeams := (nAgents + 7) / 8
	teams := make([]uuid.UUID, nTeams)
	members := make([][]person, nTeams)
	teams[0] = defaultTeam
	for t := 1; t < nTeams; t++ {
		teams[t] = idAt(setup)
	}
	for a, p := range agents {
		members[a%nTeams] = append(members[a%nTeams], p)
	}
	if _, err := conn.ExecContext(ctx, "UPDATE teams SET supervisor_id = ? WHERE id = ?", super.id, defaultTeam); err != nil {
		return err
	}
	if err := c.copy("teams", []string{"id", "tenant_id", "name", "supervisor_id", "created_at", "updated_at", "version"}, func(next func() *row) {
		for t := 1; t < nTeams; t++ {
			next().id(teams[t]).id(tid).str(fmt.Sprintf("Team %d", t+1)).id(super.id).at(setup).at(setup).int(1)
		}
	}); err != nil {
		return err
	}
	if err := c.copy("team_members", []string{"team_id", "tenant_id", "user_id", "position"}, func(next func() *row) {
		for t, ms := range members {
			for pos, p := range ms {
				next().id(teams[t]).id(tid).id(p.id).int(int64(pos))
			}
		}
	}); err != nil {
		return err
	}
	if err := c.copy("customers", []string{"id", "tenant_id", "name", "language", "created_at", "updated_at", "version"}, func(next func() *row) {
		for k, id := range customers {
			next().id(id).id(tid).str(fmt.Sprintf("Clinic %03d", k+1)).str("").at(setup).at(setup).int(1)
		}
	}); err != nil {
		return err
	}
	templates := []uuid.UUID{idAt(setup), idAt(setup), idAt(setup)}
	templateNames := []string{"Infusion pump", "Patient monitor", "Ventilator"}
	if err := c.copy("templates", []string{"id", "tenant_id", "name", "description", "created_at", "updated_at", "version"}, func(next func() *row) {
		for k, id := range templates {
			next().id(id).id(tid).str(templateNames[k]).str("").at(setup).at(setup).int(1)
		}
	}); err != nil {
		return err
	}
	devices := make([]uuid.UUID, nDevices)
	if err := c.copy("devices", []string{"id", "tenant_id", "customer_id", "template_id", "name", "serial_number", "location",
		"search_text", "created_at", "updated_at", "version"}, func(next func() *row) {
		for k := range devices {
			devices[k] = idAt(setup)
			name, serial := fmt.Sprintf("%s %04d", templateNames[k%3], k+1), fmt.Sprintf("SN-%d-%06d", i, k+1)
			next().id(devices[k]).id(tid).id(customers[k%nCustomers]).id(templates[k%3]).str(name).str(serial).
				str(fmt.Sprintf("Ward %d", k%12+1)).str(strings.ToLower(name + "\n" + serial)).at(setup).at(setup).int(1)
		}
	}); err != nil {
		return err
	}
	if err := c.copy("canned_responses", []string{"id", "tenant_id", "language", "title", "body", "created_at", "updated_at", "version"}, func(next func() *row) {
		for _, cr := range [][3]string{
			{"en", "Photo please", "Hello {{.RequesterName}}, could you send a photo of the display of {{.DeviceName}}?"},
			{"en", "Solved", "Your request {{.TicketRef}} is solved. Thank you for your patience."},
			{"de", "Foto bitte", "Hallo {{.RequesterName}}, können Sie uns ein Foto des Displays schicken?"},
		} {
			next().id(idAt(setup)).id(tid).str(cr[0]).str(cr[1]).str(cr[2]).at(setup).at(setup).int(1)
		}
	}); err != nil {
		return err
	}

	// The tickets, then what each one carries.
	g := &gen{n: n, origin: origin, tid: tid, prefix: prefix, status: status, priorities: priorities, teams: teams,
		members: members, super: super, customers: customers, custUsers: custUsers, devices: devices}
	tickets := make([]seededTicket, n)
	for k := range tickets {
		tickets[k] = g.ticket(k + 1)
	}
	if err := c.copy("tickets", []string{"id", "tenant_id", "number", "prefix", "title", "description", "requester_name",
		"requester_email", "requester_language", "device_id", "customer_id", "priority_id", "status_id", "state", "assignee_id",
		"team_id", "source", "created_by_kind", "created_by_id", "created_by_name", "rating_stars", "rating_comment", "rated_at",
		"close_reason", "search_text", "search_doc", "created_at", "updated_at", "closed_at", "version", "link_version"}, func(next func() *row) {
		for k := range tickets {
			t := &tickets[k]
			r := next().id(t.id).id(tid).int(int64(t.number)).str(prefix).str(t.title).str(t.description).str(t.requester.name).
				str(t.requester.email).str("").id(t.device).id(t.customer).id(t.priority).id(status[string(t.state)]).
				str(string(t.state)).id(t.assignee.id).id(t.team).str(string(t.source)).str(string(t.creator.kind)).
				id(t.creator.id).str(t.creator.name)
			if t.stars > 0 {
				r.int(int64(t.stars)).str("").at(t.closed)
			} else {
				r.null().null().null()
			}
			r.str(t.closeReason).str(strings.ToLower(t.title + "\n" + t.description)).str(t.searchDoc(tid)).at(t.created).at(t.updated).
				atOrNull(t.closed).int(t.version).int(1)
		}
	}); err != nil {
		return err
	}
	if err := c.copy("messages", []string{"id", "tenant_id", "ticket_id", "author_kind", "author_id", "author_name", "body",
		"visibility", "created_at"}, func(next func() *row) {
		for k := range tickets {
			t := &tickets[k]
			for _, m := range t.messages {
				next().id(m.id).id(tid).id(t.id).str(string(m.author.kind)).id(m.author.id).str(m.author.name).str(m.body).
					str(string(m.visibility)).at(m.at)
			}
		}
	}); err != nil {
		return err
	}
	if err := c.copy("history", []string{"id", "tenant_id", "ticket_id", "actor_kind", "actor_id", "actor_name", "action",
		"from_state", "to_state", "reason", "at"}, func(next func() *row) {
		for k := range tickets {
			t := &tickets[k]
			for _, h := range t.history {
				next().id(idAt(h.at)).id(tid).id(t.id).str(string(h.who.kind)).id(h.who.id).str(h.who.name).str(h.action).
					str(string(h.from)).str(string(h.to)).str(h.reason).at(h.at)
			}
		}
	}); err != nil {
		return err
	}
	if err := c.copy("offers", []string{"id", "tenant_id", "ticket_id", "user_id", "state", "created_at"}, func(next func() *row) {
		for k := range tickets {
			t := &tickets[k]
			if t.state != ticket.StateOpen {
				continue
			}
			for _, p := range members[t.teamIdx] {
				next().id(idAt(t.created)).id(tid).id(t.id).id(p.id).str(string(ticket.OfferOpen)).at(t.created)
			}
		}
	}); err != nil {
		return err
	}
	if err := c.copy("notifications", []string{"id", "tenant_id", "event", "channel", "user_id", "to_name", "to_email",
		"language", "subject", "text", "link", "ticket_id", "idempotency_key", "status", "next_attempt_at", "created_at",
		"delivered_at", "read_at"}, func(next func() *row) {
		note := func(t *seededTicket, p person, event string, read time.Time) {
			id := idAt(t.created)
			next().id(id).id(tid).str(event).str("inapp").id(p.id).str(p.name).str(p.email).str("en").
				str(t.ref() + " " + t.title).str(t.title).str("").id(t.id).str(id.String()).str("delivered").at(t.created).
				at(t.created).at(t.created).atOrNull(read)
		}
		for k := range tickets {
			t := &tickets[k]
			switch {
			case t.state == ticket.StateOpen:
				for _, p := range members[t.teamIdx] {
					note(t, p, "ticket.offered", time.Time{})
				}
			case t.assignee.id != uuid.Nil && n-t.number < n/10:
				note(t, t.assignee, "ticket.accepted", t.updated)
			}
		}
	}); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "UPDATE tenants SET ticket_seq = ? WHERE id = ?", n, tid)
	return err
}

// seededTicket is a ticket with what it carries.
type seededTicket struct {
	id                           uuid.UUID
	number, teamIdx              int
	title, description           string
	state                        ticket.State
	source                       ticket.Source
	requester, creator, assignee person
	device, customer, priority   uuid.UUID
	team                         uuid.UUID
	stars                        int
	closeReason                  string
	created, updated, closed     time.Time
	version                      int64
	messages                     []seededMessage
	history                      []seededEntry
	prefix                       string
}

func (t *seededTicket) ref() string { return fmt.Sprintf("%s-%d", t.prefix, t.number) }

// searchDoc is the ticket's search document as the store writes it (the backfill's form: the
// ticket, then its public and its internal messages).
func (t *seededTicket) searchDoc(tid uuid.UUID) string {
	doc := textsearch.Ticket{TenantID: tid.String(), Prefix: t.prefix, Number: int64(t.number), Title: t.title,
		Description: t.description, RequesterName: t.requester.name, RequesterEmail: t.requester.email}
	var public, internal []string
	for _, m := range t.messages {
		if m.visibility == ticket.Internal {
			internal = append(internal, m.body)
		} else {
			public = append(public, m.body)
		}
	}
	return doc.DocumentVector(public, internal)
}

type seededMessage struct {
	id         uuid.UUID
	author     person
	body       string
	visibility ticket.Visibility
	at         time.Time
}

type seededEntry struct {
	who            person
	action, reason string
	from, to       ticket.State
	at             time.Time
}

// gen makes a tenant's tickets.
type gen struct {
	n                  int
	origin             time.Time
	tid                uuid.UUID
	prefix             string
	status             map[string]uuid.UUID
	priorities, teams  []uuid.UUID
	members            [][]person
	super              person
	customers, devices []uuid.UUID
	custUsers          []person
}

// ticket makes ticket number k (1 the oldest).
func (g *gen) ticket(k int) seededTicket {
	n := g.n
	created := g.origin.Add(time.Duration(float64(span) * float64(k) / float64(n))).Truncate(time.Microsecond)
	// Rank from the newest decides the state: the newest are being handled, a thousandth of
	// the tickets (two at least) in each active state, twice that done; the rest closed.
	r, a := n-k, max(2, n/1000)
	var st ticket.State
	switch {
	case r < a:
		st = ticket.StateOpen
	case r < 2*a:
		st = ticket.StateAssigned
	case r < 3*a:
		st = ticket.StateInProgress
	case r < 4*a:
		st = ticket.StateWaiting
	case r < 6*a:
		st = ticket.StateDone
	case k%16 == 0:
		st = ticket.StateCancelled
	default:
		st = ticket.StateClosed
	}
	h := uint64(k) * 0x9E3779B97F4A7C15
	dev := int(h>>33) % len(g.devices)
	cust := dev % len(g.customers)
	teamIdx := k % len(g.teams)
	team := g.members[teamIdx]
	t := seededTicket{id: idAt(created), number: k, teamIdx: teamIdx, state: st, device: g.devices[dev], customer: g.customers[cust],
		team: g.teams[teamIdx], priority: g.priorities[[]int{0, 1, 1, 2, 3}[k%5]], created: created, prefix: g.prefix}
	t.title = fmt.Sprintf("Device %d: %s", dev+1, strings.TrimSuffix(phrases[k%len(phrases)], "."))
	t.description = phrases[(k+3)%len(phrases)] + " " + phrases[(k+5)%len(phrases)]
	if k%3 == 0 {
		t.description += " L'" + CommonWord + " reste noir."
	}
	if k%max(n/5, 1) == 1 {
		t.description += " Der " + RareWord + " ist undicht."
	}
	t.requester = g.custUsers[cust]
	t.source, t.creator = ticket.SourceCustomer, t.requester
	if k%4 == 0 {
		t.source, t.creator = ticket.SourceEmployee, team[k%len(team)]
	}
	if st != ticket.StateOpen && st != ticket.StateCancelled {
		t.assignee = team[(k/len(g.teams))%len(team)]
	}
	// The lifecycle: submitted, accepted within two hours, worked on, done within 40 hours.
	accept := created.Add(time.Duration(5+k%120) * time.Minute)
	startAt := accept.Add(10 * time.Minute)
	done := created.Add(time.Duration(3+k%37) * time.Hour)
	entry := func(who person, action string, from, to ticket.State, at time.Time) {
		t.history = append(t.history, seededEntry{who: who, action: action, from: from, to: to, at: at})
	}
	entry(t.creator, string(ticket.EventSubmit), ticket.StateDraft, ticket.StateOpen, created)
	t.updated, t.version = created, 1
	step := func(who person, ev ticket.Event, from, to ticket.State, at time.Time) {
		entry(who, string(ev), from, to, at)
		t.updated, t.version = at, t.version+1
	}
	switch st {
	case ticket.StateCancelled:
		step(g.super, ticket.EventCancel, ticket.StateOpen, ticket.StateCancelled, accept)
		t.history[len(t.history)-1].reason = "Duplicate request"
		t.closeReason, t.closed = "Duplicate request", accept
	case ticket.StateOpen:
	default:
		step(t.assignee, ticket.EventAccept, ticket.StateOpen, ticket.StateAssigned, accept)
		if st == ticket.StateAssigned {
			break
		}
		step(t.assignee, ticket.EventStart, ticket.StateAssigned, ticket.StateInProgress, startAt)
		switch st {
		case ticket.StateWaiting:
			step(t.assignee, ticket.EventWait, ticket.StateInProgress, ticket.StateWaiting, startAt.Add(time.Hour))
		case ticket.StateDone, ticket.StateClosed:
			step(t.assignee, ticket.EventComplete, ticket.StateInProgress, ticket.StateDone, done)
		}
		if st == ticket.StateClosed {
			closed := done.Add(time.Hour)
			if k%3 == 0 {
				t.stars = 1 + k%5
				step(t.requester, ticket.EventRate, ticket.StateDone, ticket.StateClosed, closed)
			} else {
				step(g.super, ticket.EventClose, ticket.StateDone, ticket.StateClosed, closed)
			}
			t.closed = closed
		}
	}
	// Messages: the requester and the staff in turn; every fourth a staff note.
	nm := 1 + k%5
	if k%500 == 0 {
		nm = 20
	}
	staff := t.assignee
	if staff.id == uuid.Nil {
		staff = team[0]
	}
	for j := range nm {
		at := created.Add(time.Duration(j+1) * 40 * time.Hour / time.Duration(nm+1)).Truncate(time.Microsecond)
		if st == ticket.StateOpen || st == ticket.StateCancelled {
			at = created.Add(time.Duration(j+1) * time.Minute) // before anyone took it
		}
		m := seededMessage{id: idAt(at), author: t.requester, visibility: ticket.Public, at: at,
			body: phrases[(k+j)%len(phrases)] + " " + phrases[(k+2*j+1)%len(phrases)]}
		action := "message"
		if j%2 == 1 && st != ticket.StateOpen && st != ticket.StateCancelled {
			m.author = staff
			if j%4 == 3 {
				m.visibility, action = ticket.Internal, "message.internal"
			}
		}
		t.messages = append(t.messages, m)
		entry(m.author, action, st, st, at)
		if at.After(t.updated) {
			t.updated = at
		}
	}
	return t
}
