package helpdesk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// autoCloseReason is the closing reason of a ticket the max expiration closed.
const autoCloseReason = "closed automatically: no activity within the maximum expiration time"

// maxTimerBackoff caps the wait between failed firings of a timer.
const maxTimerBackoff = 10 * time.Minute

// FireTimersOnce claims the timers due now (up to Config.Timers.BatchSize, earliest first,
// whatever their tenant) and fires them in up to Config.Timers.Concurrency groups at once, a
// ticket's timers in one group. Each group fires in one transaction that deletes its timers:
// a timer fires at most once, even with several processes sharing the database. Each firing
// first re-checks the state it was armed for and does nothing if the rule no longer applies
// (docs/concepts.md, "Timers"). When a group's transaction fails, its timers fire again one
// transaction each, so that only those that fail on their own wait: they are retried after a
// backoff. Run calls it whenever timers are due; tests with an injected clock call it directly.
// It returns how many timers it claimed, and the claim's error or the firings' errors joined.
func (d *Desk) FireTimersOnce(ctx context.Context) (int, error) {
	cfg := d.cfg.Timers
	timers, err := d.store.ClaimTimers(ctx, d.clock(), cfg.Lease, cfg.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("claim timers: %w", err)
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	fail := func(tm *ticket.Timer, err error) {
		err = fmt.Errorf("fire %s timer %s of ticket %s: %w", tm.Kind, tm.ID, tm.TicketID, err)
		wait := backoff(cfg.RetryBackoff, maxTimerBackoff, tm.Attempts)
		if rerr := d.store.RetryTimer(context.WithoutCancel(ctx), tm.TenantID, tm.ID, tm.Attempts,
			d.clock().Add(wait), err.Error()); rerr != nil {
			err = errors.Join(err, rerr)
		}
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for _, g := range timerGroups(timers, cfg.Concurrency) {
		wg.Go(func() {
			err := d.fireTimers(ctx, g)
			if err == nil {
				d.timersFired(g)
				return
			}
			if len(g) == 1 {
				fail(g[0], err)
				return
			}
			for _, tm := range g {
				if err := d.fireTimers(ctx, []*ticket.Timer{tm}); err != nil {
					fail(tm, err)
				} else {
					d.timersFired([]*ticket.Timer{tm})
				}
			}
		})
	}
	wg.Wait()
	return len(timers), errors.Join(errs...)
}

// timerGroups splits claimed timers into at most n groups of about the same size, each ticket's
// timers in one group by due time, the groups ordered by ticket: concurrent groups then never
// wait on one another's ticket, and the ticket rows of a group are locked in one order.
func timerGroups(timers []*ticket.Timer, n int) [][]*ticket.Timer {
	if len(timers) == 0 {
		return nil
	}
	timers = slices.Clone(timers)
	slices.SortFunc(timers, func(a, b *ticket.Timer) int {
		if c := bytes.Compare(a.TicketID[:], b.TicketID[:]); c != 0 {
			return c
		}
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	size := (len(timers) + n - 1) / n
	var groups [][]*ticket.Timer
	lo := 0
	for i := 1; i <= len(timers); i++ {
		if i == len(timers) || i-lo >= size && timers[i].TicketID != timers[i-1].TicketID {
			groups = append(groups, timers[lo:i:i])
			lo = i
		}
	}
	return groups
}

// fireTimers fires claimed timers in one transaction: each one still pending whose rule still
// applies does what it does. Each tenant is read once, and the notifications of each tenant's
// firings are written together, each template and recipient read once.
func (d *Desk) fireTimers(ctx context.Context, tms []*ticket.Timer) error {
	return d.inTx(ctx, func(q storage.Queries) error {
		tenants := tenantReads{}
		occs := map[uuid.UUID][]occurrence{}
		var order []uuid.UUID
		for _, tm := range tms {
			c, err := d.fireTimer(ctx, q, tenants, tm)
			if err != nil || c == nil {
				if err != nil {
					return fmt.Errorf("%s timer %s: %w", tm.Kind, tm.ID, err)
				}
				continue
			}
			if len(c.occs) > 0 {
				if _, ok := occs[c.ten.ID]; !ok {
					order = append(order, c.ten.ID)
				}
				occs[c.ten.ID] = append(occs[c.ten.ID], c.occs...)
			}
		}
		for _, tid := range order {
			if err := d.notifyIn(ctx, q, tenants[tid], occs[tid]...); err != nil {
				return err
			}
		}
		return nil
	})
}

// fireTimer fires one claimed timer within q's transaction, if it is still pending and its rule
// still applies, writing its ticket's changes; it returns the case, with the notifications
// still to write, or nil when the timer was moot.
func (d *Desk) fireTimer(ctx context.Context, q storage.Queries, tenants tenantReads, tm *ticket.Timer) (*caseTx, error) {
	// The ticket's row lock comes first, as in every change of the ticket: an accept holding
	// the ticket while it cancels this timer must not wait for a firing that holds the timer
	// while it closes the accepted offers.
	c, err := d.systemCase(ctx, q, tenants, tm.TenantID, tm.TicketID)
	if err != nil {
		return nil, err
	}
	ok, err := q.FireTimer(ctx, tm.TenantID, tm.ID, tm.Attempts)
	if err != nil || !ok || c == nil {
		return nil, err
	}
	var s *ticket.Session
	if tm.SessionID != uuid.Nil {
		if s, err = q.GetSession(ctx, tm.TenantID, tm.SessionID); isNotFound(err) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
	}
	if err := d.applyTimer(c, tm.Kind, s); err != nil {
		return nil, err
	}
	return c, c.save()
}

// applyTimer does what a timer of kind on session s (nil for the ticket's own) does, when its
// rule still applies.
func (d *Desk) applyTimer(c *caseTx, kind ticket.TimerKind, s *ticket.Session) error {
	t := c.t
	in := func(st ticket.SessionState, states ...ticket.SessionState) bool { return slices.Contains(states, st) }
	notice := func(ev notify.Event) {
		if s != nil {
			c.occs = append(c.occs, sessionOccurrence(ev, c.actor, t, s))
		} else {
			c.occs = append(c.occs, occurrence{ev: ev, actor: c.actor, ticket: t})
		}
	}
	switch {
	case s != nil && t.State.Terminal():
		// A closed or cancelled ticket's sessions need no follow-up.
		return nil
	case kind == ticket.TimerInvitationExpiry && s != nil:
		if in(s.State, ticket.SessionInvited, ticket.SessionProposed) {
			return d.moveSession(c, s, ticket.SessionEventExpire, SessionChange{})
		}
	case kind == ticket.TimerReminder && s != nil:
		if s.State == ticket.SessionConfirmed {
			notice(notify.InvitationReminder)
		}
	case kind == ticket.TimerPlannedEnd && s != nil:
		if s.State == ticket.SessionInProgress {
			return d.moveSession(c, s, ticket.SessionEventEnd, SessionChange{})
		}
	case kind == ticket.TimerAcknowledgment && s != nil:
		switch s.State {
		case ticket.SessionRefused:
			notice(notify.EscalationRefused)
		case ticket.SessionExpired:
			notice(notify.EscalationExpired)
		}
	case kind == ticket.TimerAcknowledgment:
		if t.State == ticket.StateDone {
			notice(notify.EscalationCompleted)
		}
	case kind == ticket.TimerExpiration && s != nil:
		if in(s.State, ticket.SessionRefused, ticket.SessionExpired) && d.tickets.Can(t.State, ticket.EventExpire) {
			return d.moveTicket(c, ticket.EventExpire, Change{Reason: autoCloseReason})
		}
	case kind == ticket.TimerExpiration:
		if t.State == ticket.StateWaiting || t.State == ticket.StateDone {
			return d.expireTicket(c)
		}
	case kind == ticket.TimerOfferTimeout:
		if t.State == ticket.StateOpen {
			// Nobody accepted in time: the offers end and the supervisor assigns.
			if err := c.closeOffers(ticket.OfferExpired); err != nil {
				return err
			}
			notice(notify.EscalationUnaccepted)
		}
	}
	return nil
}

// expireTicket auto-closes the case's ticket and closes its finished sessions.
func (d *Desk) expireTicket(c *caseTx) error {
	ss, err := everyPage(func(p storage.PageRequest) (storage.Page[*ticket.Session], error) {
		return c.q.ListSessions(c.ctx, c.t.TenantID, c.t.ID, p)
	})
	if err != nil {
		return err
	}
	for _, s := range ss {
		if s.State == ticket.SessionDone {
			if err := d.moveSession(c, s, ticket.SessionEventClose, SessionChange{Reason: autoCloseReason}); err != nil {
				return err
			}
		}
	}
	return d.moveTicket(c, ticket.EventExpire, Change{Reason: autoCloseReason})
}

// Timers lists a ticket's pending timers (its sessions' included), by due time: what will
// happen by itself, and when. Staff may. Returns ErrNotFound for a ticket the actor cannot see.
func (d *Desk) Timers(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID) ([]*ticket.Timer, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketEdit, ticketAt(ticketID))
	if err != nil {
		return nil, fmt.Errorf("list timers of ticket %s: %w", ticketID, err)
	}
	var out []*ticket.Timer
	err = d.inTx(ctx, func(q storage.Queries) error {
		if _, err := d.visibleTicket(ctx, q, actor, tid, ticketID); err != nil {
			return err
		}
		var err error
		out, err = q.ListTimers(ctx, tid, ticketID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list timers of ticket %s: %w", ticketID, err)
	}
	return out, nil
}
