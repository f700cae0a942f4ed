package helpdesk

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/internal/secret"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// requesterPurpose derives a ticket's requester link from its tenant's link secret.
const requesterPurpose = "requester"

// requesterToken is the secret of a ticket's requester link.
func requesterToken(linkSecret []byte, ticketID uuid.UUID) string {
	return secret.Derive(linkSecret, requesterPurpose, ticketID)
}

// requesterLinkURL is the URL of a requester link in notifications (see Config.BaseURL).
func (d *Desk) requesterLinkURL(token string) string { return d.cfg.BaseURL + "/requests/" + token }

// ticketURL is the back-office URL of a ticket in notifications (see Config.BaseURL).
func (d *Desk) ticketURL(id uuid.UUID) string { return d.cfg.BaseURL + "/tickets/" + id.String() }

// sessionToken is the secret of the requester's link to session id (join, accept, refuse).
func sessionToken(linkSecret []byte, sessionID uuid.UUID) string {
	return secret.Derive(linkSecret, "session", sessionID)
}

// sessionLinkURL is the requester's page of a session; "/join", "/accept" and "/refuse" follow.
func (d *Desk) sessionLinkURL(token string) string { return d.cfg.BaseURL + "/sessions/" + token }

// occurrence is something that happened which the event catalogue says people hear about.
type occurrence struct {
	ev    notify.Event
	actor tenant.Actor
	// ticket is the ticket concerned (nil for account events).
	ticket *ticket.Ticket
	// user is the user an account event concerns, and link its one-time link.
	user *tenant.User
	link string
	// comment is the text of comment.added; note the reason given with an assignment.
	comment string
	note    string
	// agentID is the inviting agent of session events; plannedAt a session's planned time.
	agentID   uuid.UUID
	plannedAt *time.Time
	// session is the video session concerned: its link replaces the requester's ticket link.
	session *ticket.Session
	// only, when set, narrows the channels besides in-app (invitations go by e-mail and/or
	// SMS as the tenant's offer says).
	only []notify.Channel
}

// sessionOccurrence is an occurrence about session s of ticket t.
func sessionOccurrence(ev notify.Event, actor tenant.Actor, t *ticket.Ticket, s *ticket.Session) occurrence {
	return occurrence{ev: ev, actor: actor, ticket: t, session: s, agentID: s.AgentID, plannedAt: s.PlannedAt}
}

// recipient is one person a notification goes to.
type recipient struct {
	addr     notify.Address
	lang     string
	push     bool
	employee bool
}

func userRecipient(u *tenant.User) recipient {
	return recipient{addr: notify.Address{UserID: u.ID, Name: u.Name, Email: u.Email, Phone: u.Phone},
		lang: u.Language, push: u.Push, employee: u.IsEmployee()}
}

// key identifies a recipient across parties, so nobody hears of one event twice.
func (r recipient) key() string {
	if r.addr.UserID != uuid.Nil {
		return r.addr.UserID.String()
	}
	return strings.ToLower(r.addr.Email) + "|" + r.addr.Phone
}

// notify writes the notifications of occurrences into the outbox, inside the transaction of
// the change that caused them: for each recipient the catalogue names, on each channel the
// tenant has switched on, that the Desk can send on and the recipient can be reached on,
// rendered from the tenant's template or the default in the recipient's language. The actor
// does not hear of their own doing.
func (d *Desk) notify(ctx context.Context, q storage.Queries, tenantID uuid.UUID, occs ...occurrence) error {
	if len(occs) == 0 {
		return nil
	}
	ten, err := q.GetTenant(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return d.notifyIn(ctx, q, ten, occs...)
}

// notifyIn is notify for a tenant the transaction has read already.
func (d *Desk) notifyIn(ctx context.Context, q storage.Queries, ten *tenant.Tenant, occs ...occurrence) error {
	l := &lookup{ctx: ctx, q: q, tenantID: ten.ID}
	var out []*notify.Notification
	for i := range occs {
		ns, err := d.render(l, ten, &occs[i])
		if err != nil {
			return fmt.Errorf("notify %s: %w", occs[i].ev, err)
		}
		out = append(out, ns...)
	}
	if len(out) == 0 {
		return nil
	}
	return q.EnqueueNotifications(ctx, out)
}

// lookup reads, for one notifyIn, the users, teams and priorities its occurrences need, each
// once: an event such as an assignment names the same agent as recipient and as manager_name
// of several events. A record that does not exist reads as nil.
type lookup struct {
	ctx        context.Context
	q          storage.Queries
	tenantID   uuid.UUID
	users      map[uuid.UUID]*tenant.User
	teams      map[uuid.UUID]*tenant.Team
	priorities map[uuid.UUID]*ticket.Priority
	templates  map[notify.Event][]*notify.Template
}

func (l *lookup) user(id uuid.UUID) (*tenant.User, error) {
	return memo(l, &l.users, id, l.q.GetUser)
}

func (l *lookup) team(id uuid.UUID) (*tenant.Team, error) {
	return memo(l, &l.teams, id, l.q.GetTeam)
}

func (l *lookup) priority(id uuid.UUID) (*ticket.Priority, error) {
	return memo(l, &l.priorities, id, l.q.GetPriority)
}

// ownTemplates returns the tenant's own templates of ev.
func (l *lookup) ownTemplates(ev notify.Event) ([]*notify.Template, error) {
	if own, ok := l.templates[ev]; ok {
		return own, nil
	}
	own, err := l.q.ListNotificationTemplates(l.ctx, l.tenantID, ev)
	if err != nil {
		return nil, err
	}
	if l.templates == nil {
		l.templates = map[notify.Event][]*notify.Template{}
	}
	l.templates[ev] = own
	return own, nil
}

func memo[T any](l *lookup, m *map[uuid.UUID]*T, id uuid.UUID, get func(context.Context, uuid.UUID, uuid.UUID) (*T, error)) (*T, error) {
	if id == uuid.Nil {
		return nil, nil
	}
	if v, ok := (*m)[id]; ok {
		return v, nil
	}
	v, err := get(l.ctx, l.tenantID, id)
	if isNotFound(err) {
		v, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if *m == nil {
		*m = map[uuid.UUID]*T{}
	}
	(*m)[id] = v
	return v, nil
}

func (d *Desk) render(l *lookup, ten *tenant.Tenant, o *occurrence) ([]*notify.Notification, error) {
	spec, ok := notify.Lookup(o.ev)
	if !ok {
		return nil, fmt.Errorf("unknown event %q", o.ev)
	}
	var channels []notify.Channel
	for _, ch := range notify.Channels() {
		if o.only != nil && ch != notify.InApp && !slices.Contains(o.only, ch) {
			continue
		}
		if ten.Settings.Notifications.On(o.ev, ch) && (ch == notify.InApp || d.cfg.Notifiers[ch] != nil) {
			channels = append(channels, ch)
		}
	}
	if len(channels) == 0 {
		return nil, nil
	}
	rcpts, err := d.resolve(l, ten, o, spec.To)
	if err != nil || len(rcpts) == 0 {
		return nil, err
	}
	own, err := l.ownTemplates(o.ev)
	if err != nil {
		return nil, err
	}
	data, err := d.tagData(l, ten, o)
	if err != nil {
		return nil, err
	}
	now := d.clock()
	var out []*notify.Notification
	for _, r := range rcpts {
		for _, ch := range channels {
			if !reachable(r, ch) {
				continue
			}
			c, err := notify.Pick(own, o.ev, ch, r.lang, ten.Language)
			if err != nil {
				return nil, err
			}
			rd, err := c.Render(d.personalize(data, ten, o, r))
			if err != nil {
				return nil, err
			}
			n := &notify.Notification{Message: notify.Message{ID: newID(), TenantID: ten.ID, Event: o.ev,
				Channel: ch, To: r.addr, Language: c.Template().Language, Subject: rd.Subject, Text: rd.Text,
				HTML: rd.HTML, HeaderImage: rd.HeaderImage, Link: rd.Link},
				Status: notify.StatusPending, NextAttemptAt: now, CreatedAt: now}
			n.IdempotencyKey = n.ID.String()
			if o.ticket != nil {
				n.TicketID = o.ticket.ID
			}
			if ch == notify.InApp {
				// The bell is the delivery: stored is delivered.
				n.Status, n.DeliveredAt = notify.StatusDelivered, &now
			}
			out = append(out, n)
		}
	}
	return out, nil
}

// reachable says whether r can be reached on ch: e-mail and SMS need an address, in-app a user,
// push a user who switched it on.
func reachable(r recipient, ch notify.Channel) bool {
	switch ch {
	case notify.Email:
		return r.addr.Email != ""
	case notify.SMS:
		return r.addr.Phone != ""
	case notify.InApp:
		return r.addr.UserID != uuid.Nil
	case notify.Push:
		return r.addr.UserID != uuid.Nil && r.push
	}
	return false
}

// resolve finds the people of parties for o, once each, leaving out the actor.
func (d *Desk) resolve(l *lookup, ten *tenant.Tenant, o *occurrence, parties []notify.Party) ([]recipient, error) {
	var out []recipient
	seen := map[string]bool{}
	add := func(rs ...recipient) {
		for _, r := range rs {
			if o.user == nil && r.addr.UserID != uuid.Nil && r.addr.UserID == o.actor.UserID {
				continue
			}
			if k := r.key(); !seen[k] && k != "|" {
				seen[k] = true
				out = append(out, r)
			}
		}
	}
	for _, p := range parties {
		rs, err := d.party(l, ten, o, p)
		if err != nil {
			return nil, err
		}
		add(rs...)
	}
	return out, nil
}

func (d *Desk) party(l *lookup, ten *tenant.Tenant, o *occurrence, p notify.Party) ([]recipient, error) {
	t := o.ticket
	switch p {
	case notify.User:
		if o.user == nil {
			return nil, nil
		}
		return []recipient{userRecipient(o.user)}, nil
	case notify.Requester:
		return d.requester(l, o)
	case notify.Agent:
		return d.activeUsers(l, t.AssigneeID)
	case notify.InvitingAgent:
		return d.activeUsers(l, o.agentID)
	case notify.Supervisor:
		team, err := l.team(ten.DefaultTeamID)
		if err != nil || team == nil {
			return nil, err
		}
		return d.activeUsers(l, team.SupervisorID)
	case notify.Offered:
		team, err := l.team(t.TeamID)
		if err != nil || team == nil {
			return nil, err
		}
		return d.activeUsers(l, team.Members...)
	case notify.CustomerAdmins:
		if t.CustomerID == uuid.Nil {
			return nil, nil
		}
		page, err := l.q.ListUsers(l.ctx, ten.ID, storage.UserFilter{CustomerID: t.CustomerID, Role: tenant.RoleCustomerAdmin,
			Status: tenant.UserActive}, storage.PageRequest{Limit: storage.MaxPageSize})
		if err != nil {
			return nil, err
		}
		rs := make([]recipient, len(page.Items))
		for i, u := range page.Items {
			rs[i] = userRecipient(u)
		}
		return rs, nil
	case notify.OtherParty:
		if o.actor.IsStaff() {
			return d.requester(l, o)
		}
		if t.AssigneeID != uuid.Nil {
			return d.party(l, ten, o, notify.Agent)
		}
		return d.party(l, ten, o, notify.Supervisor)
	}
	return nil, fmt.Errorf("unknown party %q", p)
}

// requester is the customer user who opened the ticket, or else its requester contact, unless
// the requester is the actor.
func (d *Desk) requester(l *lookup, o *occurrence) ([]recipient, error) {
	t := o.ticket
	if t.CreatedBy.Kind == tenant.ActorCustomerUser {
		rs, err := d.activeUsers(l, t.CreatedBy.ID)
		if err != nil || len(rs) > 0 {
			return rs, err
		}
	}
	c := t.Requester
	if o.actor.Kind == tenant.ActorRequesterLink || c.Email == "" && c.Phone == "" {
		return nil, nil
	}
	return []recipient{{addr: notify.Address{Name: c.Name, Email: c.Email, Phone: c.Phone}, lang: c.Language}}, nil
}

// activeUsers loads the active users among ids; unknown and inactive ones hear nothing.
func (d *Desk) activeUsers(l *lookup, ids ...uuid.UUID) ([]recipient, error) {
	var out []recipient
	for _, id := range ids {
		u, err := l.user(id)
		if err != nil {
			return nil, err
		}
		if u != nil && u.Status == tenant.UserActive {
			out = append(out, userRecipient(u))
		}
	}
	return out, nil
}

// tagData are the tag values of o that are the same for every recipient.
func (d *Desk) tagData(l *lookup, ten *tenant.Tenant, o *occurrence) (notify.Data, error) {
	now := d.clock()
	data := notify.Data{
		notify.TagDate:        now.Format(time.DateOnly),
		notify.TagTime:        now.Format("15:04") + " UTC",
		notify.TagSupportLink: d.cfg.BaseURL,
		notify.TagAccountLink: o.link,
		notify.TagComment:     o.comment,
	}
	if ten.Settings.SupportLink != "" {
		data[notify.TagSupportLink] = ten.Settings.SupportLink
	}
	if o.plannedAt != nil {
		data[notify.TagPlanningDate] = o.plannedAt.UTC().Format("2006-01-02 15:04") + " UTC"
	}
	t := o.ticket
	if t == nil {
		return data, nil
	}
	data[notify.TagTicketRef] = t.Ref()
	data[notify.TagTicketID] = strconv.FormatInt(t.Number, 10)
	data[notify.TagTitle] = t.Title
	data[notify.TagDescription] = t.Description
	data[notify.TagTicketLink] = d.ticketURL(t.ID)
	data[notify.TagClosureReason] = t.CloseReason
	if o.note != "" {
		data[notify.TagClosureReason] = o.note
	}
	data[notify.TagRequester] = contactLine(t.Requester)
	p, err := l.priority(t.PriorityID)
	if err != nil {
		return nil, err
	}
	if p != nil {
		data[notify.TagPriority] = p.Name
	}
	u, err := l.user(t.AssigneeID)
	if err != nil {
		return nil, err
	}
	if u != nil {
		data[notify.TagManagerName] = u.Name
	}
	return data, nil
}

// personalize adds the recipient's own tags to the shared data: their name, and for everyone
// but employees the requester link.
func (d *Desk) personalize(shared notify.Data, ten *tenant.Tenant, o *occurrence, r recipient) notify.Data {
	data := make(notify.Data, len(shared)+2)
	for k, v := range shared {
		data[k] = v
	}
	data[notify.TagRecipientName] = r.addr.Name
	if o.ticket != nil && !r.employee && len(ten.LinkSecret) > 0 {
		data[notify.TagRequestLink] = d.requesterLinkURL(requesterToken(ten.LinkSecret, o.ticket.ID))
		if o.session != nil {
			link := d.sessionLinkURL(sessionToken(ten.LinkSecret, o.session.ID))
			data[notify.TagRequestLink] = link + "/join"
			data[notify.TagAcceptLink] = link + "/accept"
			data[notify.TagRefuseLink] = link + "/refuse"
		}
	}
	return data
}

// ticketEvents are the occurrences of a ticket lifecycle event (docs/concepts.md, "Ticket
// lifecycle"), fired by actor on t, now in its new state.
func ticketEvents(actor tenant.Actor, t *ticket.Ticket, ev ticket.Event) []occurrence {
	one := func(e notify.Event) []occurrence { return []occurrence{{ev: e, actor: actor, ticket: t}} }
	switch ev {
	case ticket.EventSubmit:
		occs := []occurrence{{ev: notify.TicketRequested, actor: actor, ticket: t}, {ev: notify.TicketOffered, actor: actor, ticket: t}}
		if actor.IsStaff() && t.CustomerID != uuid.Nil {
			occs = append(occs, occurrence{ev: notify.TicketCreatedForCustomer, actor: actor, ticket: t})
		}
		return occs
	case ticket.EventAccept:
		return one(notify.TicketAccepted)
	case ticket.EventAssign:
		return []occurrence{{ev: notify.TicketAssigned, actor: actor, ticket: t}, {ev: notify.TicketAccepted, actor: actor, ticket: t}}
	case ticket.EventComplete:
		return one(notify.TicketDone)
	case ticket.EventReject:
		return one(notify.TicketRejected)
	case ticket.EventClose:
		return one(notify.TicketClosed)
	case ticket.EventExpire:
		return one(notify.TicketAutoClosed)
	}
	return nil
}

// contactLine renders a requester's details on one line: name, e-mail, phone.
func contactLine(c ticket.Contact) string {
	var parts []string
	for _, s := range []string{c.Name, c.Email, c.Phone} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}
