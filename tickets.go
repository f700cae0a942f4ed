package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/device"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// NewTicket describes a ticket to submit.
type NewTicket struct {
	Title       string
	Description string
	// Requester is who to keep informed. A code holder must give an e-mail address or a phone
	// number, since the Desk has no other way to reach them.
	Requester ticket.Contact
	// DeviceID is the device concerned. A code holder's ticket is always for the code's device.
	DeviceID uuid.UUID
	// CustomerID is the customer concerned. It is taken from the device when empty, and is
	// always the customer user's own customer for customer users.
	CustomerID uuid.UUID
	// ProjectID defaults to the customer's project.
	ProjectID uuid.UUID
	// Type is the request type.
	Type string
	// PriorityID defaults to the tenant's default priority.
	PriorityID uuid.UUID
	// Draft keeps the ticket in the draft state (no offers sent) until Submit is called.
	Draft bool
	// RequestSession also asks for a video call on the new ticket (see RequestSession), in the
	// same transaction: how a device's page requests a session on its own. A code holder's
	// code must then offer device.ActionRequestSession (instead of ActionOpenTicket). Not
	// with Draft.
	RequestSession bool
	// AcceptTerms says the requester accepted the terms the tenant's request form links
	// (tenant.RequestForm.TermsURL): required from code holders and customer users while the
	// form has terms.
	AcceptTerms bool
}

// SubmitTicket opens a ticket, in state open (or draft with in.Draft), numbered in the tenant's
// sequence, with a history entry naming the actor. Three kinds of actor may:
//
//   - a code holder (tenant.CodeHolder, from OpenCode), for the code's device, while the code is
//     usable and offers device.ActionOpenTicket, and has opened fewer than the tenant's
//     Quotas.TicketsPerCodeHour tickets in the last hour;
//   - a customer user, for their customer and its devices;
//   - an employee or the system, for any customer and device of the tenant ("on behalf of").
//
// Staff and customer users are not limited by that quota. A code holder that came through a
// request link (OpenRequestLink) opens one ticket, with the link's contact as requester for
// what it leaves blank, and is not counted against the code quota.
//
// The tenant's request form (tenant.RequestForm) applies to code holders and customer users:
// with terms, in.AcceptTerms must be set; with a type list, in.Type must be one of it. Its
// visibility applies to code holders: "customers" refuses them (ErrSignInRequired), "invited"
// refuses those that came through a code rather than a request link (ErrRequestLinkRequired).
// The form's report template, when set, is attached to the new ticket as a public file.
//
// Returns *ValidationError for bad input (field "accept_terms" without accepted terms, "type"
// for a type off the list), ErrNotFound for a device, customer, project or priority the actor
// cannot reach, ErrCodeUnusable, ErrSignInRequired, ErrRequestLinkRequired, ErrInvalidLink for
// a request link used or expired, ErrQuotaExceeded when the code has opened its quota of
// tickets in the last hour, ErrSupportLapsed when the customer's support plan has ended, and
// ErrForbidden for requester links.
func (d *Desk) SubmitTicket(ctx context.Context, actor tenant.Actor, in NewTicket) (*Submitted, error) {
	tid, err := authorize(actor, tenant.ActTicketCreate)
	if err != nil {
		return nil, fmt.Errorf("submit ticket: %w", err)
	}
	source, err := submitSource(actor, &in)
	if err != nil {
		return nil, fmt.Errorf("submit ticket: %w", err)
	}
	invitee := actor.Kind == tenant.ActorCodeHolder && actor.RequestLinkID != uuid.Nil
	if invitee {
		if err := d.fillFromRequestLink(ctx, actor, &in); err != nil {
			return nil, fmt.Errorf("submit ticket: %w", err)
		}
	}
	if err := checkNewTicket(&in, source == ticket.SourceCode); err != nil {
		return nil, err
	}
	// The tenant as last read: its form and report template are needed before the
	// transaction, which reads the tenant again and starts over should it have changed.
	ten := d.tenantHints.get(tid)
	for try := 1; ; try++ {
		hinted := ten != nil
		if !hinted {
			if ten, err = d.store.GetTenant(ctx, tid); err != nil {
				return nil, fmt.Errorf("submit ticket: %w", err)
			}
			d.tenantHints.put(ten)
		}
		sub, err := d.submit(ctx, actor, in, ten, hinted, source, invitee)
		if !errors.Is(err, errTenantMoved) || try == 3 {
			return sub, err
		}
		ten = nil
	}
}

// errTenantMoved is what a submission returns when the tenant changed since SubmitTicket read
// it (its version moved): the form rules and the report template are checked again.
var errTenantMoved = fmt.Errorf("%w: the tenant's settings changed meanwhile; try again", storage.ErrConflict)

// submit is SubmitTicket once the actor and input are checked, with ten the tenant as read
// before the transaction (hinted: from tenantHints); it returns errTenantMoved when the
// transaction finds a newer one, and when a hint's form refuses in (a refusal is confirmed
// against the tenant as stored).
func (d *Desk) submit(ctx context.Context, actor tenant.Actor, in NewTicket, ten *tenant.Tenant, hinted bool, source ticket.Source, invitee bool) (*Submitted, error) {
	tid := ten.ID
	if err := checkFormRules(actor, ten.Settings.Form, &in); err != nil {
		if hinted {
			return nil, errTenantMoved
		}
		return nil, fmt.Errorf("submit ticket: %w", err)
	}
	now := d.clock()
	t := &ticket.Ticket{ID: newID(), TenantID: tid, Title: in.Title, Description: in.Description,
		Requester: in.Requester, DeviceID: in.DeviceID, CustomerID: in.CustomerID, ProjectID: in.ProjectID,
		Type: in.Type, PriorityID: in.PriorityID, State: ticket.StateOpen, Source: source,
		CodeID: actor.CodeID, CreatedBy: actor.Ref(),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	// Straight to open: the ticket was never a draft, so its first entry comes from nowhere.
	h := &ticket.HistoryEntry{ID: newID(), TenantID: tid, TicketID: t.ID, Actor: actor.Ref(),
		Action: string(ticket.EventSubmit), From: "", To: string(ticket.StateOpen), At: now}
	if in.Draft {
		t.State = ticket.StateDraft
		h.Action, h.From, h.To = "create", "", string(ticket.StateDraft)
	}
	if in.RequestSession {
		if in.Draft {
			return nil, invalid("request_session", "a draft cannot ask for a video call")
		}
		if _, err := authorize(actor, tenant.SessionEvent(string(ticket.SessionEventRequest))); err != nil {
			return nil, fmt.Errorf("submit ticket: %w", err)
		}
	}
	t.LinkVersion = 1
	// The report template is copied for the ticket before the transaction (a blob store is
	// not transactional) and dropped again if the ticket is not written.
	report, err := d.copyReport(ctx, ten, t)
	if err != nil {
		return nil, fmt.Errorf("submit ticket: %w", err)
	}
	var read *tenant.Tenant // the tenant as the transaction read it
	err = d.inTx(ctx, func(q storage.Queries) error {
		if err := d.resolveSubmission(ctx, q, actor, t, in.RequestSession); err != nil {
			return err
		}
		n, err := q.NextTicketNumber(ctx, tid)
		if err != nil {
			return err
		}
		if n.Tenant.Version != ten.Version {
			return errTenantMoved
		}
		// New requests go to the default group, so none is ever lost.
		ten := n.Tenant
		read = ten
		if actor.Kind == tenant.ActorCodeHolder && !invitee {
			// Counted after the number is reserved: that write serializes the tenant's
			// submissions, so concurrent ones through one code cannot pass the quota together.
			if err := checkCodeQuota(ctx, q, ten, actor.CodeID, now); err != nil {
				return err
			}
		}
		t.Number, t.Prefix, t.TeamID = n.Number, ten.TicketPrefix, ten.DefaultTeamID
		if t.StatusID, err = defaultStatus(ctx, q, tid, t.State); err != nil {
			return err
		}
		if err := q.CreateTicket(ctx, t); err != nil {
			return err
		}
		if err := q.AppendHistory(ctx, h); err != nil {
			return err
		}
		if invitee {
			if err := d.checkInvitee(ctx, q, actor, t.ID); err != nil {
				return err
			}
		}
		if report != nil {
			if err := q.CreateAttachment(ctx, report); err != nil {
				return err
			}
		}
		if t.State != ticket.StateOpen {
			return nil
		}
		c := &caseTx{ctx: ctx, q: q, actor: actor, ten: ten, t: t, now: now, fresh: true,
			occs: ticketEvents(actor, t, ticket.EventSubmit)}
		if err := d.ticketTimers(c, ticket.StateDraft); err != nil {
			return err
		}
		if err := d.ticketOffers(c, ticket.StateDraft); err != nil {
			return err
		}
		if in.RequestSession {
			return d.requestSession(c, &ticket.Session{ID: newID(), TenantID: tid, TicketID: t.ID}, false)
		}
		return d.finish(c)
	})
	if err != nil {
		if report != nil {
			d.dropBlobs(ctx, report)
		}
		return nil, fmt.Errorf("submit ticket: %w", err)
	}
	d.tenantHints.put(read)
	return &Submitted{Ticket: t, RequesterToken: d.requesterToken(t)}, nil
}

// Submitted is a ticket SubmitTicket opened, and the secret of its requester's link.
type Submitted struct {
	*ticket.Ticket
	// RequesterToken is the secret of the requester's link to the ticket, for
	// OpenRequesterLink: put it in the page or message that answers the submission as
	// Config.BaseURL + "/requests/" + RequesterToken. It is returned only here (and sent in
	// the requester's notifications); RotateRequesterLink replaces it.
	RequesterToken string
}

// submitSource decides the ticket's source from the actor and pins what the actor may not choose.
func submitSource(actor tenant.Actor, in *NewTicket) (ticket.Source, error) {
	switch actor.Kind {
	case tenant.ActorCodeHolder:
		switch {
		case in.CustomerID != uuid.Nil || in.ProjectID != uuid.Nil:
			return "", invalid("customer_id", "is set from the device for code holders")
		case in.PriorityID != uuid.Nil:
			return "", invalid("priority_id", "is set by staff, not by public requesters")
		case in.Draft:
			return "", invalid("draft", "public requesters submit at once: a code holder cannot come back to a draft")
		}
		if in.DeviceID == uuid.Nil {
			in.DeviceID = actor.DeviceID // any other device is outside its reach (resolveSubmission)
		}
		return ticket.SourceCode, nil
	case tenant.ActorCustomerUser:
		if in.CustomerID != uuid.Nil && in.CustomerID != actor.CustomerID {
			return "", fmt.Errorf("customer %s: %w", in.CustomerID, storage.ErrNotFound)
		}
		in.CustomerID = actor.CustomerID
		return ticket.SourceCustomer, nil
	case tenant.ActorEmployee, tenant.ActorSystem:
		return ticket.SourceEmployee, nil
	}
	return "", fmt.Errorf("%w: %s may not open tickets", ErrForbidden, actor.Kind)
}

func checkNewTicket(in *NewTicket, requireReach bool) error {
	if err := checkName("title", &in.Title); err != nil {
		return err
	}
	in.Description = strings.TrimSpace(in.Description)
	if err := checkLen("description", in.Description, 0, MaxTextLen); err != nil {
		return err
	}
	in.Type = strings.TrimSpace(in.Type)
	if err := checkLen("type", in.Type, 0, MaxNameLen); err != nil {
		return err
	}
	return checkContact(&in.Requester, requireReach)
}

// resolveSubmission checks the code, device, customer, project and priority of a new ticket
// inside the transaction, filling in what they imply.
func (d *Desk) resolveSubmission(ctx context.Context, q storage.Queries, actor tenant.Actor, t *ticket.Ticket, call bool) error {
	tid := t.TenantID
	if actor.Kind == tenant.ActorCodeHolder && actor.CodeID == uuid.Nil {
		// A request link's holder: checkInvitee checks the link once the ticket is written.
		if t.DeviceID != actor.DeviceID {
			return fmt.Errorf("device %s: %w", t.DeviceID, storage.ErrNotFound)
		}
	} else if actor.Kind == tenant.ActorCodeHolder {
		c, err := d.checkCodeHolder(ctx, q, actor)
		if err != nil {
			return err
		}
		switch {
		case call && !c.Allows(device.ActionRequestSession):
			return fmt.Errorf("%w: the code does not offer video calls", ErrCodeUnusable)
		case !call && !c.Allows(device.ActionOpenTicket):
			return fmt.Errorf("%w: the code does not offer opening tickets", ErrCodeUnusable)
		}
	}
	if t.DeviceID != uuid.Nil {
		dev, err := q.GetDevice(ctx, tid, t.DeviceID)
		if err != nil {
			return fmt.Errorf("device %s: %w", t.DeviceID, err)
		}
		if err := reach(actor, tenant.ActTicketCreate, deviceResource(tid, dev.ID, dev.CustomerID)); err != nil {
			return err
		}
		switch {
		case t.CustomerID == uuid.Nil:
			t.CustomerID = dev.CustomerID
		case dev.CustomerID != t.CustomerID && dev.CustomerID != uuid.Nil:
			return invalid("device_id", "the device belongs to another customer")
		}
		if t.ProjectID == uuid.Nil {
			t.ProjectID = dev.ProjectID
		}
	}
	if t.CustomerID != uuid.Nil {
		c, err := q.GetCustomer(ctx, tid, t.CustomerID)
		if err != nil {
			return fmt.Errorf("customer %s: %w", t.CustomerID, err)
		}
		if err := checkSupport(actor, c, t.CreatedAt); err != nil {
			return err
		}
		if t.ProjectID == uuid.Nil {
			t.ProjectID = c.ProjectID
		}
	}
	if t.ProjectID != uuid.Nil {
		if err := checkProject(ctx, q, actor, tid, t.ProjectID, t.CustomerID); err != nil {
			return err
		}
	}
	if t.PriorityID != uuid.Nil {
		return usablePriority(ctx, q, tid, t.PriorityID)
	}
	id, err := q.DefaultPriority(ctx, tid)
	if errors.Is(err, storage.ErrNotFound) {
		return nil // a tenant may do without a default priority
	}
	t.PriorityID = id
	return err
}

// checkSupport refuses new work for a customer whose support plan has ended at now. A public
// requester is a stranger to the device's owner: their error names neither the customer nor
// the plan's date.
func checkSupport(actor tenant.Actor, c *tenant.Customer, now time.Time) error {
	switch {
	case c.SupportUntil == nil || now.Before(*c.SupportUntil):
		return nil
	case actor.IsRequester():
		return fmt.Errorf("%w: support for this device has ended", ErrSupportLapsed)
	}
	return fmt.Errorf("%w: the support plan of %s ended on %s", ErrSupportLapsed, c.Name, c.SupportUntil.Format(time.DateOnly))
}

// checkProject requires a project of the tenant that is operator-wide or the customer's own. A
// customer user is told another customer's project does not exist.
func checkProject(ctx context.Context, q storage.Queries, actor tenant.Actor, tenantID, projectID, customerID uuid.UUID) error {
	p, err := q.GetProject(ctx, tenantID, projectID)
	if err != nil {
		return fmt.Errorf("project %s: %w", projectID, err)
	}
	if p.CustomerID == uuid.Nil || p.CustomerID == customerID {
		return nil
	}
	if actor.Kind == tenant.ActorCustomerUser {
		return fmt.Errorf("project %s: %w", projectID, storage.ErrNotFound)
	}
	return invalid("project_id", "project %q belongs to another customer", p.Name)
}

// Change carries what a lifecycle event needs besides its name.
type Change struct {
	// Reason is recorded in history; reject requires one, and close, reject, cancel and expire
	// keep it as the ticket's CloseReason.
	Reason string
	// AssigneeID and TeamID are the new assignment (assign).
	AssigneeID uuid.UUID
	TeamID     uuid.UUID
	// Stars (1 to 5) and Comment are the requester's rating (rate).
	Stars   int
	Comment string
}

// Transition applies a lifecycle event to a ticket as ticket.TicketLifecycle defines, in one
// transaction with its history entry. Who may fire which event:
//
//   - submit: the requester, staff; accept: employees (the acceptor becomes the assignee);
//   - assign and reject: supervisors, moderators, admins, the system;
//   - start, wait, complete: employees and the system; resume: also the requester;
//   - rate: the requester only; close, cancel, reopen: employees and the requester (not the
//     system, which closes through expire);
//   - expire: the system only.
//
// "The requester" is the ticket's requester link, or a user of the ticket's customer: the user
// who opened it, or any customer_admin of that customer. Code holders see no ticket. Returns ErrNotFound for a ticket the actor cannot
// see, *ticket.TransitionError wrapping ticket.ErrUnknownEvent for an event not in the table,
// ErrForbidden for an event the actor may not fire, *ticket.TransitionError wrapping
// ticket.ErrInvalidTransition for an event the state does not allow, *ValidationError for a bad
// Change, and ErrConflict when a concurrent change won.
func (d *Desk) Transition(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, ev ticket.Event, ch Change) (*ticket.Ticket, error) {
	if ev == ticket.EventAssign {
		return d.Assign(ctx, actor, ticketID, Assignment{AssigneeID: ch.AssigneeID, TeamID: ch.TeamID, Reason: ch.Reason})
	}
	if !slices.Contains(ticket.Events(), ev) {
		return nil, fmt.Errorf("%s ticket %s: %w", ev, ticketID, &ticket.TransitionError{Machine: "ticket", Event: string(ev), Err: ticket.ErrUnknownEvent})
	}
	act := tenant.TicketEvent(string(ev))
	tid, err := d.authorizeOn(ctx, actor, act, ticketAt(ticketID))
	if err != nil {
		return nil, fmt.Errorf("%s ticket %s: %w", ev, ticketID, err)
	}
	var t *ticket.Ticket
	err = d.inTx(ctx, func(q storage.Queries) error {
		c, err := d.openCase(ctx, q, actor, tid, ticketID, act)
		if err != nil {
			return err
		}
		if err := checkChange(actor, ev, &ch); err != nil {
			return err
		}
		if _, err := d.tickets.Apply(ctx, c.t.State, ev); err != nil {
			return err
		}
		if ev == ticket.EventSubmit && c.t.CustomerID != uuid.Nil {
			cust, err := q.GetCustomer(ctx, tid, c.t.CustomerID)
			if err != nil {
				return fmt.Errorf("customer %s: %w", c.t.CustomerID, err)
			}
			if err := checkSupport(c.actor, cust, c.now); err != nil {
				return err
			}
		}
		if err := d.moveTicket(c, ev, ch); err != nil {
			return err
		}
		t = c.t
		return d.finish(c)
	})
	if err != nil {
		return nil, fmt.Errorf("%s ticket %s: %w", ev, ticketID, err)
	}
	return t, nil
}

// changeTicket asks the policy whether actor may perform act, loads a ticket the actor can
// see, asks again about that ticket, lets fn change it and fill in its history entry, and
// writes both in one transaction.
//
// after, if given, runs in the same transaction once the ticket is saved: what is told of the
// change (notifications, webhook payloads) then carries the ticket's new version and time.
func (d *Desk) changeTicket(ctx context.Context, actor tenant.Actor, id uuid.UUID, action string, act tenant.Action,
	fn func(q storage.Queries, t *ticket.Ticket, h *ticket.HistoryEntry) error,
	after ...func(q storage.Queries, t *ticket.Ticket) error) (*ticket.Ticket, error) {
	tid, err := d.authorizeOn(ctx, actor, act, ticketAt(id))
	if err != nil {
		return nil, fmt.Errorf("%s ticket %s: %w", action, id, err)
	}
	var t *ticket.Ticket
	err = d.inTx(ctx, func(q storage.Queries) error {
		var err error
		if t, err = d.lockedTicket(ctx, q, actor, tid, id); err != nil {
			return err
		}
		if err := reach(actor, act, t.Resource()); err != nil {
			return err
		}
		now := d.clock()
		h := &ticket.HistoryEntry{ID: newID(), TenantID: tid, TicketID: t.ID, Actor: actor.Ref(), Action: action, At: now}
		if err := fn(q, t, h); err != nil {
			return err
		}
		t.UpdatedAt = now
		if err := q.UpdateTicket(ctx, t); err != nil {
			return err
		}
		if err := q.AppendHistory(ctx, h); err != nil {
			return err
		}
		for _, fn := range after {
			if err := fn(q, t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s ticket %s: %w", action, id, err)
	}
	return t, nil
}

// visibleTicket reads a ticket and hides it (ErrNotFound) from actors who may not see it. A
// requester link stops working (ErrInvalidLink) once it is rotated, or its ticket has been
// closed for longer than the tenant's public-page access limit.
func (d *Desk) visibleTicket(ctx context.Context, q storage.Queries, actor tenant.Actor, tid, id uuid.UUID) (*ticket.Ticket, error) {
	return d.seeTicket(ctx, q, actor, tid, id, q.GetTicket)
}

// lockedTicket is visibleTicket for a transaction that changes the ticket: it reads it with its
// row lock (storage.Queries.GetTicketForUpdate), before anything of the ticket's is written, so
// that changes of one ticket and the firing of its timers take their locks in one order.
func (d *Desk) lockedTicket(ctx context.Context, q storage.Queries, actor tenant.Actor, tid, id uuid.UUID) (*ticket.Ticket, error) {
	return d.seeTicket(ctx, q, actor, tid, id, q.GetTicketForUpdate)
}

func (d *Desk) seeTicket(ctx context.Context, q storage.Queries, actor tenant.Actor, tid, id uuid.UUID,
	get func(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Ticket, error)) (*ticket.Ticket, error) {
	t, err := get(ctx, tid, id)
	if err != nil {
		return nil, err
	}
	if err := reach(actor, tenant.ActTicketRead, t.Resource()); err != nil {
		return nil, err
	}
	if actor.Kind == tenant.ActorRequesterLink {
		if err := d.checkLinkActor(ctx, q, actor, t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// checkPublicAccess ends a requester link's access once its ticket has been closed or
// cancelled for longer than the tenant's public-page access limit.
func (d *Desk) checkPublicAccess(ctx context.Context, q storage.Queries, t *ticket.Ticket) error {
	if !t.State.Terminal() || t.ClosedAt == nil {
		return nil
	}
	ten, err := q.GetTenant(ctx, t.TenantID)
	if err != nil {
		return err
	}
	if limit := t.ClosedAt.Add(ten.Settings.PublicAccess()); !d.clock().Before(limit) {
		return fmt.Errorf("%w: the ticket closed on %s and its page was open until %s", ErrInvalidLink,
			t.ClosedAt.Format(time.DateOnly), limit.Format(time.DateOnly))
	}
	return nil
}

// checkChange validates what event ev needs. Reject always needs a reason, and so do close and
// cancel by staff, since the requester is told why.
func checkChange(actor tenant.Actor, ev ticket.Event, ch *Change) error {
	needReason := ev == ticket.EventReject ||
		actor.IsStaff() && (ev == ticket.EventClose || ev == ticket.EventCancel)
	if err := checkReason(&ch.Reason, needReason); err != nil {
		return err
	}
	if ev == ticket.EventRate {
		return checkRating(ch.Stars, &ch.Comment)
	}
	return nil
}

// checkRating validates a rating of a ticket or a call: 1 to 5 stars, a short comment.
func checkRating(stars int, comment *string) error {
	if stars < 1 || stars > 5 {
		return invalid("stars", "%d is not 1 to 5", stars)
	}
	*comment = strings.TrimSpace(*comment)
	return checkLen("comment", *comment, 0, MaxReasonLen)
}

// ratingNote is a rating as its history entry's reason: "4/5 quick and clean".
func ratingNote(stars int, comment string) string {
	return strings.TrimSpace(fmt.Sprintf("%d/5 %s", stars, comment))
}

// applyEffects changes the ticket's fields that an event implies, besides its state.
func applyEffects(actor tenant.Actor, t *ticket.Ticket, ev ticket.Event, ch *Change, now time.Time) {
	switch ev {
	case ticket.EventAccept:
		t.AssigneeID = actor.UserID
	case ticket.EventRate:
		t.Rating = &ticket.Rating{Stars: ch.Stars, Comment: ch.Comment, At: now}
		t.ClosedAt = &now
	case ticket.EventClose, ticket.EventExpire, ticket.EventReject, ticket.EventCancel:
		t.CloseReason = ch.Reason
		t.ClosedAt = &now
	case ticket.EventReopen:
		t.CloseReason, t.ClosedAt, t.Rating = "", nil, nil
	}
}

// Submit sends a draft ticket: draft → open. See Transition.
func (d *Desk) Submit(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID) (*ticket.Ticket, error) {
	return d.Transition(ctx, actor, ticketID, ticket.EventSubmit, Change{})
}

// Accept makes the acting employee the ticket's assignee: open → assigned. An agent needs an
// open offer of the ticket (see MyOffers), else ErrNoOpenOffer; admins, moderators and
// supervisors, who may assign it, take it without one. The acceptor's offer is accepted and
// the other open offers are withdrawn in the same transaction. Of two accepts the second gets
// ticket.ErrInvalidTransition (or storage.ErrConflict when it lost the race). See Transition
// for the other errors.
func (d *Desk) Accept(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID) (*ticket.Ticket, error) {
	return d.Transition(ctx, actor, ticketID, ticket.EventAccept, Change{})
}

// Assignment is a ticket's new agent and/or team.
type Assignment struct {
	// AssigneeID is the agent; uuid.Nil keeps the current one (an open ticket needs one).
	AssigneeID uuid.UUID
	// TeamID is the team; uuid.Nil keeps the current one.
	TeamID uuid.UUID
	Reason string
}

// Assign gives the ticket to an agent and/or a team. From open with an agent it is the assign
// event (open → assigned); from open with a team alone it reroutes the ticket to that team: it
// stays open, is offered to the new team's members instead and its offer timeout starts again.
// In the other active states (assigned, in progress, waiting) it re-assigns without changing
// the state, changing what a.AssigneeID and a.TeamID name and keeping the rest. Every Assign
// withdraws the ticket's open offers, and each writes history. Supervisors, moderators, admins
// and the system may. Returns the errors of Transition, and *ValidationError when nothing is
// named (or, from open, neither an agent nor another team).
func (d *Desk) Assign(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, a Assignment) (*ticket.Ticket, error) {
	// The notifications go out once the ticket is saved, with its new version (see after).
	var (
		ten  *tenant.Tenant
		occs []occurrence
	)
	tell := func(q storage.Queries, _ *ticket.Ticket) error { return d.notifyIn(ctx, q, ten, occs...) }
	return d.changeTicket(ctx, actor, ticketID, string(ticket.EventAssign), tenant.TicketEvent(string(ticket.EventAssign)), func(q storage.Queries, t *ticket.Ticket, h *ticket.HistoryEntry) error {
		if err := checkReason(&a.Reason, false); err != nil {
			return err
		}
		if err := checkAssignment(ctx, q, t.TenantID, a); err != nil {
			return err
		}
		to := t.State
		reroute := false
		switch {
		case t.State == ticket.StateOpen && a.AssigneeID == uuid.Nil:
			if a.TeamID == uuid.Nil || a.TeamID == t.TeamID {
				return invalid("assignee_id", "an open ticket is assigned to an agent or rerouted to another team")
			}
			reroute, h.Action = true, "reroute"
		case t.State == ticket.StateOpen:
			var err error
			if to, err = d.tickets.Apply(ctx, t.State, ticket.EventAssign); err != nil {
				return err
			}
		case !t.State.Active():
			return &ticket.TransitionError{Machine: "ticket", From: string(t.State), Event: string(ticket.EventAssign), Err: ticket.ErrInvalidTransition}
		case a.AssigneeID == uuid.Nil && a.TeamID == uuid.Nil:
			return invalid("assignee_id", "an agent or a team is required")
		default:
			h.Action = "reassign"
		}
		h.From, h.To, h.Reason = string(t.State), string(to), a.Reason
		switch {
		case to != t.State:
			occs = ticketEvents(actor, t, ticket.EventAssign)
		case reroute:
			occs = []occurrence{{ev: notify.TicketOffered, actor: actor, ticket: t}}
		case a.AssigneeID != uuid.Nil && a.AssigneeID != t.AssigneeID:
			occs = []occurrence{{ev: notify.TicketAssigned, actor: actor, ticket: t}}
		}
		from := t.State
		if to != t.State {
			// A new state starts in its default status, as every move does (caseTx.move).
			var err error
			if t.StatusID, err = defaultStatus(ctx, q, t.TenantID, to); err != nil {
				return err
			}
			t.State = to
		}
		if a.AssigneeID != uuid.Nil {
			t.AssigneeID = a.AssigneeID
		}
		if a.TeamID != uuid.Nil {
			t.TeamID = a.TeamID
		}
		for i := range occs {
			occs[i].note = a.Reason
		}
		var err error
		if ten, err = q.GetTenant(ctx, t.TenantID); err != nil {
			return err
		}
		c := &caseTx{ctx: ctx, q: q, actor: actor, ten: ten, t: t, now: h.At}
		if err := c.closeOffers(ticket.OfferWithdrawn); err != nil {
			return err
		}
		if reroute {
			if err := d.offerTicket(c); err != nil {
				return err
			}
		}
		if to != from || reroute {
			// A rerouted ticket's offer timeout starts again with its new offers.
			if err := d.ticketTimers(c, from); err != nil {
				return err
			}
		}
		return nil
	}, tell)
}

// checkAssignment requires the assignee to be an active employee and the team to exist.
func checkAssignment(ctx context.Context, q storage.Queries, tenantID uuid.UUID, a Assignment) error {
	if a.AssigneeID != uuid.Nil {
		u, err := q.GetUser(ctx, tenantID, a.AssigneeID)
		if err != nil {
			return fmt.Errorf("assignee %s: %w", a.AssigneeID, err)
		}
		if !u.IsEmployee() || u.Status != tenant.UserActive {
			return invalid("assignee_id", "%s is not an active employee", u.Name)
		}
	}
	if a.TeamID != uuid.Nil {
		if _, err := q.GetTeam(ctx, tenantID, a.TeamID); err != nil {
			return fmt.Errorf("team %s: %w", a.TeamID, err)
		}
	}
	return nil
}

// Rate records the requester's rating (1 to 5 stars) and closes the ticket: done → closed. See
// Transition.
func (d *Desk) Rate(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, stars int, comment string) (*ticket.Ticket, error) {
	return d.Transition(ctx, actor, ticketID, ticket.EventRate, Change{Stars: stars, Comment: comment})
}

// Close closes the ticket with a reason. See Transition.
func (d *Desk) Close(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, reason string) (*ticket.Ticket, error) {
	return d.Transition(ctx, actor, ticketID, ticket.EventClose, Change{Reason: reason})
}

// SetStatus gives a ticket one of the tenant's custom statuses, which must map onto the ticket's
// current state and not be retired. Employees and the system may. Returns ErrNotFound (ticket or status),
// *ValidationError (status of another state), ErrForbidden or ErrConflict.
func (d *Desk) SetStatus(ctx context.Context, actor tenant.Actor, ticketID, statusID uuid.UUID) (*ticket.Ticket, error) {
	return d.changeTicket(ctx, actor, ticketID, "status", tenant.ActTicketStatus, func(q storage.Queries, t *ticket.Ticket, h *ticket.HistoryEntry) error {
		s, err := q.GetStatus(ctx, t.TenantID, statusID)
		if err != nil {
			return fmt.Errorf("status %s: %w", statusID, err)
		}
		if s.State != t.State {
			return invalid("status_id", "status %q belongs to state %s, the ticket is %s", s.Name, s.State, t.State)
		}
		if s.Retired {
			return invalid("status_id", "status %q is retired", s.Name)
		}
		h.From, h.To, h.Reason = string(t.State), string(t.State), s.Name
		t.StatusID = s.ID
		return nil
	})
}

// Ticket returns a ticket the actor can see: staff any of the tenant's, a customer user their
// customer's, a requester link its own; a code holder none (whoever scans a code is a stranger
// to the tickets opened through it). Returns ErrNotFound otherwise, so existence does not leak.
func (d *Desk) Ticket(ctx context.Context, actor tenant.Actor, id uuid.UUID) (*ticket.Ticket, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketRead, ticketAt(id))
	if err != nil {
		return nil, fmt.Errorf("get ticket %s: %w", id, err)
	}
	t, err := d.visibleTicket(ctx, d.store, actor, tid, id)
	if err != nil {
		return nil, fmt.Errorf("get ticket %s: %w", id, err)
	}
	return t, nil
}

// TicketByRef returns a ticket by its human reference ("T-000123"), as Ticket does. Returns
// ticket.ErrInvalidRef for a malformed reference and ErrNotFound.
func (d *Desk) TicketByRef(ctx context.Context, actor tenant.Actor, ref string) (*ticket.Ticket, error) {
	prefix, n, err := ticket.ParseRef(ref)
	if err != nil {
		return nil, err
	}
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketRead, func(ctx context.Context, q storage.Queries, tid uuid.UUID) (tenant.Resource, error) {
		t, err := q.GetTicketByNumber(ctx, tid, n)
		if err != nil {
			return tenant.Resource{}, err
		}
		return t.Resource(), nil
	})
	if err != nil {
		return nil, fmt.Errorf("get ticket %s: %w", ref, err)
	}
	t, err := d.store.GetTicketByNumber(ctx, tid, n)
	if err == nil && t.Prefix != prefix {
		err = storage.ErrNotFound
	}
	if err == nil {
		err = reach(actor, tenant.ActTicketRead, t.Resource())
	}
	if err == nil && actor.Kind == tenant.ActorRequesterLink {
		err = d.checkLinkActor(ctx, d.store, actor, t)
	}
	if err != nil {
		return nil, fmt.Errorf("get ticket %s: %w", ref, err)
	}
	return t, nil
}

// Tickets lists a page of tickets matching f, newest first. Staff see the whole tenant; a
// customer user's filter is pinned to their customer. f.Text searches the tickets' words and
// their messages (internal ones only for the actors who may read them: f.TextInternal is set
// here), ordered by relevance, then newest first (storage.Queries.ListTickets); a trailing
// space ends the last word, else it matches as a prefix. Code holders and requester links get
// ErrForbidden (a requester reaches their one ticket through Ticket). Returns
// storage.ErrInvalidCursor for a bad cursor.
func (d *Desk) Tickets(ctx context.Context, actor tenant.Actor, f storage.TicketFilter, p storage.PageRequest) (storage.Page[*ticket.Ticket], error) {
	tid, err := authorize(actor, tenant.ActTicketList)
	if err != nil {
		return storage.Page[*ticket.Ticket]{}, fmt.Errorf("list tickets: %w", err)
	}
	if !pinCustomer(actor, &f.CustomerID) {
		return storage.Page[*ticket.Ticket]{}, nil
	}
	for i, s := range f.States {
		if !s.Valid() {
			return storage.Page[*ticket.Ticket]{}, invalid(fmt.Sprintf("states[%d]", i), "%q is not a ticket state", s)
		}
	}
	f.Text = strings.TrimLeft(f.Text, " \t\r\n")
	if err := checkLen("text", f.Text, 0, MaxNameLen); err != nil {
		return storage.Page[*ticket.Ticket]{}, err
	}
	if strings.TrimSpace(f.Text) == "" {
		f.Text = ""
	}
	f.TextInternal = seesInternal(actor)
	page, err := d.store.ListTickets(ctx, tid, f, p)
	if err != nil {
		return page, fmt.Errorf("list tickets: %w", err)
	}
	return page, nil
}

// pinCustomer confines a listing's customer filter to the actor's customer scope. It reports
// false when the filter names a customer outside the scope: that listing is empty.
func pinCustomer(actor tenant.Actor, customerID *uuid.UUID) bool {
	scope := actor.CustomerScope()
	if scope == uuid.Nil {
		return true
	}
	if *customerID != uuid.Nil && *customerID != scope {
		return false
	}
	*customerID = scope
	return true
}

// CountTickets counts tickets per state for a dashboard: the tenant's, one customer's or one
// device's (f). A customer user's count is pinned to their customer. Code holders and requester
// links get ErrForbidden.
func (d *Desk) CountTickets(ctx context.Context, actor tenant.Actor, f storage.CountFilter) (map[ticket.State]int, error) {
	tid, err := authorize(actor, tenant.ActTicketList)
	if err != nil {
		return nil, fmt.Errorf("count tickets: %w", err)
	}
	if !pinCustomer(actor, &f.CustomerID) {
		return map[ticket.State]int{}, nil
	}
	counts, err := d.store.CountTickets(ctx, tid, f)
	if err != nil {
		return nil, fmt.Errorf("count tickets: %w", err)
	}
	return counts, nil
}

// History returns a page of a ticket's history (its sessions' included), oldest first (ties by
// ID). Requesters and customer users do not see entries about internal messages: the query
// leaves them out, so that every page but the last is full. A zero PageRequest asks for the
// first page of storage.DefaultPageSize; pass the page's Next as After for the next one.
// Returns ErrNotFound for a ticket the actor cannot see, and storage.ErrInvalidCursor for a
// cursor that is not one of this listing's.
func (d *Desk) History(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[*ticket.HistoryEntry], error) {
	fail := func(err error) (storage.Page[*ticket.HistoryEntry], error) {
		return storage.Page[*ticket.HistoryEntry]{}, fmt.Errorf("history of %s: %w", ticketID, err)
	}
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketRead, ticketAt(ticketID))
	if err != nil {
		return fail(err)
	}
	if _, err := d.visibleTicket(ctx, d.store, actor, tid, ticketID); err != nil {
		return fail(err)
	}
	var f storage.HistoryFilter
	if !seesInternal(actor) {
		f.ExcludeActions = []string{actionInternalMessage}
	}
	page, err := d.store.ListHistory(ctx, tid, ticketID, f, p)
	if err != nil {
		return fail(err)
	}
	return page, nil
}

// Statuses lists the tenant's custom statuses in lifecycle order, for staff and customer users.
// Returns ErrForbidden for public requesters.
func (d *Desk) Statuses(ctx context.Context, actor tenant.Actor) ([]*ticket.Status, error) {
	tid, err := authorize(actor, tenant.ActStatusList)
	if err != nil {
		return nil, fmt.Errorf("list statuses: %w", err)
	}
	ss, err := d.store.ListStatuses(ctx, tid)
	if err != nil {
		return nil, fmt.Errorf("list statuses: %w", err)
	}
	return ss, nil
}

// Priorities lists the tenant's priorities, most urgent first, for staff and customer users.
// Returns ErrForbidden for public requesters.
func (d *Desk) Priorities(ctx context.Context, actor tenant.Actor) ([]*ticket.Priority, error) {
	tid, err := authorize(actor, tenant.ActStatusList)
	if err != nil {
		return nil, fmt.Errorf("list priorities: %w", err)
	}
	ps, err := d.store.ListPriorities(ctx, tid)
	if err != nil {
		return nil, fmt.Errorf("list priorities: %w", err)
	}
	return ps, nil
}

// DeleteTicket removes a ticket outright with its messages, history and sessions, leaving an
// audit entry naming who deleted which reference. Only admins may. Returns ErrNotFound or
// ErrForbidden.
func (d *Desk) DeleteTicket(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID) error {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketDelete, ticketAt(ticketID))
	if err != nil {
		return fmt.Errorf("delete ticket %s: %w", ticketID, err)
	}
	var files []*ticket.Attachment
	err = d.inTx(ctx, func(q storage.Queries) error {
		t, err := q.GetTicket(ctx, tid, ticketID)
		if err != nil {
			return err
		}
		files, err = everyPage(func(p storage.PageRequest) (storage.Page[*ticket.Attachment], error) {
			return q.ListAttachments(ctx, tid, t.ID, true, p)
		})
		if err != nil {
			return err
		}
		if err := q.DeleteTicket(ctx, tid, t.ID); err != nil {
			return err
		}
		return d.audit(ctx, q, actor, tid, "ticket.deleted", "ticket", t.ID, t.Ref()+" "+t.Title)
	})
	if err != nil {
		return fmt.Errorf("delete ticket %s: %w", ticketID, err)
	}
	// The files go once their records are gone: a failure leaves an orphan, never a record
	// without its content.
	d.dropBlobs(ctx, files...)
	return nil
}

// AuditLog lists a page of the tenant's audit log, newest first: who created or changed
// customers, devices, templates, codes, statuses and priorities, and who deleted which ticket.
// Admins, moderators and the system may. Returns ErrForbidden or storage.ErrInvalidCursor.
func (d *Desk) AuditLog(ctx context.Context, actor tenant.Actor, p storage.PageRequest) (storage.Page[*tenant.AuditEntry], error) {
	tid, err := authorize(actor, tenant.ActAuditRead)
	if err != nil {
		return storage.Page[*tenant.AuditEntry]{}, fmt.Errorf("audit log: %w", err)
	}
	page, err := d.store.ListAudit(ctx, tid, p)
	if err != nil {
		return page, fmt.Errorf("audit log: %w", err)
	}
	return page, nil
}
