package helpdesk

import (
	"context"
	"fmt"
	"strings"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// History actions of posted messages.
const (
	actionPublicMessage   = "message"
	actionInternalMessage = "message.internal"
)

// NewMessage is a post on a ticket.
type NewMessage struct {
	Body string
	// Internal messages are seen by staff only; only staff may post them.
	Internal bool
}

// PostMessage posts a message on a ticket, with a history entry. A reply from the requester's
// side (the requester link, or any user of the ticket's customer, who answers for the company)
// to a ticket that is waiting resumes it (waiting → in progress) in the same transaction.
// Requesters cannot post once the ticket is closed or cancelled (ErrTicketClosed) and never
// post internal messages (ErrForbidden). Returns ErrNotFound for a ticket the actor cannot see,
// *ValidationError for an empty or oversized body, and ErrConflict when a concurrent change won.
func (d *Desk) PostMessage(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, in NewMessage) (*ticket.Message, error) {
	in.Body = strings.TrimSpace(in.Body)
	if err := checkLen("body", in.Body, 1, MaxTextLen); err != nil {
		return nil, err
	}
	act, vis := tenant.ActMessagePost, ticket.Public
	if in.Internal {
		act, vis = tenant.ActMessageIntern, ticket.Internal
	}
	tid, err := d.authorizeOn(ctx, actor, act, ticketAt(ticketID))
	if err != nil {
		return nil, fmt.Errorf("post message on %s: %w", ticketID, err)
	}
	var m *ticket.Message
	err = d.inTx(ctx, func(q storage.Queries) error {
		t, err := d.visibleTicket(ctx, q, actor, tid, ticketID)
		if err != nil {
			return err
		}
		if err := reach(actor, act, ticketResource(t)); err != nil {
			return err
		}
		if !actor.IsStaff() && t.State.Terminal() {
			return fmt.Errorf("%w: %s is %s", ErrTicketClosed, t.Ref(), t.State)
		}
		now := d.clock()
		m = &ticket.Message{ID: newID(), TenantID: tid, TicketID: t.ID, Author: actor.Ref(), Body: in.Body,
			Visibility: vis, CreatedAt: now}
		if err := q.CreateMessage(ctx, m); err != nil {
			return err
		}
		action := actionPublicMessage
		if in.Internal {
			action = actionInternalMessage
		}
		h := &ticket.HistoryEntry{ID: newID(), TenantID: tid, TicketID: t.ID, Actor: actor.Ref(), Action: action,
			From: string(t.State), To: string(t.State), At: now}
		if err := q.AppendHistory(ctx, h); err != nil {
			return err
		}
		if !in.Internal {
			occ := occurrence{ev: notify.CommentAdded, actor: actor, ticket: t, comment: in.Body}
			if err := d.notify(ctx, q, tid, occ); err != nil {
				return err
			}
		}
		// Every post updates the ticket (its last activity), so a post and a concurrent change
		// of state, such as a close, cannot both commit unseen by each other.
		t.UpdatedAt = now
		if actor.IsStaff() || t.State != ticket.StateWaiting {
			return q.UpdateTicket(ctx, t)
		}
		to, err := d.tickets.Apply(ctx, t.State, ticket.EventResume)
		if err != nil {
			return err
		}
		resumed := &ticket.HistoryEntry{ID: newID(), TenantID: tid, TicketID: t.ID, Actor: actor.Ref(),
			Action: string(ticket.EventResume), From: string(t.State), To: string(to), Reason: "requester replied", At: now}
		t.State, t.StatusID = to, uuid.Nil
		if err := q.UpdateTicket(ctx, t); err != nil {
			return err
		}
		return q.AppendHistory(ctx, resumed)
	})
	if err != nil {
		return nil, fmt.Errorf("post message on %s: %w", ticketID, err)
	}
	return m, nil
}

// Messages returns a ticket's messages, oldest first; internal ones for staff only. Returns
// ErrNotFound for a ticket the actor cannot see.
func (d *Desk) Messages(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID) ([]*ticket.Message, error) {
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketRead, ticketAt(ticketID))
	if err != nil {
		return nil, fmt.Errorf("messages of %s: %w", ticketID, err)
	}
	if _, err := d.visibleTicket(ctx, d.store, actor, tid, ticketID); err != nil {
		return nil, fmt.Errorf("messages of %s: %w", ticketID, err)
	}
	ms, err := d.store.ListMessages(ctx, tid, ticketID, seesInternal(actor))
	if err != nil {
		return nil, fmt.Errorf("messages of %s: %w", ticketID, err)
	}
	return ms, nil
}

// seesInternal reports whether the policy lets actor read internal messages (and the history
// entries about them): the actors who may post them.
func seesInternal(actor tenant.Actor) bool {
	return tenant.Authorize(actor, tenant.ActMessageIntern, nil) == nil
}
