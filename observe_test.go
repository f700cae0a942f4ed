package helpdesk_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/deskkit/helpdesk"
	"github.com/deskkit/helpdesk/storage"
	"github.com/deskkit/helpdesk/storage/bunstore"
	"github.com/deskkit/helpdesk/ticket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// observed records what an Observer is told.
type observed struct {
	mu        sync.Mutex
	delivered map[string]int // "channel outcome" → attempts
	fired     map[ticket.TimerKind][]time.Duration
}

func newObserved() *observed {
	return &observed{delivered: map[string]int{}, fired: map[ticket.TimerKind][]time.Duration{}}
}

func (o *observed) Delivered(channel string, outcome helpdesk.Outcome) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.delivered[channel+" "+string(outcome)]++
}

func (o *observed) TimerFired(kind ticket.TimerKind, lag time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fired[kind] = append(o.fired[kind], lag)
}

// TestObserver checks Config.Observer: each delivery attempt with its outcome (sent, retry,
// failed), each timer fired with its lag behind its due time, and the backlog counts that
// the gauges read.
func TestObserver(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		ctx := t.Context()
		obs := newObserved()
		f := newNotifyFixture(t, s, helpdesk.Config{Observer: obs,
			Dispatch: helpdesk.DispatchConfig{MaxAttempts: 2, RetryBackoff: time.Minute}})
		tk := f.submit(t, "Pump alarms")

		b, err := f.desk.Backlog(ctx, time.Hour)
		require.NoError(t, err)
		require.NotEmpty(t, b.Notifications)
		due := 0
		for _, c := range b.Notifications {
			if c.Channel == "email" && c.Status == storage.BacklogDue {
				due = c.Count
			}
		}
		assert.Positive(t, due, "the submission's e-mails wait: %+v", b.Notifications)

		f.mail.FailNext(errors.New("421 try later"))
		n, err := f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		require.Positive(t, n)
		f.clock.Advance(time.Hour)
		f.mail.FailNext(errors.New("421 still"))
		_, err = f.desk.DispatchOnce(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[string]int{"email sent": n - 1, "email retry": 1, "email failed": 1}, obs.delivered)

		b, err = f.desk.Backlog(ctx, time.Hour)
		require.NoError(t, err)
		assert.Contains(t, b.Notifications, storage.OutboxCount{Channel: "email", Status: storage.BacklogFailed, Count: 1})

		timers, err := f.desk.Timers(ctx, f.admin, tk.ID)
		require.NoError(t, err)
		require.NotEmpty(t, timers)
		last := timers[len(timers)-1].DueAt
		f.clock.Advance(last.Sub(f.clock.Now()) + 5*time.Second)
		b, err = f.desk.Backlog(ctx, time.Hour)
		require.NoError(t, err)
		assert.NotEmpty(t, b.TimersDue, "the ticket's timers are due")
		_, err = f.desk.FireTimersOnce(ctx)
		require.NoError(t, err)
		for _, tm := range timers {
			lags := obs.fired[tm.Kind]
			if assert.NotEmpty(t, lags, "%s fired", tm.Kind) {
				assert.Contains(t, lags, f.clock.Now().Sub(tm.DueAt), "%s: the lag is the firing time less the due time", tm.Kind)
			}
		}
	})
}

// TestReady checks Desk.Ready: ready on a migrated database, ErrNotReady (unavailable) once
// the database is closed.
func TestReady(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *bunstore.Store) {
		d, _ := newDesk(t, s)
		require.NoError(t, d.Ready(t.Context()))
		require.NoError(t, s.Close())
		err := d.Ready(t.Context())
		require.ErrorIs(t, err, helpdesk.ErrNotReady)
		assert.Equal(t, helpdesk.KindUnavailable, helpdesk.KindOf(err))
		assert.Contains(t, err.Error(), "database")
	})
}
