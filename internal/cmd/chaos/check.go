package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
)

// Path is what the loader did with a ticket after submitting it, and so which timer it
// expects to fire.
type Path string

// The loader's paths.
const (
	// PathOffer leaves the ticket open: its offer timeout fires (escalation.unaccepted).
	PathOffer Path = "offer"
	// PathExpire accepts the ticket and makes it wait: its max expiration closes it (expire,
	// ticket.auto_closed).
	PathExpire Path = "expire"
)

// Told is a ticket the loader was told about: a 2xx answer to its submission, with the
// ticket's ID and reference.
type Told struct {
	Key  string // the submission's Idempotency-Key, also in the ticket's title
	ID   uuid.UUID
	Ref  string
	Path Path
	// Waiting is true when the PathExpire follow-up (accept, then wait) was answered 2xx: the
	// ticket then waits for its max expiration.
	Waiting bool
}

// TicketRow is a ticket as stored.
type TicketRow struct {
	ID    uuid.UUID
	Ref   string
	Title string
	State ticket.State
}

// HistoryRow is one history entry of a ticket's own (not of its sessions).
type HistoryRow struct {
	Action   string
	From, To string
	At       time.Time
}

// TimerRow is a timer left in the database.
type TimerRow struct {
	TicketID uuid.UUID
	Kind     ticket.TimerKind
	DueAt    time.Time
}

// OutboxRow is one notification of the outbox.
type OutboxRow struct {
	ID        uuid.UUID
	Key       string // the idempotency key, which the e-mail's Message-ID carries
	TicketID  uuid.UUID
	Event     notify.Event
	Channel   notify.Channel
	Status    notify.Status
	LastError string
}

// Receipt is one message the SMTP sink accepted.
type Receipt struct {
	MessageID string // as in the header: "<key@helpdesk>"
	Helo      string // the sending instance's EHLO name: its run
	At        time.Time
}

// Kill is one SIGKILL of an instance's run.
type Kill struct {
	Run string // the EHLO name of the run that was killed
	At  time.Time
}

// Window is a span of time, such as a database restart.
type Window struct{ Start, End time.Time }

// Recovery is how long an instance took to serve again after a kill.
type Recovery struct {
	Run  string // the run that was killed
	Took time.Duration
	OK   bool // it served again within the bound
}

// Observed is everything a chaos run saw: what the loader was told, what the database holds
// after the drain, what the SMTP sink received, and the faults.
type Observed struct {
	Told       []Told
	Tickets    []TicketRow
	History    map[uuid.UUID][]HistoryRow // per ticket, oldest first
	Timers     []TimerRow
	Outbox     []OutboxRow // e-mail notifications
	Received   []Receipt
	Kills      []Kill
	DBRestarts []Window
	Recoveries []Recovery
	// Drained is false when the outbox and the timers were still busy when the drain's
	// time ran out.
	Drained bool
	// Now is when the database was read: no timer may be due before it.
	Now time.Time
	// Lease is the longest a send may stay unrecorded after the message reached the sink
	// (Config.Dispatch.Lease): a duplicate's first copy must have been sent that close
	// before a fault.
	Lease time.Duration
}

// Violation is one broken rule: which check, and why.
type Violation struct {
	Check string
	Why   string
}

func (v Violation) String() string { return v.Check + ": " + v.Why }

// The checks, by name.
const (
	CheckTicketsKept   = "tickets kept"
	CheckCreatedOnce   = "created once"
	CheckTimersFired   = "timers fired"
	CheckOfferOnce     = "offer timeout once"
	CheckExpireOnce    = "expiration once"
	CheckTransitions   = "no double transition"
	CheckDelivered     = "notifications delivered"
	CheckDuplicates    = "duplicates explained"
	CheckRecovered     = "instances recovered"
	CheckDrained       = "drained"
	maxViolationsPerCk = 10
)

// Figures are the counts a check run derives, for the summary.
type Figures struct {
	Told, Stored            int
	OfferFired, ExpireFired int
	Outbox, Received        int
	Duplicates              int // extra copies received
	DupAtKill, DupAtDB      int // of which explained by a kill, by a database restart
}

// Check applies every rule to o and returns the figures and the violations, none when the
// run kept every promise.
func Check(o *Observed) (Figures, []Violation) {
	var (
		f    Figures
		out  []Violation
		seen = map[string]int{}
	)
	fail := func(check, format string, args ...any) {
		seen[check]++
		if seen[check] == maxViolationsPerCk+1 {
			out = append(out, Violation{check, "… and more"})
		}
		if seen[check] > maxViolationsPerCk {
			return
		}
		out = append(out, Violation{check, fmt.Sprintf(format, args...)})
	}
	f.Told, f.Stored = len(o.Told), len(o.Tickets)

	tickets := map[uuid.UUID]TicketRow{}
	perKey := map[string][]string{}
	for _, t := range o.Tickets {
		tickets[t.ID] = t
		if key, ok := strings.CutPrefix(t.Title, titlePrefix); ok {
			perKey[key] = append(perKey[key], t.Ref)
		}
	}
	keys := make([]string, 0, len(perKey))
	for k := range perKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if refs := perKey[k]; len(refs) > 1 {
			fail(CheckCreatedOnce, "submission %s created %d tickets: %s", k, len(refs), strings.Join(refs, ", "))
		}
	}

	// Every ticket the loader was told about, with its history.
	for _, tl := range o.Told {
		t, ok := tickets[tl.ID]
		switch {
		case !ok:
			fail(CheckTicketsKept, "%s (%s) was answered 2xx but is not stored", tl.Ref, tl.ID)
			continue
		case t.Ref != tl.Ref:
			fail(CheckTicketsKept, "%s is stored as %s", tl.Ref, t.Ref)
		}
		h := o.History[tl.ID]
		if len(h) == 0 || h[0].Action != string(ticket.EventSubmit) {
			fail(CheckTicketsKept, "%s has no history starting with its submission", tl.Ref)
		}
	}

	// No timer left due.
	for _, tm := range o.Timers {
		if !tm.DueAt.After(o.Now) {
			fail(CheckTimersFired, "%s timer of ticket %s was due at %s and is still there",
				tm.Kind, refOf(tickets, tm.TicketID), tm.DueAt.Format(time.RFC3339))
		}
	}

	// Each timer's effect once.
	events := map[uuid.UUID]map[notify.Event]int{}
	for _, n := range o.Outbox {
		if events[n.TicketID] == nil {
			events[n.TicketID] = map[notify.Event]int{}
		}
		events[n.TicketID][n.Event]++
	}
	for _, tl := range o.Told {
		t, ok := tickets[tl.ID]
		if !ok {
			continue
		}
		escalations := events[tl.ID][notify.EscalationUnaccepted]
		f.OfferFired += escalations
		switch {
		case escalations > 1:
			fail(CheckOfferOnce, "%s escalated unaccepted %d times", tl.Ref, escalations)
		case escalations == 0 && t.State == ticket.StateOpen:
			fail(CheckOfferOnce, "%s is still open but its offer timeout never escalated", tl.Ref)
		}
		expires := 0
		for _, h := range o.History[tl.ID] {
			if h.Action == string(ticket.EventExpire) {
				expires++
			}
		}
		f.ExpireFired += expires
		closedMails := events[tl.ID][notify.TicketAutoClosed]
		switch {
		case expires > 1:
			fail(CheckExpireOnce, "%s expired %d times", tl.Ref, expires)
		case tl.Waiting && (expires == 0 || t.State != ticket.StateClosed):
			fail(CheckExpireOnce, "%s waited but was not closed by its expiration (state %s)", tl.Ref, t.State)
		case closedMails != expires:
			fail(CheckExpireOnce, "%s expired %d times but mailed ticket.auto_closed %d times", tl.Ref, expires, closedMails)
		}
	}

	// The lifecycle's history is one chain: each transition starts where the previous ended.
	lifecycle := map[string]bool{}
	for _, e := range ticket.Events() {
		lifecycle[string(e)] = true
	}
	for _, tl := range o.Told {
		prev := ""
		for i, h := range o.History[tl.ID] {
			if !lifecycle[h.Action] {
				continue
			}
			if i > 0 && h.From != prev {
				fail(CheckTransitions, "%s: %s from %s after the ticket had reached %s", tl.Ref, h.Action, h.From, prev)
			}
			prev = h.To
		}
	}

	// Every notification delivered at least once.
	received := map[string][]Receipt{}
	for _, r := range o.Received {
		received[r.MessageID] = append(received[r.MessageID], r)
	}
	f.Outbox, f.Received = len(o.Outbox), len(o.Received)
	inOutbox := map[string]bool{}
	for _, n := range o.Outbox {
		mid := messageID(n.Key)
		inOutbox[mid] = true
		switch {
		case n.Status != notify.StatusSent && n.Status != notify.StatusDelivered:
			fail(CheckDelivered, "%s of %s is %s (%s)", n.Event, refOf(tickets, n.TicketID), n.Status, n.LastError)
		case len(received[mid]) == 0:
			fail(CheckDelivered, "%s of %s is %s but the mail server never received %s", n.Event, refOf(tickets, n.TicketID), n.Status, mid)
		}
	}
	mids := make([]string, 0, len(received))
	for mid := range received {
		mids = append(mids, mid)
	}
	sort.Strings(mids)

	// Duplicates only for sends in flight at a fault: the copy before each repeat came from
	// a run killed, or while the database restarted, within a lease of sending it.
	for _, mid := range mids {
		rs := received[mid]
		if !inOutbox[mid] {
			fail(CheckDelivered, "the mail server received %s, which no notification of the outbox carries", mid)
		}
		slices.SortFunc(rs, func(a, b Receipt) int { return a.At.Compare(b.At) })
		for _, r := range rs[:len(rs)-1] {
			f.Duplicates++
			switch {
			case killedAfter(o.Kills, r, o.Lease):
				f.DupAtKill++
			case restartedAfter(o.DBRestarts, r, o.Lease):
				f.DupAtDB++
			default:
				fail(CheckDuplicates, "%s was received again after %s sent it at %s, with no fault in flight",
					mid, r.Helo, r.At.Format(time.RFC3339Nano))
			}
		}
	}

	for _, r := range o.Recoveries {
		if !r.OK {
			fail(CheckRecovered, "%s did not serve again within the bound (waited %s)", r.Run, r.Took.Round(time.Millisecond))
		}
	}
	if !o.Drained {
		fail(CheckDrained, "the outbox and the timers were still busy when the drain's time ran out")
	}
	return f, out
}

// killedAfter reports whether the run that sent r was killed within lease after it.
func killedAfter(kills []Kill, r Receipt, lease time.Duration) bool {
	for _, k := range kills {
		if k.Run == r.Helo && !k.At.Before(r.At) && k.At.Sub(r.At) <= lease {
			return true
		}
	}
	return false
}

// restartedAfter reports whether a database restart began within lease after r, or was
// under way when r arrived.
func restartedAfter(ws []Window, r Receipt, lease time.Duration) bool {
	for _, w := range ws {
		if !r.At.After(w.End) && w.Start.Sub(r.At) <= lease {
			return true
		}
	}
	return false
}

// messageID is the Message-ID smtpmail gives the e-mail of a notification with idempotency
// key (the Desk makes it the notification's ID, which needs no escaping).
func messageID(key string) string { return "<" + key + "@helpdesk>" }

func refOf(tickets map[uuid.UUID]TicketRow, id uuid.UUID) string {
	if t, ok := tickets[id]; ok {
		return t.Ref
	}
	return "ticket " + id.String()
}
