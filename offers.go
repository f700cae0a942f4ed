// Offers: an open ticket is offered to the active members of its team, each offer a record;
// the first offered employee to accept wins and the other offers are withdrawn in the same
// transaction.

package helpdesk

import (
	"context"
	"fmt"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// offerTicket offers the case's open ticket to the active employees of its team, or, when it has
// none, to the stand-ins (see standIns).
func (d *Desk) offerTicket(c *caseTx) error {
	// Read through the case's lookup: the notifications of the same move (ticket.offered)
	// need the same team and people.
	l := c.lookup()
	var members []uuid.UUID
	if c.t.TeamID != uuid.Nil {
		team, err := l.team(c.t.TeamID)
		if err != nil {
			return err
		}
		if team != nil {
			members = team.Members
		}
	}
	offers := make([]*ticket.Offer, 0, len(members))
	offer := func(u *tenant.User) {
		offers = append(offers, &ticket.Offer{ID: newID(), TenantID: c.t.TenantID, TicketID: c.t.ID, UserID: u.ID,
			State: ticket.OfferOpen, CreatedAt: c.now})
	}
	for _, id := range members {
		u, err := l.user(id)
		if err != nil {
			return err
		}
		if u != nil && u.IsEmployee() && u.Status == tenant.UserActive {
			offer(u)
		}
	}
	if len(offers) == 0 {
		admins, err := l.admins()
		if err != nil {
			return err
		}
		for _, u := range admins {
			offer(u)
		}
	}
	return c.q.CreateOffers(c.ctx, offers)
}

// standIns are the people who stand in for a team with nobody in it: the tenant's active
// admins. A team without an active member (a new tenant's default group, a team whose people
// all left) would otherwise swallow its requests: its offers go to them, and so do the
// messages meant for its members or for a supervisor it lacks.
func standIns(ctx context.Context, q storage.Queries, tenantID uuid.UUID) ([]*tenant.User, error) {
	page, err := q.ListUsers(ctx, tenantID, storage.UserFilter{Employees: true, Role: tenant.RoleAdmin,
		Status: tenant.UserActive}, storage.PageRequest{Limit: storage.MaxPageSize})
	if err != nil {
		return nil, fmt.Errorf("list the admins who stand in: %w", err)
	}
	return page.Items, nil
}

// closeOffers closes the case's open offers into state.
func (c *caseTx) closeOffers(state ticket.OfferState) error {
	_, err := c.q.CloseOffers(c.ctx, c.t.TenantID, c.t.ID, state, c.now)
	return err
}

// acceptOffer closes the acting employee's open offer of the case's ticket as accepted. Those
// who may assign the ticket take it without an offer (they could assign it to themselves);
// anyone else without an open offer gets ErrNoOpenOffer.
func (d *Desk) acceptOffer(c *caseTx) error {
	err := c.q.AcceptOffer(c.ctx, c.t.TenantID, c.t.ID, c.actor.UserID, c.now)
	if !isNotFound(err) {
		return err
	}
	// A concurrent accept may have withdrawn the offer after this transaction read the
	// ticket: that is a lost race, not a missing offer.
	if cur, err := c.q.GetTicket(c.ctx, c.t.TenantID, c.t.ID); err != nil {
		return err
	} else if cur.Version != c.t.Version {
		return fmt.Errorf("%w: ticket %s changed meanwhile", storage.ErrConflict, c.t.Ref())
	}
	r := c.t.Resource()
	if tenant.Authorize(c.actor, tenant.TicketEvent(string(ticket.EventAssign)), &r) == nil {
		return nil
	}
	return fmt.Errorf("%w: ticket %s is not offered to %s", ErrNoOpenOffer, c.t.Ref(), c.actor.Name)
}

// MyOffers lists a page of the acting employee's open offers, newest first: the tickets they
// may accept, for their dashboard. Employees may; the system and others get ErrForbidden.
// Returns storage.ErrInvalidCursor for a bad cursor.
func (d *Desk) MyOffers(ctx context.Context, actor tenant.Actor, p storage.PageRequest) (storage.Page[*ticket.Offer], error) {
	tid, err := authorize(actor, tenant.TicketEvent(string(ticket.EventAccept)))
	if err != nil {
		return storage.Page[*ticket.Offer]{}, fmt.Errorf("my offers: %w", err)
	}
	page, err := d.store.ListOffers(ctx, tid, storage.OfferFilter{UserID: actor.UserID,
		States: []ticket.OfferState{ticket.OfferOpen}}, p)
	if err != nil {
		return page, fmt.Errorf("my offers: %w", err)
	}
	return page, nil
}

// Offers lists a page of a ticket's offers in every state, newest first: to whom it was
// offered, and who accepted. Staff may, as for Timers. Returns ErrNotFound for a ticket the
// actor cannot see, ErrForbidden, and storage.ErrInvalidCursor for a bad cursor.
func (d *Desk) Offers(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[*ticket.Offer], error) {
	fail := func(err error) (storage.Page[*ticket.Offer], error) {
		return storage.Page[*ticket.Offer]{}, fmt.Errorf("offers of %s: %w", ticketID, err)
	}
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketEdit, ticketAt(ticketID))
	if err != nil {
		return fail(err)
	}
	t, err := d.visibleTicket(ctx, d.store, actor, tid, ticketID)
	if err != nil {
		return fail(err)
	}
	if err := reach(actor, tenant.ActTicketEdit, t.Resource()); err != nil {
		return fail(err)
	}
	page, err := d.store.ListOffers(ctx, tid, storage.OfferFilter{TicketID: t.ID}, p)
	if err != nil {
		return fail(err)
	}
	return page, nil
}
