package notifytest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/notifytest"
)

func message(ev notify.Event, email string) *notify.Message {
	return &notify.Message{Event: ev, Channel: notify.Email, To: notify.Address{Email: email}, Subject: "s", Text: "t"}
}

func TestRecorder(t *testing.T) {
	t.Run("RecordsInOrder", func(t *testing.T) {
		r := notifytest.NewRecorder()
		for i, ev := range []notify.Event{notify.TicketAssigned, notify.CommentAdded, notify.TicketAssigned} {
			rc, err := r.Send(t.Context(), message(ev, fmt.Sprintf("u%d@example.com", i)))
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("rec-%d", i+1), rc.ProviderID)
		}

		got := r.Messages()
		require.Len(t, got, 3)
		assert.Equal(t, "u0@example.com", got[0].To.Email)
		assert.Equal(t, "u2@example.com", got[2].To.Email)
		found := r.Find(notify.TicketAssigned)
		require.Len(t, found, 2)
		assert.Equal(t, "u0@example.com", found[0].To.Email)
		assert.Equal(t, "u2@example.com", found[1].To.Email)
		assert.Empty(t, r.Find(notify.PasswordReset))
	})

	t.Run("KeepsCopies", func(t *testing.T) {
		r := notifytest.NewRecorder()
		m := message(notify.TicketDone, "a@example.com")
		_, err := r.Send(t.Context(), m)
		require.NoError(t, err)

		m.Subject = "changed by the caller"
		got := r.Messages()
		got[0].Subject = "changed by the reader"
		assert.Equal(t, "s", r.Messages()[0].Subject)
	})

	t.Run("FailNext", func(t *testing.T) {
		r := notifytest.NewRecorder()
		errA := errors.New("a")
		errB := notify.Permanent(errors.New("b"))
		r.FailNext(errA, errB)

		_, err := r.Send(t.Context(), message(notify.TicketDone, "a@example.com"))
		assert.ErrorIs(t, err, errA)
		_, err = r.Send(t.Context(), message(notify.TicketDone, "b@example.com"))
		assert.ErrorIs(t, err, errB)
		assert.True(t, notify.IsPermanent(err))
		rc, err := r.Send(t.Context(), message(notify.TicketDone, "c@example.com"))
		require.NoError(t, err)
		assert.Equal(t, "rec-1", rc.ProviderID, "failed sends are not numbered")

		got := r.Messages()
		require.Len(t, got, 1, "failed sends are not recorded")
		assert.Equal(t, "c@example.com", got[0].To.Email)
	})

	t.Run("DoneContext", func(t *testing.T) {
		r := notifytest.NewRecorder()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := r.Send(ctx, message(notify.TicketDone, "a@example.com"))
		assert.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, r.Messages())
	})

	t.Run("Reset", func(t *testing.T) {
		r := notifytest.NewRecorder()
		_, err := r.Send(t.Context(), message(notify.TicketDone, "a@example.com"))
		require.NoError(t, err)
		r.FailNext(errors.New("x"))

		r.Reset()

		assert.Empty(t, r.Messages())
		rc, err := r.Send(t.Context(), message(notify.TicketDone, "b@example.com"))
		require.NoError(t, err, "queued failures are dropped")
		assert.Equal(t, "rec-1", rc.ProviderID)
	})

	t.Run("Concurrent", func(t *testing.T) {
		r := notifytest.NewRecorder()
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() {
				_, err := r.Send(t.Context(), message(notify.TicketDone, fmt.Sprintf("u%d@example.com", i)))
				assert.NoError(t, err)
				_ = r.Messages()
			})
		}
		wg.Wait()
		assert.Len(t, r.Messages(), 50)
	})
}
