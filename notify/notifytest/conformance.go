package notifytest

import (
	"context"
	"fmt"
	"html"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/helpdesk/notify"
)

// Failure is a kind of refusal a [Provider] can be told to make.
type Failure int

// The kinds of refusal.
const (
	// Transient is a refusal that a later retry can overcome, such as an SMTP 4xx reply or an
	// HTTP 429 or 503. The adapter must return an error that is not [notify.Permanent].
	Transient Failure = iota + 1
	// Permanent is a refusal that retrying cannot cure, such as an SMTP 5xx reply or an HTTP
	// 400 naming an invalid number. The adapter must return a [notify.Permanent] error.
	Permanent
)

// String returns "transient" or "permanent".
func (f Failure) String() string {
	switch f {
	case Transient:
		return "transient"
	case Permanent:
		return "permanent"
	}
	return fmt.Sprintf("Failure(%d)", int(f))
}

// Provider is the stand-in provider the adapter under test talks to. It speaks the real
// provider's protocol (SMTP, the provider's HTTP API) on a local address. Its methods are
// called from the test goroutine while the adapter sends from others, so it must be safe for
// concurrent use.
type Provider interface {
	// Accepted returns what the provider accepted, in order. A message the provider refused
	// is not in it.
	Accepted() []Accepted
	// FailNext makes the provider refuse the next send with a transient or permanent failure,
	// the way the real provider does (status code + error body). Each call queues one refusal.
	FailNext(f Failure)
	// Stall makes the provider hold every request until the returned func is called (to test
	// ctx deadlines). The returned func must be safe to call more than once.
	Stall() (release func())
}

// Accepted is one message as the provider received it, decoded from the provider's wire
// format.
type Accepted struct {
	// To is the recipient: the e-mail address (without display name) or the phone number.
	To string
	// Subject is the decoded e-mail subject; empty for SMS.
	Subject string
	// Text is the plain-text body (the e-mail's text part, the SMS), with line breaks as "\n".
	Text string
	// HTML is the decoded e-mail HTML part, with line breaks as "\n"; empty for SMS.
	HTML string
	// IdempotencyKey is the key the provider saw (for e-mail, the Message-ID's local part);
	// empty where the provider has none.
	IdempotencyKey string
}

// Harness connects [RunNotifier] to the adapter under test.
type Harness struct {
	// Channel is the channel the adapter serves: notify.Email or notify.SMS.
	Channel notify.Channel
	// New returns the Notifier under test, connected to a fresh Provider; cleanup via t.Cleanup.
	New func(t *testing.T) (notify.Notifier, Provider)
}

// unicodeText is text that breaks adapters which mangle encodings: umlauts, an en dash, an
// emoji outside the Basic Multilingual Plane and the euro sign (not in GSM 03.38's basic set).
const unicodeText = "Grüße – ñ 😀 €"

// stallBound is how long a Send may take to return after its 200 ms deadline. It is generous
// so that a slow CI machine never fails the check; a Send that ignores ctx never returns.
const stallBound = 10 * time.Second

// RunNotifier runs the conformance suite against the adapter h.New builds, as subtests of t:
//
//   - Delivers: To, Subject (e-mail), Text and HTML (e-mail) arrive unchanged, unicode
//     included, and Send leaves the message as it was.
//   - IdempotencyKey: the provider sees the message's IdempotencyKey, the same one on a
//     retry and a different one for another message. For SMS the provider may see no key
//     at all, since SMS APIs rarely take one; if it sees one, it must be the message's.
//   - Concurrent: 20 goroutines send at once; each message is accepted exactly once.
//   - TransientFailure, PermanentFailure: provider refusals are classified with
//     notify.IsPermanent.
//   - MissingAddress: a message without the channel's address (To.Email, To.Phone) fails
//     with a permanent error, and the provider sees nothing.
//   - ContextDeadline: with the provider stalled, Send returns a transient error soon after
//     its ctx's 200 ms deadline, and works again once the provider is released.
//   - AfterFailureRecovers: after a transient or a permanent refusal, the next Send succeeds.
//
// Each subtest calls h.New for a fresh Notifier and Provider.
func RunNotifier(t *testing.T, h Harness) {
	t.Helper()
	require.Contains(t, []notify.Channel{notify.Email, notify.SMS}, h.Channel,
		"notifytest: Harness.Channel must be notify.Email or notify.SMS")
	require.NotNil(t, h.New, "notifytest: Harness.New is nil")

	t.Run("Delivers", func(t *testing.T) { testDelivers(t, h) })
	t.Run("IdempotencyKey", func(t *testing.T) { testIdempotencyKey(t, h) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, h) })
	t.Run("TransientFailure", func(t *testing.T) { testFailure(t, h, Transient) })
	t.Run("PermanentFailure", func(t *testing.T) { testFailure(t, h, Permanent) })
	t.Run("MissingAddress", func(t *testing.T) { testMissingAddress(t, h) })
	t.Run("ContextDeadline", func(t *testing.T) { testContextDeadline(t, h) })
	t.Run("AfterFailureRecovers", func(t *testing.T) { testAfterFailureRecovers(t, h) })
}

// sendContext bounds every send of the suite, so that a hanging adapter fails the test
// instead of hanging it.
func sendContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newMessage returns a message of channel ch whose recipient and text are unique to n.
func newMessage(ch notify.Channel, n int, text string) *notify.Message {
	id := uuid.New()
	m := &notify.Message{
		ID:             id,
		IdempotencyKey: "conformance-" + id.String(),
		TenantID:       uuid.New(),
		Event:          notify.TicketAssigned,
		Channel:        ch,
		To:             notify.Address{UserID: uuid.New(), Name: "Zoë Müller"},
		Language:       "de",
		Text:           text,
		TicketID:       uuid.New(),
		Attempt:        1,
	}
	switch ch {
	case notify.Email:
		m.To.Email = fmt.Sprintf("user%d@example.com", n)
		m.Subject = fmt.Sprintf("T-%06d: %s", n, unicodeText)
		m.HeaderImage = "https://cdn.example.com/header.png"
		m.HTML = `<!DOCTYPE html><html><body><img src="` + m.HeaderImage + `" alt="">` +
			"<p>" + html.EscapeString(text) + "</p></body></html>"
	case notify.SMS:
		m.To.Phone = fmt.Sprintf("+49301234%04d", n)
	}
	return m
}

// address is the recipient address of m's channel.
func address(m *notify.Message) string {
	if m.Channel == notify.SMS {
		return m.To.Phone
	}
	return m.To.Email
}

func testDelivers(t *testing.T, h Harness) {
	n, p := h.New(t)
	m := newMessage(h.Channel, 1, "Hallo Zoë,\n"+unicodeText+"\nTicket T-000001 ist Ihnen zugewiesen.")
	before := *m

	_, err := n.Send(sendContext(t), m)
	require.NoError(t, err)

	assert.Equal(t, before, *m, "Send changed the message")
	got := p.Accepted()
	require.Len(t, got, 1, "provider should have accepted exactly one message")
	assert.Equal(t, address(m), got[0].To, "recipient")
	assert.Equal(t, m.Text, got[0].Text, "text")
	if h.Channel == notify.Email {
		assert.Equal(t, m.Subject, got[0].Subject, "subject")
		assert.Equal(t, m.HTML, got[0].HTML, "HTML")
	}
}

func testIdempotencyKey(t *testing.T, h Harness) {
	n, p := h.New(t)
	ctx := sendContext(t)
	first := newMessage(h.Channel, 1, "first message")
	retry := *first
	retry.Attempt = 2
	other := newMessage(h.Channel, 2, "another message")

	for _, m := range []*notify.Message{first, &retry, other} {
		_, err := n.Send(ctx, m)
		require.NoError(t, err)
	}

	got := p.Accepted()
	require.Len(t, got, 3)
	if h.Channel == notify.SMS {
		// SMS providers rarely take a key; one that does must get the message's.
		for i, m := range []*notify.Message{first, &retry, other} {
			if got[i].IdempotencyKey != "" {
				assert.Equal(t, m.IdempotencyKey, got[i].IdempotencyKey, "key of message %d", i)
			}
		}
		return
	}
	assert.Equal(t, first.IdempotencyKey, got[0].IdempotencyKey, "key of the first send")
	assert.Equal(t, first.IdempotencyKey, got[1].IdempotencyKey, "key of the retry")
	assert.Equal(t, other.IdempotencyKey, got[2].IdempotencyKey, "key of another message")
}

func testConcurrent(t *testing.T, h Harness) {
	const senders = 20
	n, p := h.New(t)
	ctx := sendContext(t)

	msgs := make([]*notify.Message, senders)
	for i := range msgs {
		msgs[i] = newMessage(h.Channel, i, fmt.Sprintf("concurrent message %02d %s", i, unicodeText))
	}
	errs := make([]error, senders)
	var wg sync.WaitGroup
	for i, m := range msgs {
		wg.Go(func() { _, errs[i] = n.Send(ctx, m) })
	}
	wg.Wait()

	for i, err := range errs {
		assert.NoError(t, err, "send %d", i)
	}
	byText := make(map[string][]Accepted)
	for _, a := range p.Accepted() {
		byText[a.Text] = append(byText[a.Text], a)
	}
	for i, m := range msgs {
		if assert.Len(t, byText[m.Text], 1, "message %d should be accepted exactly once", i) {
			assert.Equal(t, address(m), byText[m.Text][0].To, "recipient of message %d", i)
		}
	}
	assert.Len(t, p.Accepted(), senders, "provider accepted messages that were not sent")
}

func testFailure(t *testing.T, h Harness, f Failure) {
	n, p := h.New(t)
	p.FailNext(f)

	_, err := n.Send(sendContext(t), newMessage(h.Channel, 1, "refused"))

	require.Error(t, err, "provider refused the message (%s)", f)
	assert.Equal(t, f == Permanent, notify.IsPermanent(err),
		"a %s refusal should give notify.IsPermanent(err) == %t; err: %v", f, f == Permanent, err)
	assert.Empty(t, p.Accepted())
}

func testMissingAddress(t *testing.T, h Harness) {
	n, p := h.New(t)
	m := newMessage(h.Channel, 1, "nowhere to go")
	// The other channel's address is set, to catch an adapter that reads the wrong field.
	switch h.Channel {
	case notify.Email:
		m.To.Email, m.To.Phone = "", "+4930123456"
	case notify.SMS:
		m.To.Phone, m.To.Email = "", "user@example.com"
	}

	_, err := n.Send(sendContext(t), m)

	require.Error(t, err, "a message without address must fail")
	assert.True(t, notify.IsPermanent(err), "a missing address is permanent; err: %v", err)
	assert.Empty(t, p.Accepted(), "the provider should see nothing")
}

func testContextDeadline(t *testing.T, h Harness) {
	n, p := h.New(t)
	release := p.Stall()
	t.Cleanup(release)

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := n.Send(ctx, newMessage(h.Channel, 1, "stalled"))
		done <- err
	}()
	guard := time.NewTimer(stallBound)
	defer guard.Stop()
	select {
	case err := <-done:
		require.Error(t, err, "Send returned nil although the provider never answered")
		assert.False(t, notify.IsPermanent(err), "a deadline is transient; err: %v", err)
	case <-guard.C:
		t.Fatalf("Send did not return within %v of its 200ms deadline", stallBound)
	}

	release()
	m := newMessage(h.Channel, 2, "after the stall")
	_, err := n.Send(sendContext(t), m)
	require.NoError(t, err, "Send after the provider was released")
	assert.Contains(t, texts(p.Accepted()), m.Text)
}

func testAfterFailureRecovers(t *testing.T, h Harness) {
	n, p := h.New(t)
	ctx := sendContext(t)

	var want []string
	for i, f := range []Failure{Transient, Permanent} {
		p.FailNext(f)
		_, err := n.Send(ctx, newMessage(h.Channel, 2*i, "refused"))
		require.Error(t, err, "provider refused the message (%s)", f)

		m := newMessage(h.Channel, 2*i+1, fmt.Sprintf("after a %s failure", f))
		_, err = n.Send(ctx, m)
		require.NoError(t, err, "send after a %s failure", f)
		want = append(want, m.Text)
	}
	assert.Equal(t, want, texts(p.Accepted()))
}

func texts(as []Accepted) []string {
	var ts []string
	for _, a := range as {
		ts = append(ts, a.Text)
	}
	return ts
}
