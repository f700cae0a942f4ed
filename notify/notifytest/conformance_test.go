package notifytest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/notify/notifytest"
)

// fakeProvider is an in-memory provider API: it answers like an HTTP API with a status code.
type fakeProvider struct {
	mu       sync.Mutex
	accepted []notifytest.Accepted
	fails    []notifytest.Failure
	stall    chan struct{}
}

var _ notifytest.Provider = (*fakeProvider)(nil)

type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("status %d: %s", e.status, e.body) }

func (p *fakeProvider) submit(ctx context.Context, a notifytest.Accepted) error {
	p.mu.Lock()
	stall := p.stall
	p.mu.Unlock()
	if stall != nil {
		select {
		case <-stall:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.fails) > 0 {
		f := p.fails[0]
		p.fails = p.fails[1:]
		if f == notifytest.Transient {
			return &statusError{503, "try again later"}
		}
		return &statusError{400, "invalid recipient"}
	}
	p.accepted = append(p.accepted, a)
	return nil
}

func (p *fakeProvider) Accepted() []notifytest.Accepted {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]notifytest.Accepted(nil), p.accepted...)
}

func (p *fakeProvider) FailNext(f notifytest.Failure) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails = append(p.fails, f)
}

func (p *fakeProvider) Stall() func() {
	p.mu.Lock()
	defer p.mu.Unlock()
	stall := make(chan struct{})
	p.stall = stall
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			close(stall)
			p.stall = nil
		})
	}
}

// fakeAdapter is a correct adapter for fakeProvider unless mutant names a defect.
type fakeAdapter struct {
	p       *fakeProvider
	channel notify.Channel
	mutant  string

	mu     sync.Mutex
	sends  int
	failed bool
}

func (a *fakeAdapter) Send(ctx context.Context, m *notify.Message) (notify.Receipt, error) {
	acc := notifytest.Accepted{To: m.To.Email, Text: m.Text, IdempotencyKey: m.IdempotencyKey}
	if a.channel == notify.SMS {
		acc.To = m.To.Phone
	} else {
		acc.Subject, acc.HTML = m.Subject, m.HTML
	}
	a.mu.Lock()
	a.sends++
	sends, failed := a.sends, a.failed
	a.mu.Unlock()

	switch a.mutant {
	case "ascii":
		acc.Text = strings.Map(func(r rune) rune {
			if r > 127 {
				return '?'
			}
			return r
		}, acc.Text)
	case "nosubject":
		acc.Subject = ""
	case "nohtml":
		acc.HTML = ""
	case "wrongfield": // reads the other channel's address
		acc.To = m.To.Phone
		if a.channel == notify.SMS {
			acc.To = m.To.Email
		}
	case "mutates":
		m.Attempt++
	case "nokey":
		acc.IdempotencyKey = ""
	case "idaskey":
		acc.IdempotencyKey = m.ID.String()
	case "keyperattempt":
		acc.IdempotencyKey = fmt.Sprintf("%s-%d", m.IdempotencyKey, m.Attempt)
	case "lossy":
		if sends%5 == 0 {
			return notify.Receipt{}, nil
		}
	case "ignorectx":
		ctx = context.Background()
	case "sticky":
		if failed {
			return notify.Receipt{}, errors.New("adapter broken since the last failure")
		}
	}
	if acc.To == "" && a.mutant != "noaddrcheck" {
		return notify.Receipt{}, notify.Permanent(fmt.Errorf("send %s: no address", m))
	}

	err := a.p.submit(ctx, acc)
	if a.mutant == "double" && err == nil {
		err = a.p.submit(ctx, acc)
	}
	if err != nil {
		a.mu.Lock()
		a.failed = true
		a.mu.Unlock()
		err = fmt.Errorf("send %s: %w", m, err)
		var se *statusError
		permanent := errors.As(err, &se) && se.status < 500 && se.status != 429
		switch a.mutant {
		case "alltransient":
			permanent = false
		case "allpermanent":
			permanent = true
		case "swallow":
			return notify.Receipt{}, nil
		case "ctxpermanent":
			permanent = permanent || errors.Is(err, context.DeadlineExceeded)
		}
		if permanent {
			return notify.Receipt{}, notify.Permanent(err)
		}
		return notify.Receipt{}, err
	}
	return notify.Receipt{ProviderID: fmt.Sprint("fake-", sends)}, nil
}

func harness(ch notify.Channel, mutant string) notifytest.Harness {
	return notifytest.Harness{
		Channel: ch,
		New: func(t *testing.T) (notify.Notifier, notifytest.Provider) {
			p := &fakeProvider{}
			return &fakeAdapter{p: p, channel: ch, mutant: mutant}, p
		},
	}
}

func TestRunNotifier(t *testing.T) {
	for _, ch := range []notify.Channel{notify.Email, notify.SMS} {
		t.Run(string(ch), func(t *testing.T) {
			notifytest.RunNotifier(t, harness(ch, ""))
		})
	}
}

// mutantEnv names the broken adapter TestMutantChild runs the suite against, as
// "channel:mutant".
const mutantEnv = "HELPDESK_NOTIFYTEST_MUTANT"

// TestMutantChild runs the suite against a broken adapter in a child process started by
// TestSuiteCatchesBrokenAdapters, which reads its verdict.
func TestMutantChild(t *testing.T) {
	spec := os.Getenv(mutantEnv)
	if spec == "" {
		t.Skip("run by TestSuiteCatchesBrokenAdapters")
	}
	ch, mutant, _ := strings.Cut(spec, ":")
	notifytest.RunNotifier(t, harness(notify.Channel(ch), mutant))
}

// TestSuiteCatchesBrokenAdapters shows that each check of the suite fails for an adapter with
// the defect it is there to catch.
func TestSuiteCatchesBrokenAdapters(t *testing.T) {
	tests := []struct {
		channel  notify.Channel
		mutant   string
		wantFail string
	}{
		{notify.Email, "ascii", "Delivers"},
		{notify.SMS, "ascii", "Delivers"},
		{notify.Email, "nosubject", "Delivers"},
		{notify.Email, "nohtml", "Delivers"},
		{notify.Email, "wrongfield", "Delivers"},
		{notify.Email, "mutates", "Delivers"},
		{notify.Email, "double", "Delivers"},
		{notify.Email, "nokey", "IdempotencyKey"},
		{notify.Email, "keyperattempt", "IdempotencyKey"},
		{notify.SMS, "idaskey", "IdempotencyKey"},
		{notify.Email, "lossy", "Concurrent"},
		{notify.Email, "allpermanent", "TransientFailure"},
		{notify.Email, "swallow", "TransientFailure"},
		{notify.Email, "alltransient", "PermanentFailure"},
		{notify.Email, "noaddrcheck", "MissingAddress"},
		{notify.SMS, "wrongfield", "MissingAddress"},
		{notify.Email, "ignorectx", "ContextDeadline"},
		{notify.Email, "ctxpermanent", "ContextDeadline"},
		{notify.Email, "sticky", "AfterFailureRecovers"},
	}
	for _, tt := range tests {
		t.Run(string(tt.channel)+"_"+tt.mutant, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMutantChild$", "-test.v")
			cmd.Env = append(os.Environ(), mutantEnv+"="+string(tt.channel)+":"+tt.mutant)
			out, err := cmd.CombinedOutput()

			require.Error(t, err, "the suite passed a broken adapter:\n%s", out)
			assert.Contains(t, string(out), "--- FAIL: TestMutantChild/"+tt.wantFail+" ",
				"the %s check should have failed:\n%s", tt.wantFail, out)
		})
	}
}
