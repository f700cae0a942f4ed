package main

import (
	"testing"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)

// consistent returns what a run that kept every promise observes: an open ticket whose offer
// timed out, a waiting one that expired, their e-mails each received (one twice, sent by a
// run killed right after), and an instance that came back.
func consistent() *Observed {
	open, waited := uuid.New(), uuid.New()
	mail := func(id uuid.UUID, ev notify.Event) OutboxRow {
		return OutboxRow{ID: uuid.New(), Key: uuid.NewString(), TicketID: id, Event: ev, Channel: notify.Email, Status: notify.StatusSent}
	}
	outbox := []OutboxRow{
		mail(open, notify.TicketRequested), mail(open, notify.EscalationUnaccepted),
		mail(waited, notify.TicketRequested), mail(waited, notify.TicketAccepted), mail(waited, notify.TicketAutoClosed),
	}
	o := &Observed{
		Told: []Told{
			{Key: "k1", ID: open, Ref: "T-000001", Path: PathOffer},
			{Key: "k2", ID: waited, Ref: "T-000002", Path: PathExpire, Waiting: true},
		},
		Tickets: []TicketRow{
			{ID: open, Ref: "T-000001", Title: titlePrefix + "k1", State: ticket.StateOpen},
			{ID: waited, Ref: "T-000002", Title: titlePrefix + "k2", State: ticket.StateClosed},
		},
		History: map[uuid.UUID][]HistoryRow{
			open: {{Action: "submit", To: "open", At: t0}},
			waited: {
				{Action: "submit", To: "open", At: t0},
				{Action: "accept", From: "open", To: "assigned", At: t0.Add(time.Second)},
				{Action: "reassign", At: t0.Add(time.Second)},
				{Action: "wait", From: "assigned", To: "waiting", At: t0.Add(2 * time.Second)},
				{Action: "expire", From: "waiting", To: "closed", At: t0.Add(7 * time.Second)},
			},
		},
		Timers:     []TimerRow{{TicketID: open, Kind: ticket.TimerExpiration, DueAt: t0.Add(time.Hour)}},
		Outbox:     outbox,
		Kills:      []Kill{{Run: "i1-r1.chaos", At: t0.Add(3 * time.Second)}},
		DBRestarts: []Window{{Start: t0.Add(5 * time.Minute), End: t0.Add(5*time.Minute + 2*time.Second)}},
		Recoveries: []Recovery{{Run: "i1-r1.chaos", Took: 2 * time.Second, OK: true}},
		Drained:    true,
		Now:        t0.Add(time.Minute),
		Lease:      time.Minute,
	}
	for i, n := range outbox {
		if i == 1 {
			continue // below
		}
		o.Received = append(o.Received, Receipt{MessageID: messageID(n.Key), Helo: "i2-r1.chaos", At: t0.Add(time.Duration(i) * time.Second)})
	}
	// The kill came after i1-r1 sent the e-mail and before it recorded it: sent again.
	o.Received = append(o.Received,
		Receipt{MessageID: messageID(outbox[1].Key), Helo: "i1-r1.chaos", At: t0.Add(2 * time.Second)},
		Receipt{MessageID: messageID(outbox[1].Key), Helo: "i3-r1.chaos", At: t0.Add(65 * time.Second)})
	return o
}

func TestCheckConsistent(t *testing.T) {
	f, vs := Check(consistent())
	assert.Empty(t, vs)
	assert.Equal(t, Figures{Told: 2, Stored: 2, OfferFired: 1, ExpireFired: 1, Outbox: 5, Received: 6,
		Duplicates: 1, DupAtKill: 1, DupAtDB: 0}, f)
}

// TestCheckFails breaks each rule in turn on otherwise consistent observations: each check
// must catch its own.
func TestCheckFails(t *testing.T) {
	for _, tc := range []struct {
		name  string
		check string
		mess  func(o *Observed)
	}{
		{"a told ticket is missing", CheckTicketsKept, func(o *Observed) { o.Tickets = o.Tickets[1:] }},
		{"a told ticket has no history", CheckTicketsKept, func(o *Observed) { delete(o.History, o.Told[0].ID) }},
		{"a told ticket has another reference", CheckTicketsKept, func(o *Observed) { o.Tickets[0].Ref = "T-000009" }},
		{"a retry created a second ticket", CheckCreatedOnce, func(o *Observed) {
			o.Tickets = append(o.Tickets, TicketRow{ID: uuid.New(), Ref: "T-000003", Title: titlePrefix + "k1", State: ticket.StateOpen})
		}},
		{"a timer is left due", CheckTimersFired, func(o *Observed) { o.Timers[0].DueAt = o.Now.Add(-time.Second) }},
		{"an offer timeout fired twice", CheckOfferOnce, func(o *Observed) {
			o.Outbox = append(o.Outbox, OutboxRow{ID: uuid.New(), Key: "x", TicketID: o.Told[0].ID, Event: notify.EscalationUnaccepted,
				Channel: notify.Email, Status: notify.StatusSent})
			o.Received = append(o.Received, Receipt{MessageID: messageID("x"), At: t0})
		}},
		{"an offer timeout never fired", CheckOfferOnce, func(o *Observed) {
			o.Outbox = o.Outbox[:1:1]
			o.Outbox = append(o.Outbox, consistent().Outbox[2:]...)
		}},
		{"an expiration fired twice", CheckExpireOnce, func(o *Observed) {
			h := o.History[o.Told[1].ID]
			o.History[o.Told[1].ID] = append(h, HistoryRow{Action: "expire", From: "waiting", To: "closed"})
		}},
		{"a waiting ticket never expired", CheckExpireOnce, func(o *Observed) {
			id := o.Told[1].ID
			o.History[id] = o.History[id][:4]
			o.Tickets[1].State = ticket.StateWaiting
		}},
		{"an expiration mailed twice", CheckExpireOnce, func(o *Observed) {
			o.Outbox = append(o.Outbox, OutboxRow{ID: uuid.New(), Key: "y", TicketID: o.Told[1].ID, Event: notify.TicketAutoClosed,
				Channel: notify.Email, Status: notify.StatusSent})
			o.Received = append(o.Received, Receipt{MessageID: messageID("y"), At: t0})
		}},
		{"a transition from a state the ticket had left", CheckTransitions, func(o *Observed) {
			id := o.Told[1].ID
			o.History[id] = append(o.History[id], HistoryRow{Action: "close", From: "waiting", To: "closed"})
		}},
		{"a notification is still pending", CheckDelivered, func(o *Observed) { o.Outbox[0].Status = notify.StatusPending }},
		{"a notification failed", CheckDelivered, func(o *Observed) {
			o.Outbox[0].Status, o.Outbox[0].LastError = notify.StatusFailed, "550 no such user"
		}},
		{"a sent notification never reached the server", CheckDelivered, func(o *Observed) { o.Received = o.Received[1:] }},
		{"the server received a message no notification carries", CheckDelivered, func(o *Observed) {
			o.Received = append(o.Received, Receipt{MessageID: "<stray@helpdesk>", At: t0})
		}},
		{"a duplicate with no fault in flight", CheckDuplicates, func(o *Observed) { o.Kills = nil }},
		{"a duplicate whose sender was not the run killed", CheckDuplicates, func(o *Observed) { o.Kills[0].Run = "i2-r1.chaos" }},
		{"a duplicate whose sender was killed too late", CheckDuplicates, func(o *Observed) {
			o.Kills[0].At = t0.Add(2*time.Second + 2*time.Minute)
		}},
		{"an instance did not come back", CheckRecovered, func(o *Observed) { o.Recoveries[0].OK = false }},
		{"the outbox did not drain", CheckDrained, func(o *Observed) { o.Drained = false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := consistent()
			tc.mess(o)
			_, vs := Check(o)
			require.NotEmpty(t, vs, "the check let it pass")
			var checks []string
			for _, v := range vs {
				checks = append(checks, v.Check)
			}
			assert.Contains(t, checks, tc.check, "violations: %v", vs)
		})
	}
}

// TestDuplicateAtDatabaseRestart: a copy sent just before PostgreSQL went away is explained
// by the restart.
func TestDuplicateAtDatabaseRestart(t *testing.T) {
	o := consistent()
	o.Kills = nil
	o.DBRestarts = []Window{{Start: t0.Add(30 * time.Second), End: t0.Add(40 * time.Second)}}
	f, vs := Check(o)
	assert.Empty(t, vs)
	assert.Equal(t, 1, f.DupAtDB)
}

func TestSchedule(t *testing.T) {
	fs := schedule(4, 2, 70*time.Second)
	require.Len(t, fs, 6)
	restarts := 0
	for i, f := range fs {
		assert.Equal(t, time.Duration(i+1)*10*time.Second, f.at)
		if f.dbRestart {
			restarts++
		}
	}
	assert.Equal(t, 2, restarts)
	assert.False(t, fs[0].dbRestart, "the first fault is a kill")
}
