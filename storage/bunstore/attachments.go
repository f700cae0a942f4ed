package bunstore

import (
	"context"
	"fmt"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

func (q *queries) CreateAttachment(ctx context.Context, a *ticket.Attachment) error {
	r := fromAttachment(a)
	// The ticket must be the tenant's, and the message, if any, one of that ticket's.
	cond, args := "EXISTS (SELECT 1 FROM tickets WHERE tenant_id = ? AND id = ?)", []any{a.TenantID, a.TicketID}
	if a.MessageID != uuid.Nil {
		cond = "EXISTS (SELECT 1 FROM messages WHERE tenant_id = ? AND ticket_id = ? AND id = ?)"
		args = append(args, a.MessageID)
	}
	ok, err := q.insertWhere(ctx, r.table(), r.columns(), r.values(), cond, args, "")
	if err != nil {
		return err
	}
	if !ok {
		if a.MessageID != uuid.Nil {
			return fmt.Errorf("%w: create attachment: tenant %s has no message %s on ticket %s", storage.ErrNotFound, a.TenantID, a.MessageID, a.TicketID)
		}
		return fmt.Errorf("%w: create attachment: tenant %s has no ticket %s", storage.ErrNotFound, a.TenantID, a.TicketID)
	}
	return nil
}

func (q *queries) GetAttachment(ctx context.Context, tenantID, id uuid.UUID) (*ticket.Attachment, error) {
	return getRow[attachmentRow, *ticket.Attachment](ctx, q, scoped, tenantID, id)
}

func (q *queries) ListAttachments(ctx context.Context, tenantID, ticketID uuid.UUID, includeInternal bool, p storage.PageRequest) (storage.Page[*ticket.Attachment], error) {
	return ticketPage[attachmentRow, *ticket.Attachment](ctx, q, tenantID, ticketID, "created_at", visible(includeInternal), p,
		func(a *ticket.Attachment) uuid.UUID { return a.ID })
}

func (q *queries) CountMedia(ctx context.Context, tenantID, ticketID uuid.UUID) (int, error) {
	n, err := q.db.NewSelect().Table("attachments").
		Where("tenant_id = ? AND ticket_id = ? AND message_id IS NULL AND uploader_kind <> ?", tenantID, ticketID, "system").Count(ctx)
	return int(n), mapErr(err)
}
