package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/storage"
	"github.com/google/uuid"
)

// Run does the Desk's background work until ctx ends, then returns nil: it fires the timers
// as they come due (see FireTimersOnce), delivers the notifications of the outbox (see
// DispatchOnce) and the webhooks (see DeliverWebhooksOnce) as soon as they are due. Each loop is woken by this Desk's own writes and
// sleeps no longer than the next due time it knows of; it also looks every PollInterval
// (Config.Timers, Config.Dispatch), so work another process added is found within that, and a
// lost wake-up delays work, never loses it. On PostgreSQL, LISTEN/NOTIFY also wakes the
// dispatcher when another process enqueues. Any number of processes may Run on one database:
// claims never overlap, and each timer fires once. It also housekeeps when it starts and every
// Config.Housekeeping.Interval (see HousekeepOnce). Errors that a retry may cure (a database
// restart) are logged to Config.Logger and retried. The dispatcher and the webhook deliverer
// claim their next batch while the current one is being sent; a batch claimed as ctx ends is
// still attempted (its sends fail at once and are recorded as due again), and whatever a killed
// process had claimed is tried again when its lease ends.
func (d *Desk) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { d.housekeep(ctx) })
	wg.Go(func() {
		d.loop(ctx, "firing timers", d.cfg.Timers.BatchSize, d.cfg.Timers.PollInterval, d.timerWake,
			d.FireTimersOnce, d.store.NextTimerRun)
	})
	wg.Go(func() {
		d.pipeline(ctx, "delivering webhooks", d.cfg.Webhooks.BatchSize, d.cfg.Webhooks.PollInterval, d.webhookWake,
			d.claimWebhooks, d.store.NextWebhookDue, d.flushLateHooks)
	})
	if l, ok := d.store.(storage.OutboxListener); ok {
		wg.Go(func() { d.listen(ctx, l) })
	}
	d.pipeline(ctx, "dispatching notifications", d.cfg.Dispatch.BatchSize, d.cfg.Dispatch.PollInterval, d.wake,
		d.claimNotifications, d.store.NextNotificationDue, d.flushLate)
	wg.Wait()
	return nil
}

// loop runs once until ctx ends: again at once while batches come back full, else after
// the next due time next reports, poll at the latest, or when woken.
func (d *Desk) loop(ctx context.Context, what string, batch int, poll time.Duration, wake chan struct{},
	once func(context.Context) (int, error), next func(context.Context) (time.Time, bool, error)) {
	for {
		n, err := once(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			d.cfg.Logger.Error("helpdesk: "+what+" failed", "err", err)
		}
		if n == batch {
			continue // more may be due right away
		}
		wait := poll
		if due, ok, nerr := next(ctx); nerr == nil && ok {
			wait = min(wait, max(due.Sub(d.clock()), 0))
		}
		if !d.sleep(ctx, wait, wake) {
			return
		}
	}
}

// pipeline is loop for work that is claimed in one step and delivered in another (see
// claimNotifications, claimWebhooks): it claims the next batch while the current one is being
// sent, so that the claim's round trips overlap the sends. A batch records its outcomes once
// the next claim is done, so that the store's writes never overlap (SQLite has one writer, and
// a writer kept waiting sleeps). At most one batch is being sent and one more claimed at a
// time. A batch claimed when ctx ends is still sent, so its sends fail at once and are recorded
// as due again: other processes need not wait for its lease to expire. flush, if set, records
// what the batches left to record later (see lateRetries): it runs whenever the pipeline
// runs out of due work, and when it stops.
func (d *Desk) pipeline(ctx context.Context, what string, batch int, poll time.Duration, wake chan struct{},
	claim func(context.Context) (int, func() (record func() error), error), next func(context.Context) (time.Time, bool, error),
	flush func(context.Context) error) {
	// The batch in flight: its outcome, and the gate that lets it record.
	var (
		done chan error
		gate chan struct{}
	)
	settle := func() {
		if done == nil {
			return
		}
		close(gate)
		if err := <-done; err != nil {
			d.cfg.Logger.Error("helpdesk: "+what+" failed", "err", err)
		}
		done, gate = nil, nil
	}
	flushed := func() {
		if flush == nil {
			return
		}
		if err := flush(ctx); err != nil {
			d.cfg.Logger.Error("helpdesk: "+what+" failed", "err", err)
		}
	}
	defer flushed()
	defer settle()
	for {
		n, send, err := claim(ctx)
		if err != nil && ctx.Err() == nil {
			d.cfg.Logger.Error("helpdesk: "+what+" failed", "err", err)
		}
		var nextDone chan error
		var nextGate chan struct{}
		if n > 0 {
			nextDone, nextGate = make(chan error, 1), make(chan struct{})
			go func() {
				record := send()
				<-nextGate
				nextDone <- record()
			}()
		}
		settle()
		done, gate = nextDone, nextGate
		if ctx.Err() != nil {
			return
		}
		if n == batch {
			continue // more may be due right away: claim it while this batch is sent
		}
		settle()
		flushed()
		wait := poll
		if due, ok, nerr := next(ctx); nerr == nil && ok {
			wait = min(wait, max(due.Sub(d.clock()), 0))
		}
		if !d.sleep(ctx, wait, wake) {
			return
		}
	}
}

// sleep waits for wait, or until the dispatcher is woken; it returns false when ctx ended.
func (d *Desk) sleep(ctx context.Context, wait time.Duration, wake chan struct{}) bool {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
	case <-timer.C:
	}
	return true
}

// listen turns the store's outbox signals (PostgreSQL LISTEN/NOTIFY: other processes' writes)
// into wake-ups of this dispatcher until ctx ends, listening again after a lost connection.
// Stores that cannot listen leave the dispatcher to its own wake-ups and polling.
func (d *Desk) listen(ctx context.Context, l storage.OutboxListener) {
	for ctx.Err() == nil {
		ch, err := l.ListenOutbox(ctx)
		switch {
		case errors.Is(err, errors.ErrUnsupported):
			return
		case err != nil:
			if ctx.Err() == nil {
				d.cfg.Logger.Warn("helpdesk: listening for notifications failed; polling meanwhile", "err", err)
			}
		default:
			// Whatever was enqueued while the listener was away; the outbox's signal is also
			// the webhook deliveries'.
			d.signal()
			wakeUp(d.webhookWake)
			for range ch {
				d.signal()
				wakeUp(d.webhookWake)
			}
		}
		timer := time.NewTimer(d.cfg.Dispatch.PollInterval)
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
		timer.Stop()
	}
}

// DispatchOnce claims one batch of due notifications (Config.Dispatch.BatchSize) and tries to
// deliver each through its channel's Notifier, Config.Dispatch.Concurrency at a time, then
// records the outcomes together:
//
//   - accepted by the provider: sent;
//   - a permanent error (notify.ErrPermanent), or the last of Config.Dispatch.MaxAttempts:
//     failed, kept with its error, listed by Notifications and retried by RetryNotification;
//   - any other error: tried again after an exponential, jittered backoff. A retry due within
//     Config.Dispatch.PollInterval (a short RetryBackoff) is made within the claim, its
//     concurrency slot serving the batch's other sends meanwhile, so that a brief failure
//     costs no database round trip; every attempt counts towards MaxAttempts.
//
// A push notification for a notify.PushNotifier goes to the recipient's subscribed browsers,
// and only while the recipient still has push switched on; the browsers the push service says
// are gone are deleted.
//
// Every attempt passes the notification's IdempotencyKey, which stays the same across retries.
// It returns how many notifications it attempted, and an error only if the store failed.
func (d *Desk) DispatchOnce(ctx context.Context) (int, error) {
	n, send, err := d.claimNotifications(ctx)
	if err != nil || n == 0 {
		return n, err
	}
	record := send()
	d.late.wait() // the batch's retries, recorded with it
	return n, record()
}

// lateRetries are the retries within a claim (see retryInClaim) that outlast their batch in
// Run: the batch records its other outcomes without waiting for them, and theirs (T) go with a
// later batch's record or when the pipeline flushes, so that a batch's backoff waits hold up
// neither its record nor the next claim. Their notifications or deliveries stay claimed
// meanwhile; should the process die first, they are tried again when their lease ends, as
// after any kill mid-send.
type lateRetries[T any] struct {
	mu   sync.Mutex
	outs []T
	// running counts the retries not yet ended; ended is signalled when it drops to zero. (A
	// WaitGroup would not do: DispatchOnce may wait while another batch's retry starts.)
	running int
	ended   sync.Cond
}

// detach returns the function a batch's send calls as its retry begins to wait (see
// retryInClaim): it counts the retry as running and calls done, which lets the batch stop
// waiting for the send. late says whether it was called.
func (l *lateRetries[T]) detach(done func()) (detach func(), late func() bool) {
	var detached bool
	return func() {
			if !detached {
				detached = true
				l.mu.Lock()
				l.running++
				l.mu.Unlock()
				done()
			}
		}, func() bool {
			return detached
		}
}

// end adds the outcome of a retry that has ended.
func (l *lateRetries[T]) end(o T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.outs = append(l.outs, o)
	l.running--
	if l.running == 0 {
		l.ended.Broadcast()
	}
}

// wait returns once no retry is running.
func (l *lateRetries[T]) wait() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended.L == nil {
		l.ended.L = &l.mu
	}
	for l.running > 0 {
		l.ended.Wait()
	}
}

// take returns the outcomes ended so far and forgets them.
func (l *lateRetries[T]) take() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	outs := l.outs
	l.outs = nil
	return outs
}

// flushLate waits for the retries still running and records the outcomes not yet recorded.
func (d *Desk) flushLate(ctx context.Context) error {
	d.late.wait()
	outs := d.late.take()
	if len(outs) == 0 {
		return nil
	}
	if err := d.store.FinishNotifications(context.WithoutCancel(ctx), outs); err != nil {
		return fmt.Errorf("dispatch: record outcomes: %w", err)
	}
	return nil
}

// claimNotifications claims one batch of due notifications and returns how many it claimed
// and the function that sends them, which returns the one that records their outcomes
// (DispatchOnce's steps).
func (d *Desk) claimNotifications(ctx context.Context) (int, func() (record func() error), error) {
	cfg := d.cfg.Dispatch
	now := d.clock()
	ns, err := d.store.ClaimNotifications(ctx, now, now.Add(cfg.Lease), cfg.BatchSize)
	if err != nil {
		return 0, nil, fmt.Errorf("dispatch: claim: %w", err)
	}
	if len(ns) == 0 {
		return 0, nil, nil
	}
	return len(ns), func() func() error { return d.dispatch(ctx, ns, now.Add(cfg.Lease)) }, nil
}

// dispatch sends claimed notifications, Config.Dispatch.Concurrency at a time, and returns the
// function that records their outcomes together. A notification whose lease (until) would run out before its send could
// time out is neither sent nor recorded: another dispatcher may claim it once the lease ends,
// and two sends must not overlap. (Only a batch that waited long for its turn gets there.)
func (d *Desk) dispatch(ctx context.Context, ns []*notify.Notification, until time.Time) (record func() error) {
	cfg := d.cfg.Dispatch
	// A tenant's own mail server, read once per batch: a change reaches the next batch.
	mailers := map[uuid.UUID]*mailerOf{}
	for _, n := range ns {
		if n.Channel == notify.Email && d.cfg.TenantMailer != nil && mailers[n.TenantID] == nil {
			m, err := d.tenantMailer(ctx, n.TenantID)
			mailers[n.TenantID] = &mailerOf{m, err}
		}
	}
	outcomes := make([]storage.DeliveryOutcome, len(ns))
	sem := make(chan struct{}, cfg.Concurrency)
	var wg sync.WaitGroup
	for i, n := range ns {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			// Once its first attempt has failed and a retry within the claim waits, the batch
			// stops waiting for this notification: its outcome comes late (lateRetries).
			detach, late := d.late.detach(wg.Done)
			defer func() {
				<-sem
				if !late() {
					wg.Done()
				}
			}()
			if d.clock().Add(cfg.SendTimeout).After(until) {
				return
			}
			o := d.attempt(ctx, n, mailers[n.TenantID], until, sem, detach)
			if late() {
				d.late.end(o)
				return
			}
			outcomes[i] = o
		}()
	}
	wg.Wait()
	outcomes = slices.DeleteFunc(outcomes, func(o storage.DeliveryOutcome) bool { return o.ID == uuid.Nil })
	return func() error {
		// The sends happened: record them even if ctx ended meanwhile, with the retries of
		// earlier batches that have ended since.
		outcomes := append(outcomes, d.late.take()...)
		if len(outcomes) == 0 {
			return nil
		}
		if err := d.store.FinishNotifications(context.WithoutCancel(ctx), outcomes); err != nil {
			return fmt.Errorf("dispatch: record outcomes: %w", err)
		}
		return nil
	}
}

// mailerOf is a tenant's own mail server for a batch: its Mailer (nil for none) or the error
// of reading it.
type mailerOf struct {
	m   notify.Mailer
	err error
}

// attempt sends n and says what became of it. own is the mail server of n's tenant, if it
// has one (nil when not asked). A transient failure whose retry is due within
// Config.Dispatch.PollInterval is retried within the claim (see retryInClaim), giving its
// slot of sem (the sends running) to the others meanwhile; the outcome counts those attempts
// in Retries.
func (d *Desk) attempt(ctx context.Context, n *notify.Notification, own *mailerOf, until time.Time, sem chan struct{}, detach func()) storage.DeliveryOutcome {
	cfg := d.cfg.Dispatch
	o := storage.DeliveryOutcome{ID: n.ID, Attempt: n.Attempts}
	for {
		attempt := n.Attempts + o.Retries
		rec, err := d.send(ctx, n, own, attempt)
		o.At = d.clock()
		switch {
		case err == nil:
			o.Status, o.ProviderID, o.LastError = notify.StatusSent, rec.ProviderID, ""
		case ctx.Err() != nil:
			// Shutting down: not the provider's fault, so another dispatcher may try at once.
			o.Status, o.NextAttemptAt, o.LastError = notify.StatusPending, o.At, err.Error()
		case notify.IsPermanent(err) || attempt >= cfg.MaxAttempts:
			o.Status, o.LastError = notify.StatusFailed, err.Error()
		default:
			o.Status, o.LastError = notify.StatusPending, err.Error()
			wait := backoff(cfg.RetryBackoff, cfg.MaxBackoff, attempt)
			if d.retryInClaim(ctx, wait, cfg.PollInterval, cfg.SendTimeout, until, sem, detach) {
				d.cfg.Observer.Delivered(string(n.Channel), deliveryOutcome(o.Status))
				o.Retries++
				continue
			}
			o.NextAttemptAt = o.At.Add(wait)
		}
		d.cfg.Observer.Delivered(string(n.Channel), deliveryOutcome(o.Status))
		return o
	}
}

// retryInClaim waits out wait, the backoff before a retry, and says the retry is to be made
// now, within the claim, rather than recorded as due later: when it is due within poll (the
// dispatcher would be looking again by then anyway, so waiting here delays nothing and saves
// recording the failure and claiming the retry), and the claim's lease (until) still leaves
// the retry its whole timeout. It returns false at once otherwise, and when ctx ends during
// the wait. While it waits, its slot of sem (held by the caller) serves the batch's other
// sends, so a batch's waits overlap its sends; detach is called as the wait begins.
func (d *Desk) retryInClaim(ctx context.Context, wait, poll, timeout time.Duration, until time.Time, sem chan struct{}, detach func()) bool {
	if wait > poll || d.clock().Add(wait+timeout).After(until) {
		return false
	}
	detach()
	<-sem
	defer func() { sem <- struct{}{} }()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// send hands n to its channel's Notifier within SendTimeout: for e-mail, the tenant's own
// mail server when it has one (own); for push, a notify.PushNotifier gets the recipient's
// subscriptions (see sendPush). A Notifier that panics fails the attempt instead of the
// process.
func (d *Desk) send(ctx context.Context, n *notify.Notification, own *mailerOf, attempt int) (rec notify.Receipt, err error) {
	notifier := d.cfg.Notifiers[n.Channel]
	if n.Channel == notify.Email && own != nil {
		if own.err != nil {
			return rec, own.err
		}
		if own.m != nil {
			notifier = own.m
		}
	}
	if notifier == nil {
		return rec, notify.Permanent(fmt.Errorf("no notifier for the %s channel", n.Channel))
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("notifier panicked: %v", p)
		}
	}()
	sctx, cancel := context.WithTimeout(ctx, d.cfg.Dispatch.SendTimeout)
	defer cancel()
	m := n.Message
	m.Attempt = attempt
	if err := d.unsealLinks(n, &m); err != nil {
		return rec, err
	}
	if pn, ok := notifier.(notify.PushNotifier); ok && n.Channel == notify.Push {
		return d.sendPush(sctx, pn, &m)
	}
	return notifier.Send(sctx, &m)
}

// backoff is the wait before the retry that follows attempt (1 for the first): base doubled
// per attempt, capped at limit, then jittered to between half and all of it, so that
// notifications that failed together do not retry together.
func backoff(base, limit time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	half := d / 2
	return half + rand.N(d-half+1)
}
