package helpdesk

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// The tenant's quotas (tenant.Quotas) keep a device code or a requester link from flooding the
// tenant with tickets, files and call requests. Each is checked inside the transaction that
// writes what it counts, after a write that serializes concurrent attempts (the tenant's ticket
// number, the ticket's version), so concurrent requests cannot pass it together. Their errors
// name the quota and its limit, never a person, customer or device.

// checkCodeQuota refuses a code holder's new ticket once its code opened the tenant's
// Quotas.TicketsPerCodeHour tickets in the last hour. The caller has reserved the ticket's
// number first, which serializes submissions within the tenant.
func checkCodeQuota(ctx context.Context, q storage.Queries, ten *tenant.Tenant, codeID uuid.UUID, now time.Time) error {
	limit := ten.Settings.Quotas.WithDefaults().TicketsPerCodeHour
	n, err := q.CountCodeTickets(ctx, ten.ID, codeID, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= limit {
		return fmt.Errorf("%w: this code opened %d tickets in the last hour; at most %d are allowed", ErrQuotaExceeded, n, limit)
	}
	return nil
}

// fileQuota is what a ticket's file quotas allow its case's actor: staff are not limited.
type fileQuota struct {
	limited bool
	used    storage.FileUsage
	limit   tenant.Quotas
}

// fileQuota reads what the case's ticket's files take up, unless its actor is staff.
func (c *caseTx) fileQuota() (fileQuota, error) {
	if c.actor.IsStaff() {
		return fileQuota{}, nil
	}
	used, err := c.q.TicketFiles(c.ctx, c.t.TenantID, c.t.ID)
	if err != nil {
		return fileQuota{}, err
	}
	return fileQuota{limited: true, used: used, limit: c.ten.Settings.Quotas.WithDefaults()}, nil
}

// admit refuses n more files of size bytes in all when they would pass the ticket's
// Quotas.FilesPerTicket or Quotas.BytesPerTicket.
func (f fileQuota) admit(n int, size int64) error {
	switch {
	case !f.limited || n == 0:
		return nil
	case f.used.Files+n > f.limit.FilesPerTicket:
		return fmt.Errorf("%w: the ticket holds %d files and takes at most %d", ErrQuotaExceeded, f.used.Files, f.limit.FilesPerTicket)
	case size > f.bytesLeft():
		return fmt.Errorf("%w: the ticket's files take %d bytes and may take at most %d", ErrQuotaExceeded, f.used.Bytes, f.limit.BytesPerTicket)
	}
	return nil
}

// bytesLeft is how many more bytes of files the ticket takes: all there are for staff.
func (f fileQuota) bytesLeft() int64 {
	if !f.limited {
		return math.MaxInt64
	}
	return f.limit.BytesPerTicket - f.used.Bytes
}

// openSessionStates are the states of a session not yet ended, closed, refused, expired or
// cancelled.
func openSessionStates() []ticket.SessionState {
	return []ticket.SessionState{ticket.SessionRequested, ticket.SessionInvited, ticket.SessionProposed,
		ticket.SessionConfirmed, ticket.SessionInProgress}
}

// checkSessionQuota refuses a requester's request for a video call while the case's ticket
// holds the tenant's Quotas.OpenSessionsPerTicket open sessions. It marks the ticket moved:
// writing it serializes concurrent requests, so the count cannot be raced.
func checkSessionQuota(c *caseTx) error {
	if c.actor.IsStaff() {
		return nil
	}
	limit := c.ten.Settings.Quotas.WithDefaults().OpenSessionsPerTicket
	n, err := c.q.CountSessions(c.ctx, c.t.TenantID, c.t.ID, openSessionStates()...)
	if err != nil {
		return err
	}
	if n >= limit {
		return fmt.Errorf("%w: the ticket has %d open video sessions; at most %d are allowed", ErrQuotaExceeded, n, limit)
	}
	c.ticketMoved = true
	return nil
}

// checkQuotas validates the quotas of tenant settings: zero means the default, negative is
// refused.
func checkQuotas(q tenant.Quotas) error {
	for _, f := range []struct {
		field string
		v     int64
		def   int64
	}{
		{"quotas.tickets_per_code_hour", int64(q.TicketsPerCodeHour), tenant.DefaultTicketsPerCodeHour},
		{"quotas.files_per_ticket", int64(q.FilesPerTicket), tenant.DefaultFilesPerTicket},
		{"quotas.bytes_per_ticket", q.BytesPerTicket, tenant.DefaultBytesPerTicket},
		{"quotas.open_sessions_per_ticket", int64(q.OpenSessionsPerTicket), tenant.DefaultOpenSessionsPerTicket},
	} {
		if f.v < 0 {
			return invalid(f.field, "%d is negative; 0 means the default, %d", f.v, f.def)
		}
	}
	return nil
}
