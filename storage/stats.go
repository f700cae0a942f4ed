package storage

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// StatsOf names the records RecordStats groups tickets by.
type StatsOf string

// The groupings of RecordStats.
const (
	// StatsTemplate groups the tickets of devices by the devices' template.
	StatsTemplate StatsOf = "template"
	// StatsDevice groups tickets by their device.
	StatsDevice StatsOf = "device"
	// StatsCustomer groups tickets by their customer.
	StatsCustomer StatsOf = "customer"
)

// RecordStats are the figures of one template, device or customer: its tickets, their video
// sessions and their ratings.
type RecordStats struct {
	// Tickets counts the tickets, in every state (drafts included).
	Tickets int
	// Sessions counts the video sessions of those tickets, in every state.
	Sessions int
	// Ratings counts those tickets that carry a rating (Ticket.Rating).
	Ratings int
	// MeanRating is the mean of their stars (1 to 5); 0 when Ratings is 0.
	MeanRating float64
}

// PeriodFilter asks PeriodStats about the half-open span [From, To), for the whole tenant or,
// with CustomerID set, for one customer's tickets.
type PeriodFilter struct {
	From, To   time.Time
	CustomerID uuid.UUID
}

// PeriodStats are the dashboard's figures for a period [From, To).
//
//   - Opened counts the tickets created in the period, drafts left out.
//   - Responded counts those of them that have had a first response, and
//     MedianFirstResponse is the median time from a ticket's creation to its first response.
//     A first response is the earliest history entry by an employee (not the system) on the
//     ticket that tells the requester someone took it up: a public message ("message"), an
//     acceptance ("accept"), an assignment ("assign"), or an invitation or proposal for a video
//     call ("session.invite", "session.propose"). Internal notes do not count.
//   - Closed counts the tickets closed in the period (state closed, ClosedAt in the period:
//     rated, closed with a reason, or closed automatically; cancelled and rejected tickets are
//     not closed), and MedianTimeToClose is the median time from their creation to ClosedAt.
//     A reopened ticket counts when it was last closed.
//   - Ratings counts the rated ones among the closed tickets and MeanRating is the mean of
//     their stars (a rating closes its ticket, and reopening clears it, so these are the
//     ratings given in the period and still standing).
//
// Medians are those of percentile_cont(0.5): the middle value, or the mean of the two middle
// values, to the millisecond; 0 when there is nothing to take the median of.
type PeriodStats struct {
	Opened              int
	Responded           int
	MedianFirstResponse time.Duration
	Closed              int
	MedianTimeToClose   time.Duration
	Ratings             int
	MeanRating          float64
}

// Stats computes statistics in the database, with aggregates over indexed ranges: their cost
// follows the tickets counted, not the tenant's.
type Stats interface {
	// RecordStats returns the figures of the tenant's records of the kind of, keyed by ID, for
	// the IDs in ids. With customerID set, only that customer's tickets count. An ID without
	// any ticket that counts is absent from the map (its figures are all zero).
	RecordStats(ctx context.Context, tenantID uuid.UUID, of StatsOf, ids []uuid.UUID, customerID uuid.UUID) (map[uuid.UUID]RecordStats, error)
	// PeriodStats returns the figures of the tenant's tickets for the period f.
	PeriodStats(ctx context.Context, tenantID uuid.UUID, f PeriodFilter) (PeriodStats, error)
}
