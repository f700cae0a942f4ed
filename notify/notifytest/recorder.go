package notifytest

import (
	"context"
	"fmt"
	"sync"

	"github.com/deskkit/helpdesk/notify"
)

// Recorder is a [notify.Notifier] that keeps every message it is sent, for users' tests. It
// delivers nothing. Safe for concurrent use; the zero value is not ready, use [NewRecorder].
type Recorder struct {
	mu       sync.Mutex
	messages []notify.Message
	fails    []error
}

var _ notify.Notifier = (*Recorder)(nil)

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Send records a copy of m and returns a Receipt whose ProviderID is "rec-<n>", n counting
// the recorded messages from 1. If errors are queued with [Recorder.FailNext], Send returns
// the next of them instead and records nothing. It returns ctx.Err() without recording when
// ctx is already done, as a real adapter would fail to deliver.
func (r *Recorder) Send(ctx context.Context, m *notify.Message) (notify.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return notify.Receipt{}, fmt.Errorf("notifytest: send %s: %w", m, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.fails) > 0 {
		err := r.fails[0]
		r.fails = r.fails[1:]
		return notify.Receipt{}, err
	}
	r.messages = append(r.messages, *m)
	return notify.Receipt{ProviderID: fmt.Sprintf("rec-%d", len(r.messages))}, nil
}

// FailNext makes the next len(errs) sends fail with errs, in order, after any failures
// already queued. Wrap an error with [notify.Permanent] to simulate a permanent refusal.
func (r *Recorder) FailNext(errs ...error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fails = append(r.fails, errs...)
}

// Messages returns copies of the recorded messages, in the order they were sent.
func (r *Recorder) Messages() []notify.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notify.Message(nil), r.messages...)
}

// Find returns copies of the recorded messages for event ev, in the order they were sent.
func (r *Recorder) Find(ev notify.Event) []notify.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var found []notify.Message
	for _, m := range r.messages {
		if m.Event == ev {
			found = append(found, m)
		}
	}
	return found
}

// Reset forgets the recorded messages and any queued failures, and restarts the receipt
// numbering.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = nil
	r.fails = nil
}
