package helpdesk_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/blob"
	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/tenant"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// timerTenant creates a tenant whose default group is supervised, so that an offer timeout
// firing writes one in-app escalation.unaccepted notification per ticket: the trace of each
// firing.
func timerTenant(tb testing.TB, d *helpdesk.Desk, s *bunstore.Store, name string) uuid.UUID {
	tb.Helper()
	ctx := context.Background()
	ten, err := d.CreateTenant(ctx, tenant.System(), helpdesk.NewTenant{Name: name})
	require.NoError(tb, err)
	now := time.Now().UTC()
	sup := &tenant.User{ID: uuid.Must(uuid.NewV7()), TenantID: ten.ID, Role: tenant.RoleSupervisor, Name: "Sue Supervisor",
		Email: "sue@" + ten.ID.String()[:8] + ".example", Status: tenant.UserActive, CreatedAt: now, UpdatedAt: now, Version: 1}
	require.NoError(tb, s.CreateUser(ctx, sup))
	group, err := s.GetTeam(ctx, ten.ID, ten.DefaultTeamID)
	require.NoError(tb, err)
	group.SupervisorID = sup.ID
	_, err = d.UpdateTeam(ctx, tenant.SystemFor(ten.ID), group)
	require.NoError(tb, err)
	return ten.ID
}

// seedTimers inserts n open tickets numbered from first, each with an offer timeout due at
// due(i), in a few statements (PostgreSQL only), and returns the due time per ticket.
func seedTimers(tb testing.TB, s *bunstore.Store, tenantID uuid.UUID, first, n int, due func(i int) time.Time) map[uuid.UUID]time.Time {
	tb.Helper()
	ctx := context.Background()
	ids := make([]uuid.UUID, n)
	dues := make([]time.Time, n)
	out := make(map[uuid.UUID]time.Time, n)
	for i := range ids {
		ids[i], dues[i] = uuid.Must(uuid.NewV7()), due(i).UTC()
		out[ids[i]] = dues[i]
	}
	const chunk = 50_000
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		_, err := s.DB().ExecContext(ctx, `
INSERT INTO tickets (id, tenant_id, number, prefix, title, state, source, created_by_kind, created_at, updated_at)
SELECT id, ?, ? + ord, 'T', 'timer', 'open', 'employee', 'system', now(), now()
FROM unnest(?::uuid[]) WITH ORDINALITY AS u(id, ord)`, tenantID, first+lo, pgArray(ids[lo:hi]))
		require.NoError(tb, err)
		_, err = s.DB().ExecContext(ctx, `
INSERT INTO timers (id, tenant_id, ticket_id, subject_id, kind, due_at, run_at, attempts, last_error, created_at)
SELECT gen_random_uuid(), ?, id, id, 'offer_timeout', due, due, 0, '', now()
FROM unnest(?::uuid[], ?::timestamptz[]) AS u(id, due)`, tenantID, pgArray(ids[lo:hi]), pgTimes(dues[lo:hi]))
		require.NoError(tb, err)
	}
	return out
}

func pgArray(ids []uuid.UUID) string {
	b := make([]byte, 0, len(ids)*37+2)
	b = append(b, '{')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, id.String()...)
	}
	return string(append(b, '}'))
}

func pgTimes(ts []time.Time) string {
	b := make([]byte, 0, len(ts)*34+2)
	b = append(b, '{')
	for i, t := range ts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = t.AppendFormat(b, "2006-01-02 15:04:05.999999Z07:00")
		b = append(b, '"')
	}
	return string(append(b, '}'))
}

// firings returns, per ticket, the times its escalation was written: one per firing.
func firings(tb testing.TB, s *bunstore.Store, tenantID uuid.UUID) map[uuid.UUID][]time.Time {
	tb.Helper()
	rows, err := s.DB().QueryContext(context.Background(),
		`SELECT ticket_id, created_at FROM notifications WHERE tenant_id = ? AND event = ?`, tenantID, string(notify.EscalationUnaccepted))
	require.NoError(tb, err)
	defer rows.Close()
	out := map[uuid.UUID][]time.Time{}
	for rows.Next() {
		var (
			id uuid.UUID
			at time.Time
		)
		require.NoError(tb, rows.Scan(&id, &at))
		out[id] = append(out[id], at)
	}
	require.NoError(tb, rows.Err())
	return out
}

// pendingTimers counts the tenant's timers due within a day and not fired yet, through the
// run_at index (a count over the whole table would scan the idle timers of the benchmark).
func pendingTimers(tb testing.TB, s *bunstore.Store, tenantID uuid.UUID) int {
	tb.Helper()
	var n int
	require.NoError(tb, s.DB().QueryRowContext(context.Background(),
		`SELECT count(*) FROM timers WHERE run_at < now() + interval '1 day' AND tenant_id = ?`, tenantID).Scan(&n))
	return n
}

// Two Desks running Run on one PostgreSQL database over 10,000 due timers fire each exactly once.
func TestTimersTwoInstances(t *testing.T) {
	s := openPostgres(t)
	newInstance := func() *helpdesk.Desk {
		d, err := helpdesk.New(s, &helpdesk.Config{Timers: helpdesk.TimerConfig{BatchSize: 50}})
		require.NoError(t, err)
		return d
	}
	a, b := newInstance(), newInstance()
	tid := timerTenant(t, a, s, "Two instances")
	const n = 10_000
	now := time.Now()
	seeded := seedTimers(t, s, tid, 0, n, func(i int) time.Time { return now.Add(-time.Duration(i%100) * time.Millisecond) })

	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for _, d := range []*helpdesk.Desk{a, b} {
		wg.Go(func() { assert.NoError(t, d.Run(ctx)) })
	}
	require.Eventually(t, func() bool { return pendingTimers(t, s, tid) == 0 }, 2*time.Minute, 50*time.Millisecond)
	cancel()
	wg.Wait()

	fired := firings(t, s, tid)
	assert.Len(t, fired, n, "every timer fired")
	twice := 0
	for id, at := range fired {
		_, ok := seeded[id]
		assert.True(t, ok)
		if len(at) != 1 {
			twice++
		}
	}
	assert.Zero(t, twice, "timers fired more than once")
}

// failingTicket fails every update of one ticket, as a conflict would.
type failingTicket struct {
	storage.Store
	id uuid.UUID
}

func (s failingTicket) InTx(ctx context.Context, fn func(q storage.Queries) error) error {
	return s.Store.InTx(ctx, func(q storage.Queries) error { return fn(failingTicketQueries{q, s.id}) })
}

type failingTicketQueries struct {
	storage.Queries
	id uuid.UUID
}

func (q failingTicketQueries) UpdateTicket(ctx context.Context, t *ticket.Ticket) error {
	if t.ID == q.id {
		return storage.ErrConflict
	}
	return q.Queries.UpdateTicket(ctx, t)
}

// A timer whose firing fails holds back none of the timers fired with it, keeps its error, and
// fires once its backoff has passed.
func TestTimersRetry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		f := newSessionFixture(t, s, nil)
		var tickets []*ticket.Ticket
		for range 3 {
			tickets = append(tickets, f.ticketIn(t, ticket.StateWaiting))
		}
		poisoned := tickets[1]
		// One group: the three expirations share a transaction, which the poisoned one fails.
		broken, err := helpdesk.New(failingTicket{s, poisoned.ID}, &helpdesk.Config{Now: f.clock.Now,
			Timers: helpdesk.TimerConfig{Concurrency: 1, RetryBackoff: time.Minute}})
		require.NoError(t, err)

		f.clock.Advance(durations.MaxExpiration)
		n, err := broken.FireTimersOnce(ctx)
		assert.Equal(t, 3, n)
		require.ErrorIs(t, err, storage.ErrConflict)
		assert.Contains(t, err.Error(), poisoned.ID.String())
		for _, tk := range tickets {
			want := ticket.StateClosed
			if tk == poisoned {
				want = ticket.StateWaiting
			}
			assert.Equal(t, want, f.reload(t, tk.ID).State, tk.Title)
		}
		pending, err := f.desk.Timers(ctx, f.admin, poisoned.ID)
		require.NoError(t, err)
		require.Len(t, pending, 1)
		assert.Equal(t, 1, pending[0].Attempts)
		assert.Contains(t, pending[0].LastError, "conflict")
		assert.WithinDuration(t, f.clock.Now(), pending[0].DueAt, 0, "still due when it was; only its run time moves")
		backoff := pending[0].RunAt.Sub(f.clock.Now())
		assert.True(t, backoff >= 30*time.Second && backoff <= time.Minute, "backoff %s", backoff)

		n, err = f.desk.FireTimersOnce(ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "not before its backoff")
		f.clock.Advance(time.Minute)
		n, err = f.desk.FireTimersOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, ticket.StateClosed, f.reload(t, poisoned.ID).State)
		assert.Contains(t, f.reload(t, poisoned.ID).CloseReason, "automatically")
	})
}

// An accept and the firing of the same ticket's offer timeout, at once on PostgreSQL: the
// accept has closed the offers (holding their rows) when the firing starts, and only then
// cancels the ticket's timers. Both take the ticket's row lock first, so the firing waits for
// the accept and then finds its timer gone: both succeed, nothing is escalated. (When the
// firing took the timer first, each waited for the other's rows until PostgreSQL broke the
// deadlock and one of them failed.)
func TestTimerFiringBesideAccept(t *testing.T) {
	s := openPostgres(t)
	f := newFixture(t, s)
	ctx := t.Context()
	tk := f.submit(t, "accepted as its offer times out")
	f.clock.Advance(24 * time.Hour) // the offer timeout is due

	offersHeld := make(chan struct{})
	carryOn := make(chan struct{})
	paused := &pausingStore{Store: s, afterAccept: func() {
		close(offersHeld)
		<-carryOn
	}}
	acceptor, err := helpdesk.New(paused, &helpdesk.Config{Now: f.clock.Now, Blobs: blob.NewMem(), SecretKeys: [][]byte{testKey},
		TenantMailer: acceptingMailers})
	require.NoError(t, err)

	var (
		accepted  *ticket.Ticket
		acceptErr error
		wg        sync.WaitGroup
	)
	wg.Go(func() { accepted, acceptErr = acceptor.Accept(ctx, f.agent, tk.ID) })
	<-offersHeld
	fired := make(chan error, 1)
	go func() {
		_, err := f.desk.FireTimersOnce(ctx)
		fired <- err
	}()
	// Give the firing time to get as far as it can: to the ticket's lock (or, before, to the
	// offers, holding the timer).
	select {
	case err := <-fired:
		t.Fatalf("the firing ended while the accept held the ticket: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(carryOn)
	wg.Wait()
	require.NoError(t, acceptErr, "the accept")
	assert.Equal(t, ticket.StateAssigned, accepted.State)
	require.NoError(t, <-fired, "the firing")
	assert.Empty(t, firings(t, s, f.tenant.ID)[tk.ID], "no escalation of an accepted ticket")
	timers, err := s.ListTimers(ctx, f.tenant.ID, tk.ID)
	require.NoError(t, err)
	for _, tm := range timers {
		assert.NotEqual(t, ticket.TimerOfferTimeout, tm.Kind, "the offer timeout is gone")
	}
}

// pausingStore calls afterAccept within a transaction right after it accepted an offer.
type pausingStore struct {
	storage.Store
	afterAccept func()
}

func (p *pausingStore) InTx(ctx context.Context, fn func(q storage.Queries) error) error {
	return p.Store.InTx(ctx, func(q storage.Queries) error { return fn(&pausingQueries{Queries: q, after: p.afterAccept}) })
}

type pausingQueries struct {
	storage.Queries
	after func()
}

func (q *pausingQueries) AcceptOffer(ctx context.Context, tenantID, ticketID, userID uuid.UUID, at time.Time) error {
	err := q.Queries.AcceptOffer(ctx, tenantID, ticketID, userID, at)
	q.after()
	return err
}
