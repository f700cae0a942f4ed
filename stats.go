// Statistics for the back office: the dashboard's figures, and those of templates, devices
// and customers, computed by the store with aggregates (no ticket is loaded).

package helpdesk

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// StatsPeriod asks Dashboard about the half-open span [From, To): the tenant's tickets, or with
// CustomerID set one customer's.
type StatsPeriod struct {
	From, To   time.Time
	CustomerID uuid.UUID
}

// Dashboard is what the back office's dashboard shows: the tickets per state now, and the
// figures of a period (storage.PeriodStats defines each, first response included).
type Dashboard struct {
	// States counts the tickets per state; states without tickets are absent.
	States map[ticket.State]int
	// Period holds the period's figures: tickets opened and closed, the medians of the time to
	// first response and to close, the mean rating.
	Period storage.PeriodStats
}

// Dashboard returns the counts per state and the figures of the period p, as the actor may see
// them: staff the whole tenant (or p.CustomerID's tickets), a customer user their customer's
// (p.CustomerID is pinned to it; another customer's answers an empty Dashboard). Code holders
// and requester links get ErrForbidden. Returns a *ValidationError unless p.From is before
// p.To.
func (d *Desk) Dashboard(ctx context.Context, actor tenant.Actor, p StatsPeriod) (*Dashboard, error) {
	tid, err := authorize(actor, tenant.ActStatsRead)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	if p.From.IsZero() || !p.From.Before(p.To) {
		return nil, invalid("to", "the period must end after it starts")
	}
	if !pinCustomer(actor, &p.CustomerID) {
		return &Dashboard{States: map[ticket.State]int{}}, nil
	}
	// The two reads are independent and each takes a while on a big tenant (the counts walk an
	// index entry per ticket): they run side by side, on two of the pool's connections.
	var (
		states    map[ticket.State]int
		statesErr error
		counted   = make(chan struct{})
	)
	go func() {
		defer close(counted)
		states, statesErr = d.store.CountTickets(ctx, tid, storage.CountFilter{CustomerID: p.CustomerID})
	}()
	period, err := d.store.PeriodStats(ctx, tid, storage.PeriodFilter{From: p.From.UTC(), To: p.To.UTC(), CustomerID: p.CustomerID})
	<-counted
	if err = cmp.Or(statesErr, err); err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	return &Dashboard{States: states, Period: period}, nil
}

// TemplateStats returns a template's figures: the tickets of its devices, their sessions and
// their mean rating. Templates are for staff: customer users get ErrForbidden. Returns
// ErrNotFound for a template the actor cannot see.
func (d *Desk) TemplateStats(ctx context.Context, actor tenant.Actor, id uuid.UUID) (storage.RecordStats, error) {
	if _, err := d.Template(ctx, actor, id); err != nil {
		return storage.RecordStats{}, fmt.Errorf("template stats: %w", err)
	}
	return d.recordStats(ctx, actor, storage.StatsTemplate, id)
}

// DeviceStats returns a device's figures: its tickets, their sessions and their mean rating;
// for a customer user, of their customer's tickets only. Returns ErrNotFound for a device the
// actor cannot see, and ErrForbidden to a code holder asking about its own device.
func (d *Desk) DeviceStats(ctx context.Context, actor tenant.Actor, id uuid.UUID) (storage.RecordStats, error) {
	if _, err := d.Device(ctx, actor, id); err != nil {
		return storage.RecordStats{}, fmt.Errorf("device stats: %w", err)
	}
	return d.recordStats(ctx, actor, storage.StatsDevice, id)
}

// CustomerStats returns a customer's figures: its tickets, their sessions and their mean
// rating. A customer user may ask about their own customer. Returns ErrNotFound for a
// customer the actor cannot see.
func (d *Desk) CustomerStats(ctx context.Context, actor tenant.Actor, id uuid.UUID) (storage.RecordStats, error) {
	if _, err := d.Customer(ctx, actor, id); err != nil {
		return storage.RecordStats{}, fmt.Errorf("customer stats: %w", err)
	}
	return d.recordStats(ctx, actor, storage.StatsCustomer, id)
}

// recordStats is the figures of one record the actor was found to see.
func (d *Desk) recordStats(ctx context.Context, actor tenant.Actor, of storage.StatsOf, id uuid.UUID) (storage.RecordStats, error) {
	m, err := d.recordStatsByID(ctx, actor, of, []uuid.UUID{id}, tenant.ActStatsRead)
	if err != nil {
		return storage.RecordStats{}, err
	}
	return m[id], nil
}

// TemplateStatsByID returns the figures of the templates ids (a page of the Templates list, at
// most storage.MaxPageSize), keyed by ID. A template without tickets, another tenant's or an
// unknown ID is absent: read it as zero figures. Customer users, code holders and requester
// links get ErrForbidden.
func (d *Desk) TemplateStatsByID(ctx context.Context, actor tenant.Actor, ids []uuid.UUID) (map[uuid.UUID]storage.RecordStats, error) {
	return d.recordStatsByID(ctx, actor, storage.StatsTemplate, ids, tenant.ActTemplateRead)
}

// DeviceStatsByID returns the figures of the devices ids (a page of the Devices list, at most
// storage.MaxPageSize), keyed by ID; for a customer user, counting their customer's tickets
// only. A device without tickets the actor may see, another tenant's or an unknown ID is
// absent: read it as zero figures. Code holders and requester links get ErrForbidden.
func (d *Desk) DeviceStatsByID(ctx context.Context, actor tenant.Actor, ids []uuid.UUID) (map[uuid.UUID]storage.RecordStats, error) {
	return d.recordStatsByID(ctx, actor, storage.StatsDevice, ids, tenant.ActDeviceList)
}

// CustomerStatsByID returns the figures of the customers ids (a page of the Customers list, at
// most storage.MaxPageSize), keyed by ID. For a customer user only their own customer can be
// present. A customer without tickets the actor may see, another tenant's or an unknown ID is
// absent: read it as zero figures. Code holders and requester links get ErrForbidden.
func (d *Desk) CustomerStatsByID(ctx context.Context, actor tenant.Actor, ids []uuid.UUID) (map[uuid.UUID]storage.RecordStats, error) {
	return d.recordStatsByID(ctx, actor, storage.StatsCustomer, ids, tenant.ActCustomerRead)
}

// recordStatsByID asks the policy for statistics and for act (reading the kind of record),
// then counts only the tickets the actor may list: a customer user's customer's.
func (d *Desk) recordStatsByID(ctx context.Context, actor tenant.Actor, of storage.StatsOf, ids []uuid.UUID, act tenant.Action) (map[uuid.UUID]storage.RecordStats, error) {
	tid, err := authorize(actor, tenant.ActStatsRead)
	if err == nil {
		_, err = authorize(actor, act)
	}
	if err != nil {
		return nil, fmt.Errorf("%s stats: %w", of, err)
	}
	if len(ids) > storage.MaxPageSize {
		return nil, invalid("ids", "%d IDs; at most %d", len(ids), storage.MaxPageSize)
	}
	m, err := d.store.RecordStats(ctx, tid, of, ids, actor.CustomerScope())
	if err != nil {
		return nil, fmt.Errorf("%s stats: %w", of, err)
	}
	return m, nil
}
