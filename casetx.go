// The path every change to a ticket and its sessions takes: a caseTx opened with the access
// check, moves through the lifecycles, history entries, timers armed and cancelled, and the
// save that writes the ticket with its version check.

package helpdesk

import (
	"context"
	"slices"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// caseTx is one transaction's change to a ticket and its sessions: every move goes through it,
// so that history, timers and notifications follow each move the same way whoever causes it
// (an operation, a provider's event, a timer).
type caseTx struct {
	ctx   context.Context
	q     storage.Queries
	actor tenant.Actor
	ten   *tenant.Tenant
	t     *ticket.Ticket
	now   time.Time
	// ticketMoved says the ticket needs writing.
	ticketMoved bool
	// fresh says the ticket was created in this transaction and has had no timer armed yet:
	// there is nothing to cancel.
	fresh bool
	occs  []occurrence
	// look holds the records the case's offers and notifications read, each read once.
	look *lookup
}

// lookup returns the case's record lookup, shared by its offers and its notifications.
func (c *caseTx) lookup() *lookup {
	if c.look == nil {
		c.look = &lookup{ctx: c.ctx, q: c.q, tenantID: c.t.TenantID}
	}
	return c.look
}

// finish writes the ticket if it moved and the notifications of every move.
func (d *Desk) finish(c *caseTx) error {
	if err := c.save(); err != nil {
		return err
	}
	return d.notifyWith(c.lookup(), c.ten, c.occs...)
}

// save writes the ticket if it moved.
func (c *caseTx) save() error {
	if !c.ticketMoved {
		return nil
	}
	c.t.UpdatedAt = c.now
	if err := c.q.UpdateTicket(c.ctx, c.t); err != nil {
		return err
	}
	c.ticketMoved = false
	return nil
}

// history appends one history entry of the case.
func (c *caseTx) history(sessionID uuid.UUID, action, from, to, reason string) error {
	return c.q.AppendHistory(c.ctx, &ticket.HistoryEntry{ID: newID(), TenantID: c.t.TenantID, TicketID: c.t.ID,
		SessionID: sessionID, Actor: c.actor.Ref(), Action: action, From: from, To: to, Reason: reason, At: c.now})
}

// arm stores a timer of the case, due at due.
func (c *caseTx) arm(sessionID uuid.UUID, kind ticket.TimerKind, due time.Time) error {
	return c.q.ArmTimer(c.ctx, &ticket.Timer{ID: newID(), TenantID: c.t.TenantID, TicketID: c.t.ID,
		SessionID: sessionID, Kind: kind, DueAt: due, RunAt: due, CreatedAt: c.now})
}

// moveTicket fires ev on the case's ticket, with its history, effects, timers and
// notifications. Authorization is the caller's.
func (d *Desk) moveTicket(c *caseTx, ev ticket.Event, ch Change) error {
	to, err := d.tickets.Apply(c.ctx, c.t.State, ev)
	if err != nil {
		return err
	}
	from := c.t.State
	if ev == ticket.EventAccept {
		if err := d.acceptOffer(c); err != nil {
			return err
		}
	}
	applyEffects(c.actor, c.t, ev, &ch, c.now)
	reason := ch.Reason
	if ev == ticket.EventRate {
		reason = ratingNote(ch.Stars, ch.Comment)
	}
	c.t.State = to
	// A new state starts in its default status; SetStatus picks another one.
	if c.t.StatusID, err = defaultStatus(c.ctx, c.q, c.t.TenantID, to); err != nil {
		return err
	}
	c.ticketMoved = true
	if err := c.history(uuid.Nil, string(ev), string(from), string(to), reason); err != nil {
		return err
	}
	if err := d.ticketOffers(c, from); err != nil {
		return err
	}
	if to.Terminal() {
		if err := d.cancelPendingSessions(c); err != nil {
			return err
		}
	}
	if err := d.ticketTimers(c, from); err != nil {
		return err
	}
	c.occs = append(c.occs, ticketEvents(c.actor, c.t, ev)...)
	return nil
}

// ticketOffers keeps the offers of the case's ticket in step with the state it just entered
// from from: entering open offers it to its team, leaving open withdraws the open offers (an
// accepted one was closed by acceptOffer already).
func (d *Desk) ticketOffers(c *caseTx, from ticket.State) error {
	switch {
	case from == ticket.StateOpen && c.t.State != ticket.StateOpen:
		return c.closeOffers(ticket.OfferWithdrawn)
	case from != ticket.StateOpen && c.t.State == ticket.StateOpen:
		return d.offerTicket(c)
	}
	return nil
}

// pendingSessions are the session states that wait for something to happen: a call asked for,
// an invitation out, a time proposed or confirmed. A ticket that closes or is cancelled
// cancels them, since nothing can follow on it.
var pendingSessions = []ticket.SessionState{ticket.SessionRequested, ticket.SessionInvited, ticket.SessionProposed,
	ticket.SessionConfirmed}

// cancelPendingSessions cancels the case's pending sessions, with their history and timers,
// as its ticket closes or is cancelled.
func (d *Desk) cancelPendingSessions(c *caseTx) error {
	if n, err := c.q.CountSessions(c.ctx, c.t.TenantID, c.t.ID, pendingSessions...); err != nil || n == 0 {
		return err
	}
	ss, err := everyPage(func(p storage.PageRequest) (storage.Page[*ticket.Session], error) {
		return c.q.ListSessions(c.ctx, c.t.TenantID, c.t.ID, p)
	})
	if err != nil {
		return err
	}
	reason := "the ticket was " + string(c.t.State)
	for _, s := range ss {
		if slices.Contains(pendingSessions, s.State) {
			if err := d.moveSession(c, s, ticket.SessionEventCancel, SessionChange{Reason: reason}); err != nil {
				return err
			}
		}
	}
	return nil
}

// ticketTimers re-arms the ticket's own timers for the state it just entered from from, and
// keeps its media transfer window: every state change makes the previous state's timers moot.
// A closed or cancelled ticket keeps no timer at all, its sessions' included.
func (d *Desk) ticketTimers(c *caseTx, from ticket.State) error {
	t, dur := c.t, c.ten.Settings.Durations.WithDefaults()
	if !c.fresh {
		scope := storage.TimerScope{TicketID: t.ID, TicketOnly: !t.State.Terminal()}
		if _, err := c.q.CancelTimers(c.ctx, t.TenantID, scope); err != nil {
			return err
		}
	}
	// What is armed below is there to cancel at the ticket's next move, even in this transaction.
	c.fresh = false
	switch t.State {
	case ticket.StateOpen:
		return c.arm(uuid.Nil, ticket.TimerOfferTimeout, c.now.Add(dur.OfferTimeout))
	case ticket.StateWaiting:
		return c.arm(uuid.Nil, ticket.TimerExpiration, c.now.Add(dur.MaxExpiration))
	case ticket.StateDone:
		until := c.now.Add(dur.MediaTransfer)
		t.UploadsUntil = &until
		if err := c.arm(uuid.Nil, ticket.TimerAcknowledgment, c.now.Add(dur.MaxAcknowledgment)); err != nil {
			return err
		}
		return c.arm(uuid.Nil, ticket.TimerExpiration, c.now.Add(dur.MaxExpiration))
	case ticket.StateAssigned:
		if from == ticket.StateDone || from == ticket.StateClosed {
			t.UploadsUntil = nil // reopened
		}
	}
	return nil
}

// moveSession fires ev on session s of the case's ticket (SessionNone creates it), with its
// history, timers, the ticket event it brings about and its notifications. Authorization is the
// caller's.
func (d *Desk) moveSession(c *caseTx, s *ticket.Session, ev ticket.SessionEvent, ch SessionChange) error {
	from := s.State
	to, err := d.sessions.Apply(c.ctx, from, ev)
	if err != nil {
		return err
	}
	s.State, s.UpdatedAt = to, c.now
	switch ev {
	case ticket.SessionEventStart:
		s.StartedAt = &c.now
	case ticket.SessionEventEnd:
		s.EndedAt = &c.now
	case ticket.SessionEventRate:
		s.Rating = &ticket.Rating{Stars: ch.Stars, Comment: ch.Comment, At: c.now}
	}
	if from == ticket.SessionNone {
		s.CreatedAt, s.Version = c.now, 1
		err = c.q.CreateSession(c.ctx, s)
	} else {
		err = c.q.UpdateSession(c.ctx, s)
	}
	if err != nil {
		return err
	}
	reason := ch.Reason
	if ev == ticket.SessionEventRate {
		reason = ratingNote(ch.Stars, ch.Comment)
	}
	if err := c.history(s.ID, "session."+string(ev), string(from), string(to), reason); err != nil {
		return err
	}
	if err := d.sessionTimers(c, s, from); err != nil {
		return err
	}
	if tev, ok := sessionTicketEvent[ev]; ok && d.tickets.Can(c.t.State, tev) {
		if err := d.moveTicket(c, tev, Change{}); err != nil {
			return err
		}
	}
	if n, ok := sessionNotice[ev]; ok {
		o := sessionOccurrence(n, c.actor, c.t, s)
		if n == notify.InvitationSent {
			o.only = inviteChannels(c.ten.Settings.EffectiveOffer())
		}
		c.occs = append(c.occs, o)
	}
	return nil
}

// sessionTimers re-arms session s's timers for the state it just entered (docs/concepts.md,
// "Timers").
func (d *Desk) sessionTimers(c *caseTx, s *ticket.Session, from ticket.SessionState) error {
	dur := c.ten.Settings.Durations.WithDefaults()
	if from != ticket.SessionNone {
		if _, err := c.q.CancelTimers(c.ctx, c.t.TenantID, storage.TimerScope{TicketID: c.t.ID, SessionID: s.ID}); err != nil {
			return err
		}
	}
	switch s.State {
	case ticket.SessionInvited, ticket.SessionProposed:
		// The agent followed up: escalating or auto-closing earlier invitations is moot.
		if err := d.cancelFollowUps(c, s.ID); err != nil {
			return err
		}
		due := c.now.Add(dur.InvitationExpiry)
		if s.State == ticket.SessionProposed && s.PlannedAt != nil && s.PlannedAt.Before(due) {
			due = *s.PlannedAt
		}
		return c.arm(s.ID, ticket.TimerInvitationExpiry, due)
	case ticket.SessionConfirmed:
		if s.PlannedAt != nil {
			if due := s.PlannedAt.Add(-dur.ReminderBefore); due.After(c.now) {
				return c.arm(s.ID, ticket.TimerReminder, due)
			}
		}
	case ticket.SessionInProgress:
		if s.PlannedEnd != nil {
			return c.arm(s.ID, ticket.TimerPlannedEnd, later(*s.PlannedEnd, c.now))
		}
	case ticket.SessionRefused, ticket.SessionExpired:
		if err := c.arm(s.ID, ticket.TimerAcknowledgment, c.now.Add(dur.MaxAcknowledgment)); err != nil {
			return err
		}
		return c.arm(s.ID, ticket.TimerExpiration, c.now.Add(dur.MaxExpiration))
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// cancelFollowUps cancels the escalation and auto-close timers of the ticket's sessions other
// than except.
func (d *Desk) cancelFollowUps(c *caseTx, except uuid.UUID) error {
	timers, err := c.q.ListTimers(c.ctx, c.t.TenantID, c.t.ID)
	if err != nil {
		return err
	}
	for _, tm := range timers {
		if tm.SessionID == uuid.Nil || tm.SessionID == except ||
			tm.Kind != ticket.TimerAcknowledgment && tm.Kind != ticket.TimerExpiration {
			continue
		}
		if _, err := c.q.CancelTimers(c.ctx, c.t.TenantID, storage.TimerScope{TicketID: c.t.ID, SessionID: tm.SessionID,
			Kinds: []ticket.TimerKind{tm.Kind}}); err != nil {
			return err
		}
	}
	return nil
}

// openCase reads, inside a transaction that changes the ticket, the ticket actor may see, with
// its row lock, and its tenant.
func (d *Desk) openCase(ctx context.Context, q storage.Queries, actor tenant.Actor, tid, ticketID uuid.UUID, act tenant.Action) (*caseTx, error) {
	return d.caseVia(ctx, q, actor, tid, ticketID, act, d.lockedTicket)
}

// viewCase is openCase for a transaction that only reads: the ticket without its row lock.
func (d *Desk) viewCase(ctx context.Context, q storage.Queries, actor tenant.Actor, tid, ticketID uuid.UUID, act tenant.Action) (*caseTx, error) {
	return d.caseVia(ctx, q, actor, tid, ticketID, act, d.visibleTicket)
}

func (d *Desk) caseVia(ctx context.Context, q storage.Queries, actor tenant.Actor, tid, ticketID uuid.UUID, act tenant.Action,
	read func(context.Context, storage.Queries, tenant.Actor, uuid.UUID, uuid.UUID) (*ticket.Ticket, error)) (*caseTx, error) {
	t, err := read(ctx, q, actor, tid, ticketID)
	if err != nil {
		return nil, err
	}
	if err := reach(actor, act, t.Resource()); err != nil {
		return nil, err
	}
	ten, err := q.GetTenant(ctx, tid)
	if err != nil {
		return nil, err
	}
	return &caseTx{ctx: ctx, q: q, actor: actor, ten: ten, t: t, now: d.clock()}, nil
}

// systemCase opens the case of ticket id for the system; nil when the ticket is gone. tenants
// may be nil.
func (d *Desk) systemCase(ctx context.Context, q storage.Queries, tenants tenantReads, tid, id uuid.UUID) (*caseTx, error) {
	t, err := q.GetTicketForUpdate(ctx, tid, id)
	if isNotFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	ten, err := tenants.get(ctx, q, tid)
	if err != nil {
		return nil, err
	}
	return &caseTx{ctx: ctx, q: q, actor: tenant.SystemFor(tid), ten: ten, t: t, now: d.clock()}, nil
}

// tenantReads keeps the tenants one transaction read, so that each is read once. A nil
// tenantReads reads every time.
type tenantReads map[uuid.UUID]*tenant.Tenant

func (m tenantReads) get(ctx context.Context, q storage.Queries, tid uuid.UUID) (*tenant.Tenant, error) {
	if ten, ok := m[tid]; ok {
		return ten, nil
	}
	ten, err := q.GetTenant(ctx, tid)
	if err == nil && m != nil {
		m[tid] = ten
	}
	return ten, err
}
