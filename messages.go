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
	// Attachments are files posted with the message (any type, each at most
	// Config.MaxUploadSize), at most MaxAttachments; they share the message's visibility. Their
	// type is detected from the content; active content a browser would run (HTML, XHTML, SVG
	// and other XML, JavaScript, Flash) is recorded as application/octet-stream.
	Attachments []Upload
}

// MaxAttachments caps the files of one message.
const MaxAttachments = 10

// PostMessage posts a message on a ticket, with its attachments and a history entry. A reply
// from the requester's side (the requester link, or any user of the ticket's customer, who
// answers for the company) to a ticket that is waiting resumes it (waiting → in progress) in
// the same transaction. Requesters cannot post once the ticket is closed or cancelled
// (ErrTicketClosed) and never post internal messages (ErrForbidden). Attachments are stored in
// Config.Blobs first, and deleted again if the message cannot be posted. A requester's
// attachments count toward the tenant's Quotas.FilesPerTicket and Quotas.BytesPerTicket (media
// and message attachments together, staff's files included): a post whose files do not fit is
// refused before their content is read where the count tells, else as soon as a file is read
// past the room left. Staff's posts are not limited. Returns ErrNotFound for a ticket the
// actor cannot see, *ValidationError for an empty or oversized body or a bad attachment,
// ErrQuotaExceeded when a requester's files would pass a quota, and ErrConflict when a
// concurrent change won.
func (d *Desk) PostMessage(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, in NewMessage) (*ticket.Message, error) {
	in.Body = strings.TrimSpace(in.Body)
	if err := checkLen("body", in.Body, 1, MaxTextLen); err != nil {
		return nil, err
	}
	if len(in.Attachments) > MaxAttachments {
		return nil, invalid("attachments", "%d files; at most %d", len(in.Attachments), MaxAttachments)
	}
	act, vis := tenant.ActMessagePost, ticket.Public
	if in.Internal {
		act, vis = tenant.ActMessageIntern, ticket.Internal
	}
	tid, err := d.authorizeOn(ctx, actor, act, ticketAt(ticketID))
	if err != nil {
		return nil, fmt.Errorf("post message on %s: %w", ticketID, err)
	}
	var (
		files []*ticket.Attachment
		size  int64
	)
	if len(in.Attachments) > 0 {
		// Refuse before storing anything when the post would be refused anyway.
		var room int64
		err := d.inTx(ctx, func(q storage.Queries) error {
			c, err := d.openPost(ctx, q, actor, tid, ticketID, act)
			if err != nil {
				return err
			}
			fq, err := c.fileQuota()
			if err != nil {
				return err
			}
			room = fq.bytesLeft()
			return fq.admit(len(in.Attachments), int64(len(in.Attachments))) // a file holds a byte at least
		})
		if err != nil {
			return nil, fmt.Errorf("post message on %s: %w", ticketID, err)
		}
		for _, up := range in.Attachments {
			a, err := d.storeUpload(ctx, actor, tid, ticketID, up, false, room-size)
			if err != nil {
				d.dropBlobs(ctx, files...)
				return nil, fmt.Errorf("post message on %s: %w", ticketID, err)
			}
			a.Visibility = vis
			files = append(files, a)
			size += a.Size
		}
	}
	var m *ticket.Message
	err = d.inTx(ctx, func(q storage.Queries) error {
		c, err := d.openPost(ctx, q, actor, tid, ticketID, act)
		if err != nil {
			return err
		}
		if len(files) > 0 {
			fq, err := c.fileQuota()
			if err != nil {
				return err
			}
			if err := fq.admit(len(files), size); err != nil {
				return err
			}
		}
		t := c.t
		m = &ticket.Message{ID: newID(), TenantID: tid, TicketID: t.ID, Author: actor.Ref(), Body: in.Body,
			Visibility: vis, CreatedAt: c.now}
		if err := q.CreateMessage(ctx, m); err != nil {
			return err
		}
		for _, a := range files {
			a.MessageID = m.ID
			if err := q.CreateAttachment(ctx, a); err != nil {
				return err
			}
		}
		action := actionPublicMessage
		if in.Internal {
			action = actionInternalMessage
		}
		if err := c.history(uuid.Nil, action, string(t.State), string(t.State), ""); err != nil {
			return err
		}
		if !in.Internal {
			c.occs = append(c.occs, occurrence{ev: notify.CommentAdded, actor: actor, ticket: t, comment: in.Body, messageID: m.ID})
		}
		// Every post updates the ticket (its last activity), so a post and a concurrent change
		// of state, such as a close, cannot both commit unseen by each other.
		c.ticketMoved = true
		if !actor.IsStaff() && t.State == ticket.StateWaiting {
			if err := d.moveTicket(c, ticket.EventResume, Change{Reason: "requester replied"}); err != nil {
				return err
			}
		}
		return d.finish(c)
	})
	if err != nil {
		d.dropBlobs(ctx, files...)
		return nil, fmt.Errorf("post message on %s: %w", ticketID, err)
	}
	return m, nil
}

// openPost opens the case of a post, refusing requesters' posts on closed tickets.
func (d *Desk) openPost(ctx context.Context, q storage.Queries, actor tenant.Actor, tid, ticketID uuid.UUID, act tenant.Action) (*caseTx, error) {
	c, err := d.openCase(ctx, q, actor, tid, ticketID, act)
	if err != nil {
		return nil, err
	}
	if !actor.IsStaff() && c.t.State.Terminal() {
		return nil, fmt.Errorf("%w: %s is %s", ErrTicketClosed, c.t.Ref(), c.t.State)
	}
	return c, nil
}

// Messages returns a page of a ticket's messages, oldest first (ties by ID); internal ones for
// staff only, and left out by the query, so that every page but the last is full. A zero
// PageRequest asks for the first page of storage.DefaultPageSize; pass the page's Next as
// After for the next one. Returns ErrNotFound for a ticket the actor cannot see, and
// storage.ErrInvalidCursor for a cursor that is not one of this listing's (another ticket's,
// or one of staff's listing that names an internal message).
func (d *Desk) Messages(ctx context.Context, actor tenant.Actor, ticketID uuid.UUID, p storage.PageRequest) (storage.Page[*ticket.Message], error) {
	fail := func(err error) (storage.Page[*ticket.Message], error) {
		return storage.Page[*ticket.Message]{}, fmt.Errorf("messages of %s: %w", ticketID, err)
	}
	tid, err := d.authorizeOn(ctx, actor, tenant.ActTicketRead, ticketAt(ticketID))
	if err != nil {
		return fail(err)
	}
	if _, err := d.visibleTicket(ctx, d.store, actor, tid, ticketID); err != nil {
		return fail(err)
	}
	page, err := d.store.ListMessages(ctx, tid, ticketID, seesInternal(actor), p)
	if err != nil {
		return fail(err)
	}
	return page, nil
}

// seesInternal reports whether the policy lets actor read internal messages (and the history
// entries about them): the actors who may post them.
func seesInternal(actor tenant.Actor) bool {
	return tenant.Authorize(actor, tenant.ActMessageIntern, nil) == nil
}
