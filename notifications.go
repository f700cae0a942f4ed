package helpdesk

import (
	"context"
	"encoding/json"
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
	"github.com/deskkit/helpdesk/webhook"
	"github.com/google/uuid"
)

// occurrence is something that happened which the event catalogue says people hear about.
type occurrence struct {
	ev    notify.Event
	actor tenant.Actor
	// ticket is the ticket concerned (nil for account events).
	ticket *ticket.Ticket
	// user is the user an account event concerns, and link its one-time link.
	user *tenant.User
	link *OneTimeLink
	// contact is who a request link (link) was sent to, for a device named deviceName.
	contact    *ticket.Contact
	deviceName string
	// comment is the text of comment.added; note the reason given with an assignment.
	comment string
	note    string
	// agentID is the inviting agent of session events; plannedAt a session's planned time.
	agentID   uuid.UUID
	plannedAt *time.Time
	// session is the video session concerned: its link replaces the requester's ticket link.
	session *ticket.Session
	// messageID is the ticket message comment.added is about.
	messageID uuid.UUID
	// endpoint is the webhook endpoint webhook.disabled is about.
	endpoint *webhook.Endpoint
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
	return d.notifyWith(&lookup{ctx: ctx, q: q, tenantID: ten.ID}, ten, occs...)
}

// notifyWith is notifyIn reading through l, which may hold records read earlier in the
// transaction.
func (d *Desk) notifyWith(l *lookup, ten *tenant.Tenant, occs ...occurrence) error {
	ctx, q := l.ctx, l.q
	if err := d.enqueueWebhooks(l, occs); err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
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
	// endpoints are the tenant's webhook endpoints (nil until asked).
	endpoints *[]*webhook.Endpoint
	// ownSMTP says whether the tenant has a mail server of its own (nil until asked).
	ownSMTP *bool
	// standIns are the tenant's active admins (nil until asked; see standIns).
	standIns *[]*tenant.User
}

// admins returns the tenant's stand-ins, its active admins.
func (l *lookup) admins() ([]*tenant.User, error) {
	if l.standIns == nil {
		admins, err := standIns(l.ctx, l.q, l.tenantID)
		if err != nil {
			return nil, err
		}
		l.standIns = &admins
	}
	return *l.standIns, nil
}

// hasOwnSMTP says whether the tenant has a mail server of its own.
func (l *lookup) hasOwnSMTP() (bool, error) {
	if l.ownSMTP == nil {
		_, err := l.q.GetTenantSMTP(l.ctx, l.tenantID)
		if err != nil && !isNotFound(err) {
			return false, err
		}
		has := err == nil
		l.ownSMTP = &has
	}
	return *l.ownSMTP, nil
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
		if !ten.Settings.Notifications.On(o.ev, ch) {
			continue
		}
		can, err := d.canSend(l, ch)
		if err != nil {
			return nil, err
		}
		if can {
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
			pd, links := d.personalize(data, o, r)
			rd, err := c.Render(pd)
			if err != nil {
				return nil, err
			}
			n := &notify.Notification{Message: notify.Message{ID: newID(), TenantID: ten.ID, Event: o.ev,
				Channel: ch, To: r.addr, Language: c.Template().Language, Subject: rd.Subject, Text: rd.Text,
				HTML: rd.HTML, HeaderImage: rd.HeaderImage, Link: rd.Link},
				Status: notify.StatusPending, NextAttemptAt: now, CreatedAt: now}
			d.sealLinks(n, links)
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

// canSend says whether the Desk can send the tenant's notifications on ch: in-app always,
// the others with a Notifier, e-mail also through the tenant's own mail server.
func (d *Desk) canSend(l *lookup, ch notify.Channel) (bool, error) {
	switch {
	case ch == notify.InApp || d.cfg.Notifiers[ch] != nil:
		return true, nil
	case ch == notify.Email && d.cfg.TenantMailer != nil:
		return l.hasOwnSMTP()
	}
	return false, nil
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
	case notify.Contact:
		if o.contact == nil {
			return nil, nil
		}
		c := o.contact
		return []recipient{{addr: notify.Address{Name: c.Name, Email: c.Email, Phone: c.Phone}, lang: c.Language}}, nil
	case notify.Agent:
		return d.activeUsers(l, t.AssigneeID)
	case notify.InvitingAgent:
		return d.activeUsers(l, o.agentID)
	case notify.Supervisor:
		team, err := l.team(ten.DefaultTeamID)
		if err != nil {
			return nil, err
		}
		var rs []recipient
		if team != nil {
			if rs, err = d.activeUsers(l, team.SupervisorID); err != nil {
				return nil, err
			}
		}
		return d.orStandIns(l, rs)
	case notify.Offered:
		team, err := l.team(t.TeamID)
		if err != nil {
			return nil, err
		}
		var rs []recipient
		if team != nil {
			if rs, err = d.activeUsers(l, team.Members...); err != nil {
				return nil, err
			}
		}
		return d.orStandIns(l, rs)
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
	case notify.Admins:
		admins, err := l.admins()
		if err != nil {
			return nil, err
		}
		rs := make([]recipient, len(admins))
		for i, u := range admins {
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
// orStandIns returns rs, or the tenant's stand-ins (its active admins) when rs is empty: a
// team with nobody in it, or without a supervisor, does not swallow what is meant for them.
func (d *Desk) orStandIns(l *lookup, rs []recipient) ([]recipient, error) {
	if len(rs) > 0 {
		return rs, nil
	}
	admins, err := l.admins()
	if err != nil {
		return nil, err
	}
	for _, u := range admins {
		rs = append(rs, userRecipient(u))
	}
	return rs, nil
}

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
		notify.TagComment:     o.comment,
		notify.TagDeviceName:  o.deviceName,
	}
	if ten.Settings.SupportLink != "" {
		data[notify.TagSupportLink] = ten.Settings.SupportLink
	}
	if e := o.endpoint; e != nil {
		data[notify.TagWebhookURL] = e.URL
		data[notify.TagWebhookReason] = e.DisabledReason
		data[notify.TagWebhookLink] = d.webhookURL(e.ID)
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

// personalize adds the recipient's own tags to the shared data: their name and their links.
// People with an account (employees and customer users) get the back-office page of the
// ticket, which asks them to sign in; a requester without one gets their requester link, or
// the session's link. A secret link is rendered with a placeholder in place of its token
// (see sealLinks): links maps each placeholder to the token.
func (d *Desk) personalize(shared notify.Data, o *occurrence, r recipient) (data notify.Data, links map[string]string) {
	data = make(notify.Data, len(shared)+5)
	for k, v := range shared {
		data[k] = v
	}
	data[notify.TagRecipientName] = r.addr.Name
	secretURL := func(url func(string) string, name, token string) string {
		if links == nil {
			links = map[string]string{}
		}
		ph := linkPlaceholder(name, len(token))
		links[ph] = token
		return url(ph)
	}
	if o.link != nil {
		tag, name := notify.TagAccountLink, "account"
		if o.contact != nil {
			tag, name = notify.TagFormLink, "form"
		}
		data[tag] = secretURL(func(t string) string { return o.link.URL[:len(o.link.URL)-len(o.link.Token)] + t },
			name, o.link.Token)
	}
	switch {
	case o.ticket == nil:
	case r.addr.UserID != uuid.Nil:
		for _, tag := range []notify.Tag{notify.TagRequestLink, notify.TagAcceptLink, notify.TagRefuseLink} {
			data[tag] = d.ticketURL(o.ticket.ID)
		}
	case o.session != nil:
		link := secretURL(d.sessionLinkURL, "session", d.sessionToken(o.ticket, o.session))
		data[notify.TagRequestLink] = link + "/join"
		data[notify.TagAcceptLink] = link + "/accept"
		data[notify.TagRefuseLink] = link + "/refuse"
	default:
		data[notify.TagRequestLink] = secretURL(d.requesterLinkURL, "requester", d.requesterToken(o.ticket))
	}
	return data, links
}

// linkPlaceholder stands for the token of a secret link in a stored notification: as long as
// the token, so SMS segments count the same, and of URL-safe characters that no escaping
// changes.
func linkPlaceholder(name string, n int) string {
	ph := "sealed-" + name + "-link-"
	for len(ph) < n {
		ph += "x"
	}
	return ph[:n]
}

// sealLinks keeps the secret links of n out of storage in clear. In-app notifications are
// delivered by being stored, so theirs are cut out for good (the bell goes to people with an
// account, whose links need none); for the other channels the tokens are sealed under the
// first of Config.SecretKeys, bound to n's ID, and unsealLinks puts them in when sending.
func (d *Desk) sealLinks(n *notify.Notification, links map[string]string) {
	used := map[string]string{}
	for ph, token := range links {
		if strings.Contains(n.Subject+n.Text+n.HTML+n.Link, ph) {
			used[ph] = token
		}
	}
	if len(used) == 0 {
		return
	}
	if n.Channel == notify.InApp {
		replaceIn(&n.Message, func(s string) string {
			for ph := range used {
				s = strings.ReplaceAll(s, ph, "")
			}
			return s
		})
		return
	}
	plain, _ := json.Marshal(used) // a map of strings always marshals
	n.Sealed = secret.Seal(d.cfg.SecretKeys[0], plain, n.ID[:])
}

// unsealLinks returns m with the secret links of n put in place of their placeholders.
func (d *Desk) unsealLinks(n *notify.Notification, m *notify.Message) error {
	if n.Sealed == "" {
		return nil
	}
	plain, err := secret.Open(d.cfg.SecretKeys, n.Sealed, n.ID[:])
	if err != nil {
		return notify.Permanent(fmt.Errorf("the notification's links: %w", err))
	}
	var links map[string]string
	if err := json.Unmarshal(plain, &links); err != nil {
		return notify.Permanent(fmt.Errorf("the notification's links: %w", err))
	}
	replaceIn(m, func(s string) string {
		for ph, token := range links {
			s = strings.ReplaceAll(s, ph, token)
		}
		return s
	})
	return nil
}

// replaceIn applies f to every text of m that may carry a link.
func replaceIn(m *notify.Message, f func(string) string) {
	m.Subject, m.Text, m.HTML, m.Link = f(m.Subject), f(m.Text), f(m.HTML), f(m.Link)
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
