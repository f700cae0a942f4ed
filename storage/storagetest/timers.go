package storagetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTimer returns a timer of kind on the ticket, or on one of its sessions when sessionID is
// set, due at due.
func (w *world) newTimer(ticketID, sessionID uuid.UUID, kind ticket.TimerKind, due time.Time) *ticket.Timer {
	return &ticket.Timer{
		ID: newID(), TenantID: w.Tenant.ID, TicketID: ticketID, SessionID: sessionID, Kind: kind,
		DueAt: due, RunAt: due, CreatedAt: w.tick(),
	}
}

func (w *world) armTimer(ticketID, sessionID uuid.UUID, kind ticket.TimerKind, due time.Time) *ticket.Timer {
	w.t.Helper()
	tm := w.newTimer(ticketID, sessionID, kind, due)
	require.NoError(w.t, w.q.ArmTimer(w.ctx, tm), "setup: arm timer %s", kind)
	return tm
}

func timerIDs(ts []*ticket.Timer) []uuid.UUID {
	var ids []uuid.UUID // nil when empty, like the want lists it is compared with
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return ids
}

// matchTimer is TimerScope's contract, in Go.
func matchTimer(s storage.TimerScope, tm *ticket.Timer) bool {
	if tm.TicketID != s.TicketID {
		return false
	}
	switch {
	case s.SessionID != uuid.Nil:
		if tm.SessionID != s.SessionID {
			return false
		}
	case s.TicketOnly:
		if tm.SessionID != uuid.Nil {
			return false
		}
	}
	return len(s.Kinds) == 0 || slices.Contains(s.Kinds, tm.Kind)
}

// byDue sorts timers as ListTimers lists them: by DueAt, then by ID.
func byDue(ts []*ticket.Timer) []*ticket.Timer {
	slices.SortFunc(ts, func(a, b *ticket.Timer) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return compareIDs(a.ID, b.ID)
	})
	return ts
}

// listTimers returns the ticket's pending timers.
func listTimers(t *testing.T, q storage.Queries, tenantID, ticketID uuid.UUID) []*ticket.Timer {
	t.Helper()
	ts, err := q.ListTimers(context.Background(), tenantID, ticketID)
	require.NoError(t, err)
	return ts
}

// testTimers checks arming, re-arming, listing and cancelling timers. Claims, firing and the
// next run time, which see the timers of every tenant, are checked by testTimerClaims on
// stores of their own.
func testTimers(t *testing.T, h Harness) {
	s := h.NewStore(t)
	ctx := context.Background()

	t.Run("ArmList", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		second := w.addSession(w.Ticket.ID)
		t0 := w.tick().Add(time.Hour)
		ack := w.newTimer(w.Ticket.ID, uuid.Nil, ticket.TimerAcknowledgment, t0.Add(2*time.Minute))
		// Whatever the caller sets, an armed timer runs at its due time and has no attempts.
		ack.RunAt, ack.Attempts, ack.LastError = t0, 3, "left over"
		require.NoError(t, s.ArmTimer(ctx, ack))
		assert.True(t, ack.DueAt.Equal(ack.RunAt), "ArmTimer sets RunAt to DueAt on the caller's timer")
		assert.Zero(t, ack.Attempts, "ArmTimer sets Attempts to 0 on the caller's timer")
		assert.Empty(t, ack.LastError, "an armed timer has no error yet")
		expiration := w.armTimer(w.Ticket.ID, uuid.Nil, ticket.TimerExpiration, t0.Add(time.Minute))
		invitation := w.armTimer(w.Ticket.ID, w.Session.ID, ticket.TimerInvitationExpiry, t0.Add(3*time.Minute))
		sessionExp := w.armTimer(w.Ticket.ID, w.Session.ID, ticket.TimerExpiration, t0.Add(time.Minute)) // ties with expiration
		reminder := w.armTimer(w.Ticket.ID, second.ID, ticket.TimerReminder, t0)
		other := w.addTicket(w.newTicket("Display flickers"))
		elsewhere := w.armTimer(other.ID, uuid.Nil, ticket.TimerOfferTimeout, t0)

		got := listTimers(t, s, w.Tenant.ID, w.Ticket.ID)
		want := byDue([]*ticket.Timer{clone(ack), clone(expiration), clone(invitation), clone(sessionExp), clone(reminder)})
		assertSame(t, want, got, "the ticket's timers and its sessions', by due time then ID")
		assertSame(t, []*ticket.Timer{clone(elsewhere)}, listTimers(t, s, w.Tenant.ID, other.ID), "the other ticket's")
		assert.Empty(t, listTimers(t, s, w.Tenant.ID, newID()), "a ticket never created")
	})

	t.Run("Rearm", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		t0 := w.tick().Add(time.Hour)
		old := w.armTimer(w.Ticket.ID, w.Session.ID, ticket.TimerPlannedEnd, t0)
		sibling := w.armTimer(w.Ticket.ID, w.Session.ID, ticket.TimerReminder, t0)
		renewed := w.armTimer(w.Ticket.ID, w.Session.ID, ticket.TimerPlannedEnd, t0.Add(30*time.Minute))
		got := listTimers(t, s, w.Tenant.ID, w.Ticket.ID)
		assertSame(t, byDue([]*ticket.Timer{clone(sibling), clone(renewed)}), got,
			"one pending timer per subject and kind: the new one replaced the old, the other kind stays")

		fired, err := s.FireTimer(ctx, w.Tenant.ID, old.ID, 0)
		require.NoError(t, err)
		assert.False(t, fired, "the replaced timer fired")
		fired, err = s.FireTimer(ctx, w.Tenant.ID, renewed.ID, 0)
		require.NoError(t, err)
		assert.True(t, fired, "the new timer, never claimed, fires at attempts 0")
		assertSame(t, []*ticket.Timer{clone(sibling)}, listTimers(t, s, w.Tenant.ID, w.Ticket.ID))
	})

	t.Run("Subjects", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		second := w.addSession(w.Ticket.ID)
		t0 := w.tick().Add(time.Hour)
		own := w.armTimer(w.Ticket.ID, uuid.Nil, ticket.TimerExpiration, t0)
		first := w.armTimer(w.Ticket.ID, w.Session.ID, ticket.TimerExpiration, t0.Add(time.Second))
		other := w.armTimer(w.Ticket.ID, second.ID, ticket.TimerExpiration, t0.Add(2*time.Second))
		assertSame(t, []*ticket.Timer{clone(own), clone(first), clone(other)}, listTimers(t, s, w.Tenant.ID, w.Ticket.ID),
			"the ticket and each of its sessions have a timer of the same kind of their own")

		again := w.armTimer(w.Ticket.ID, w.Session.ID, ticket.TimerExpiration, t0.Add(3*time.Second))
		assertSame(t, []*ticket.Timer{clone(own), clone(other), clone(again)}, listTimers(t, s, w.Tenant.ID, w.Ticket.ID),
			"re-arming a session's timer replaces that session's only")
		againOwn := w.armTimer(w.Ticket.ID, uuid.Nil, ticket.TimerExpiration, t0.Add(4*time.Second))
		assertSame(t, []*ticket.Timer{clone(other), clone(again), clone(againOwn)}, listTimers(t, s, w.Tenant.ID, w.Ticket.ID),
			"re-arming the ticket's own timer replaces the ticket's only")
	})

	t.Run("Cancel", func(t *testing.T) { testCancelTimers(t, s) })

	t.Run("ArmMissing", func(t *testing.T) {
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		other := a.addTicket(a.newTicket("Display flickers"))
		due := a.tick().Add(time.Hour)
		for name, tm := range map[string]*ticket.Timer{
			"Ticket":               a.newTimer(newID(), uuid.Nil, ticket.TimerOfferTimeout, due),
			"ForeignTicket":        a.newTimer(b.Ticket.ID, uuid.Nil, ticket.TimerOfferTimeout, due),
			"Session":              a.newTimer(a.Ticket.ID, newID(), ticket.TimerReminder, due),
			"SessionOfOtherTicket": a.newTimer(other.ID, a.Session.ID, ticket.TimerReminder, due),
			"ForeignSession":       a.newTimer(a.Ticket.ID, b.Session.ID, ticket.TimerReminder, due),
			"ForeignBoth":          a.newTimer(b.Ticket.ID, b.Session.ID, ticket.TimerReminder, due),
		} {
			assert.ErrorIs(t, s.ArmTimer(ctx, tm), storage.ErrNotFound, name)
		}
		for _, w := range []*world{a, b} {
			assert.Empty(t, listTimers(t, s, w.Tenant.ID, w.Ticket.ID), "a refused timer was stored")
		}
		assert.Empty(t, listTimers(t, s, a.Tenant.ID, other.ID), "a refused timer was stored")
	})

	t.Run("InTx", func(t *testing.T) {
		w := newWorld(t, s, "Tenant A")
		kept := w.armTimer(w.Ticket.ID, uuid.Nil, ticket.TimerOfferTimeout, w.tick().Add(time.Hour))
		err := s.InTx(ctx, func(q storage.Queries) error {
			if err := q.ArmTimer(ctx, w.newTimer(w.Ticket.ID, w.Session.ID, ticket.TimerReminder, w.tick())); err != nil {
				return err
			}
			if _, err := q.CancelTimers(ctx, w.Tenant.ID, storage.TimerScope{TicketID: w.Ticket.ID, TicketOnly: true}); err != nil {
				return err
			}
			assert.Len(t, listTimers(t, q, w.Tenant.ID, w.Ticket.ID), 1, "a transaction reads its own timers")
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		assertSame(t, []*ticket.Timer{clone(kept)}, listTimers(t, s, w.Tenant.ID, w.Ticket.ID),
			"a rolled back transaction armed or cancelled timers")
	})
}

// testCancelTimers checks every TimerScope field alone and combined, each case on timers of its
// own.
func testCancelTimers(t *testing.T, s storage.Store) {
	ctx := context.Background()
	// fixture arms timers on the world's ticket, on each of its two sessions, and on a second
	// ticket, and returns the first ticket's, the other session and the second ticket.
	fixture := func(w *world) (all []*ticket.Timer, second *ticket.Session, other *ticket.Ticket) {
		t.Helper()
		second = w.addSession(w.Ticket.ID)
		other = w.addTicket(w.newTicket("Display flickers"))
		due := w.tick().Add(time.Hour)
		for _, f := range []struct {
			session uuid.UUID
			kind    ticket.TimerKind
		}{
			{uuid.Nil, ticket.TimerAcknowledgment},
			{uuid.Nil, ticket.TimerExpiration},
			{uuid.Nil, ticket.TimerOfferTimeout},
			{w.Session.ID, ticket.TimerInvitationExpiry},
			{w.Session.ID, ticket.TimerReminder},
			{w.Session.ID, ticket.TimerExpiration},
			{second.ID, ticket.TimerInvitationExpiry},
		} {
			due = due.Add(time.Second)
			all = append(all, w.armTimer(w.Ticket.ID, f.session, f.kind, due))
		}
		w.armTimer(other.ID, uuid.Nil, ticket.TimerExpiration, due)
		return all, second, other
	}
	session := func(w *world) uuid.UUID { return w.Session.ID }
	cases := []struct {
		name string
		// scope makes the scope from the world and the other session of the fixture.
		scope     func(w *world, second *ticket.Session) storage.TimerScope
		all, none bool
	}{
		{name: "Ticket", all: true, scope: func(w *world, _ *ticket.Session) storage.TimerScope {
			return storage.TimerScope{TicketID: w.Ticket.ID}
		}},
		{name: "Session", scope: func(w *world, _ *ticket.Session) storage.TimerScope {
			return storage.TimerScope{TicketID: w.Ticket.ID, SessionID: session(w)}
		}},
		{name: "OtherSession", scope: func(w *world, second *ticket.Session) storage.TimerScope {
			return storage.TimerScope{TicketID: w.Ticket.ID, SessionID: second.ID}
		}},
		{name: "TicketOnly", scope: func(w *world, _ *ticket.Session) storage.TimerScope {
			return storage.TimerScope{TicketID: w.Ticket.ID, TicketOnly: true}
		}},
		{name: "Kinds", scope: func(w *world, _ *ticket.Session) storage.TimerScope {
			return storage.TimerScope{TicketID: w.Ticket.ID, Kinds: []ticket.TimerKind{ticket.TimerExpiration}}
		}},
		{name: "SessionKinds", scope: func(w *world, _ *ticket.Session) storage.TimerScope {
			return storage.TimerScope{TicketID: w.Ticket.ID, SessionID: session(w),
				Kinds: []ticket.TimerKind{ticket.TimerReminder, ticket.TimerInvitationExpiry, ticket.TimerOfferTimeout}}
		}},
		{name: "TicketOnlyKinds", scope: func(w *world, _ *ticket.Session) storage.TimerScope {
			return storage.TimerScope{TicketID: w.Ticket.ID, TicketOnly: true,
				Kinds: []ticket.TimerKind{ticket.TimerExpiration, ticket.TimerInvitationExpiry}}
		}},
		{name: "SessionIgnoresTicketOnly", scope: func(w *world, _ *ticket.Session) storage.TimerScope {
			return storage.TimerScope{TicketID: w.Ticket.ID, SessionID: session(w), TicketOnly: true}
		}},
		{name: "KindWithoutTimers", none: true, scope: func(w *world, _ *ticket.Session) storage.TimerScope {
			return storage.TimerScope{TicketID: w.Ticket.ID, Kinds: []ticket.TimerKind{ticket.TimerPlannedEnd}}
		}},
		{name: "SessionOfOtherTicket", none: true, scope: func(w *world, _ *ticket.Session) storage.TimerScope {
			return storage.TimerScope{TicketID: newID(), SessionID: session(w)}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, s, "Tenant A")
			all, second, other := fixture(w)
			otherTimers := listTimers(t, s, w.Tenant.ID, other.ID)
			scope := c.scope(w, second)
			var want []*ticket.Timer
			var kept []*ticket.Timer
			for _, tm := range all {
				if matchTimer(scope, tm) {
					want = append(want, tm)
				} else {
					kept = append(kept, clone(tm))
				}
			}
			switch {
			case c.all:
				require.Len(t, want, len(all), "fixture: %+v should match every timer", scope)
			case c.none:
				require.Empty(t, want, "fixture: %+v should match none", scope)
			default:
				require.NotEmpty(t, want, "fixture: %+v matches none", scope)
				require.Less(t, len(want), len(all), "fixture: %+v matches every timer", scope)
			}
			n, err := s.CancelTimers(ctx, w.Tenant.ID, scope)
			require.NoError(t, err)
			assert.Equal(t, len(want), n, "timers cancelled by %+v", scope)
			assertSame(t, kept, listTimers(t, s, w.Tenant.ID, w.Ticket.ID), "timers left after cancelling %+v", scope)
			assertSame(t, otherTimers, listTimers(t, s, w.Tenant.ID, other.ID), "another ticket's timers")
		})
	}
}

// testTimerClaims checks claims, firing, retries and the next run time. These see the timers of
// every tenant, so each case has a store of its own.
func testTimerClaims(t *testing.T, h Harness) {
	ctx := context.Background()
	claim := func(t *testing.T, s storage.Store, now time.Time, lease time.Duration, limit int) []*ticket.Timer {
		t.Helper()
		ts, err := s.ClaimTimers(ctx, now, lease, limit)
		require.NoError(t, err)
		return ts
	}
	// claimed returns what tm looks like after a claim at now with the given lease.
	claimed := func(tm *ticket.Timer, now time.Time, lease time.Duration) *ticket.Timer {
		c := clone(tm)
		c.Attempts++
		c.RunAt = now.Add(lease)
		return c
	}
	fire := func(t *testing.T, s storage.Store, tm *ticket.Timer, attempts int) bool {
		t.Helper()
		ok, err := s.FireTimer(ctx, tm.TenantID, tm.ID, attempts)
		require.NoError(t, err)
		return ok
	}

	t.Run("Claim", func(t *testing.T) {
		s := h.NewStore(t)
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		t0 := a.tick().Add(time.Hour) // after every time the worlds hand out
		// Armed out of due order, so that ID order is not the answer.
		third := a.armTimer(a.Ticket.ID, a.Session.ID, ticket.TimerReminder, t0) // due at now exactly
		later := a.armTimer(a.Ticket.ID, uuid.Nil, ticket.TimerExpiration, t0.Add(time.Hour))
		first := a.armTimer(a.Ticket.ID, uuid.Nil, ticket.TimerOfferTimeout, t0.Add(-3*time.Second))
		second := b.armTimer(b.Ticket.ID, uuid.Nil, ticket.TimerOfferTimeout, t0.Add(-2*time.Second)) // any tenant's

		assert.Empty(t, claim(t, s, t0, time.Minute, 0), "a limit of 0")
		const lease = time.Minute
		got := claim(t, s, t0, lease, 2)
		assertSame(t, []*ticket.Timer{claimed(first, t0, lease), claimed(second, t0, lease)}, got,
			"the two earliest due, attempts counted, leased")
		got = claim(t, s, t0, lease, 10)
		assertSame(t, []*ticket.Timer{claimed(third, t0, lease)}, got, "the one left due")
		assertSame(t, byDue([]*ticket.Timer{claimed(first, t0, lease), claimed(third, t0, lease), clone(later)}),
			listTimers(t, s, a.Tenant.ID, a.Ticket.ID), "the claims as stored")

		end := t0.Add(lease)
		assert.Empty(t, claim(t, s, end.Add(-time.Microsecond), time.Hour, 10), "claimed again before the lease ran out")

		// The lease ran out: the scheduler holding them died. The three are due again, and at
		// the same time, so in ID order.
		got = claim(t, s, end, lease, 10)
		want := []*ticket.Timer{claimed(claimed(first, t0, lease), end, lease), claimed(claimed(second, t0, lease), end, lease),
			claimed(claimed(third, t0, lease), end, lease)}
		slices.SortFunc(want, func(x, y *ticket.Timer) int { return compareIDs(x.ID, y.ID) })
		assertSame(t, want, got, "claimed again after the lease, attempts counted on")

		// By the time the later one is due, the three's second lease has run out too.
		got = claim(t, s, later.DueAt, lease, 10)
		assert.Equal(t, append(timerIDs(want), later.ID), timerIDs(got), "once due, earliest first")
	})

	t.Run("Fire", func(t *testing.T) {
		s := h.NewStore(t)
		w := newWorld(t, s, "Tenant A")
		t0 := w.tick()
		tm := w.armTimer(w.Ticket.ID, uuid.Nil, ticket.TimerOfferTimeout, t0)
		other := w.armTimer(w.Ticket.ID, w.Session.ID, ticket.TimerInvitationExpiry, t0)
		const lease = time.Minute
		require.Len(t, claim(t, s, t0, lease, 10), 2)

		assert.False(t, fire(t, s, tm, 0), "fired with the attempts before the claim")
		assert.False(t, fire(t, s, tm, 2), "fired with attempts no claim made")
		assertSame(t, byDue([]*ticket.Timer{claimed(tm, t0, lease), claimed(other, t0, lease)}),
			listTimers(t, s, w.Tenant.ID, w.Ticket.ID), "a refused firing changed the timers")
		assert.True(t, fire(t, s, tm, 1), "fired with the claim's attempts")
		assertSame(t, []*ticket.Timer{claimed(other, t0, lease)}, listTimers(t, s, w.Tenant.ID, w.Ticket.ID),
			"a fired timer is gone, the other stays")
		assert.False(t, fire(t, s, tm, 1), "fired twice")

		// The other one's scheduler stalls past its lease and another claims it again: only
		// the latest claim may fire it.
		got := claim(t, s, t0.Add(lease), lease, 10)
		require.Equal(t, []uuid.UUID{other.ID}, timerIDs(got))
		assert.False(t, fire(t, s, other, 1), "fired by the stalled first claim")
		assert.True(t, fire(t, s, other, 2), "fired by the second claim")
		assert.Empty(t, listTimers(t, s, w.Tenant.ID, w.Ticket.ID))
	})

	t.Run("Rearm", func(t *testing.T) {
		s := h.NewStore(t)
		w := newWorld(t, s, "Tenant A")
		t0 := w.tick()
		const lease = time.Minute
		for name, idOf := range map[string]func(old *ticket.Timer) uuid.UUID{
			"NewID":  func(*ticket.Timer) uuid.UUID { return newID() },
			"SameID": func(old *ticket.Timer) uuid.UUID { return old.ID },
		} {
			t.Run(name, func(t *testing.T) {
				tk := w.addTicket(w.newTicket("Pump " + name))
				old := w.armTimer(tk.ID, uuid.Nil, ticket.TimerAcknowledgment, t0)
				require.Equal(t, []uuid.UUID{old.ID}, timerIDs(claim(t, s, t0, lease, 10)))
				require.NoError(t, s.RetryTimer(ctx, w.Tenant.ID, old.ID, 1, t0.Add(time.Second), "mail server down"))

				renewed := w.newTimer(tk.ID, uuid.Nil, ticket.TimerAcknowledgment, t0.Add(time.Hour))
				renewed.ID = idOf(old)
				require.NoError(t, s.ArmTimer(ctx, renewed))
				assertSame(t, []*ticket.Timer{clone(renewed)}, listTimers(t, s, w.Tenant.ID, tk.ID),
					"the new due time, running then, no attempts, no error")
				assert.False(t, fire(t, s, old, 1), "the old claim fired the re-armed timer")
				assertSame(t, []*ticket.Timer{clone(renewed)}, listTimers(t, s, w.Tenant.ID, tk.ID))
				require.NoError(t, s.RetryTimer(ctx, w.Tenant.ID, old.ID, 1, t0, "late"), "a retry from the old claim")
				assertSame(t, []*ticket.Timer{clone(renewed)}, listTimers(t, s, w.Tenant.ID, tk.ID), "the old claim's retry counted")
				assert.Empty(t, claim(t, s, t0.Add(time.Second), lease, 10), "the re-armed timer is not due before its new time")
			})
		}
	})

	t.Run("Retry", func(t *testing.T) {
		s := h.NewStore(t)
		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		t0 := a.tick()
		tm := a.armTimer(a.Ticket.ID, a.Session.ID, ticket.TimerPlannedEnd, t0)
		const lease = time.Minute
		require.Len(t, claim(t, s, t0, lease, 10), 1)

		retryAt := t0.Add(10 * time.Second)
		require.NoError(t, s.RetryTimer(ctx, a.Tenant.ID, tm.ID, 1, retryAt, "video provider unavailable"))
		want := claimed(tm, t0, lease)
		want.RunAt, want.LastError = retryAt, "video provider unavailable"
		assertSame(t, []*ticket.Timer{clone(want)}, listTimers(t, s, a.Tenant.ID, a.Ticket.ID), "run again later, the error recorded")
		next, ok, err := s.NextTimerRun(ctx)
		require.NoError(t, err)
		require.True(t, ok)
		assert.True(t, retryAt.Equal(next), "next run %v, want the retry time %v", next, retryAt)

		// Ignored: a stale claim's retry, another tenant's, an unknown timer's.
		require.NoError(t, s.RetryTimer(ctx, a.Tenant.ID, tm.ID, 0, t0.Add(time.Hour), "stale"))
		require.NoError(t, s.RetryTimer(ctx, b.Tenant.ID, tm.ID, 1, t0.Add(time.Hour), "foreign"))
		require.NoError(t, s.RetryTimer(ctx, a.Tenant.ID, newID(), 1, t0.Add(time.Hour), "unknown"))
		assertSame(t, []*ticket.Timer{clone(want)}, listTimers(t, s, a.Tenant.ID, a.Ticket.ID), "an ignored retry changed the timer")

		assert.Empty(t, claim(t, s, retryAt.Add(-time.Microsecond), lease, 10), "claimed before the retry time")
		got := claim(t, s, retryAt, lease, 10)
		again := claimed(want, retryAt, lease)
		assertSame(t, []*ticket.Timer{again}, got, "claimed again at the retry time, attempts counted on, the error kept")
		assert.True(t, fire(t, s, tm, 2))
	})

	t.Run("NextRun", func(t *testing.T) {
		s := h.NewStore(t)
		_, ok, err := s.NextTimerRun(ctx)
		require.NoError(t, err)
		assert.False(t, ok, "no timers in an empty store")

		a := newWorld(t, s, "Tenant A")
		b := newWorld(t, s, "Tenant B")
		t0 := a.tick().Add(time.Hour)
		a.armTimer(a.Ticket.ID, uuid.Nil, ticket.TimerExpiration, t0.Add(5*time.Minute))
		tm := b.armTimer(b.Ticket.ID, b.Session.ID, ticket.TimerReminder, t0.Add(time.Minute)) // any tenant's
		next := func(t *testing.T, want time.Time) {
			t.Helper()
			got, ok, err := s.NextTimerRun(ctx)
			require.NoError(t, err)
			require.True(t, ok, "timers are pending")
			assert.True(t, want.Equal(got), "next run %v, want %v", got, want)
		}
		next(t, t0.Add(time.Minute))
		claim(t, s, t0.Add(2*time.Minute), 10*time.Minute, 10)
		next(t, t0.Add(5*time.Minute)) // the claimed one's lease runs out later
		require.True(t, fire(t, s, tm, 1))
		next(t, t0.Add(5*time.Minute))
		n, err := s.CancelTimers(ctx, a.Tenant.ID, storage.TimerScope{TicketID: a.Ticket.ID})
		require.NoError(t, err)
		require.Equal(t, 1, n)
		_, ok, err = s.NextTimerRun(ctx)
		require.NoError(t, err)
		assert.False(t, ok, "every timer fired or cancelled")
	})

	t.Run("InTx", func(t *testing.T) {
		s := h.NewStore(t)
		w := newWorld(t, s, "Tenant A")
		t0 := w.tick()
		tm := w.armTimer(w.Ticket.ID, uuid.Nil, ticket.TimerOfferTimeout, t0)
		err := s.InTx(ctx, func(q storage.Queries) error {
			ts, err := q.ClaimTimers(ctx, t0, time.Minute, 10)
			if err != nil {
				return err
			}
			assert.Len(t, ts, 1)
			ok, err := q.FireTimer(ctx, w.Tenant.ID, tm.ID, 1)
			if err != nil {
				return err
			}
			assert.True(t, ok, "fired within the claim's transaction")
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		got := claim(t, s, t0, time.Minute, 10)
		assertSame(t, []*ticket.Timer{claimed(tm, t0, time.Minute)}, got, "a rolled back claim and firing kept the timer")
	})

	t.Run("Concurrent", func(t *testing.T) { testConcurrentTimers(t, h) })
}

// testConcurrentTimers has eight schedulers claim and fire 2,000 due timers at once, each firing
// in a transaction of its own: every timer must be claimed and fired exactly once.
func testConcurrentTimers(t *testing.T, h Harness) {
	ctx := context.Background()
	s := h.NewStore(t)
	w := newWorld(t, s, "Tenant A")
	const sessions, claimers, batch = 400, 8, 25
	kinds := []ticket.TimerKind{ticket.TimerInvitationExpiry, ticket.TimerReminder, ticket.TimerPlannedEnd,
		ticket.TimerAcknowledgment, ticket.TimerExpiration}
	total := sessions * len(kinds)
	t0 := w.tick()
	var all []uuid.UUID
	require.NoError(t, s.InTx(ctx, func(q storage.Queries) error {
		tw := *w
		tw.q = q
		for i := range sessions {
			sn := tw.addSession(w.Ticket.ID)
			for j, k := range kinds {
				all = append(all, tw.armTimer(w.Ticket.ID, sn.ID, k, t0.Add(-time.Duration(i*len(kinds)+j)*time.Millisecond)).ID)
			}
		}
		return nil
	}), "setup: arm %d timers", total)

	var (
		mu            sync.Mutex
		claims, fires = make(map[uuid.UUID]int, total), make(map[uuid.UUID]int, total)
	)
	errs := race(claimers, func(int) error {
		for {
			ts, err := s.ClaimTimers(ctx, t0, time.Hour, batch)
			if err != nil {
				return err
			}
			if len(ts) > batch {
				return fmt.Errorf("claimed %d timers with a limit of %d", len(ts), batch)
			}
			if len(ts) == 0 {
				return nil
			}
			for _, tm := range ts {
				var fired bool
				err := s.InTx(ctx, func(q storage.Queries) error {
					var err error
					fired, err = q.FireTimer(ctx, tm.TenantID, tm.ID, tm.Attempts)
					return err
				})
				if err != nil {
					return fmt.Errorf("fire timer %s: %w", tm.ID, err)
				}
				mu.Lock()
				claims[tm.ID]++
				if fired {
					fires[tm.ID]++
				}
				mu.Unlock()
			}
		}
	})
	for i, err := range errs {
		require.NoError(t, err, "scheduler %d", i)
	}
	for _, id := range all {
		if claims[id] != 1 || fires[id] != 1 {
			t.Errorf("timer %s was claimed %d times and fired %d times, want once each", id, claims[id], fires[id])
		}
	}
	assert.Len(t, claims, total, "timers claimed")
	assert.Empty(t, listTimers(t, s, w.Tenant.ID, w.Ticket.ID), "timers left after firing them all")
	_, ok, err := s.NextTimerRun(ctx)
	require.NoError(t, err)
	assert.False(t, ok, "a timer is still pending")
}
