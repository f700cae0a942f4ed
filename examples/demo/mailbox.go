package main

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskkit/helpdesk/notify"
)

// mailbox is the demo's Notifier for e-mail and SMS: it keeps the last messages it was given,
// links in place, for the mailbox page, instead of sending them.
type mailbox struct {
	mu   sync.Mutex
	msgs []mail
	seq  atomic.Int64
}

// mail is one message as the mailbox page shows it.
type mail struct {
	At      time.Time
	Channel notify.Channel
	To      string
	Event   notify.Event
	Subject string
	Text    string
	Links   []string
}

// maxMails is how many messages the mailbox keeps.
const maxMails = 200

var linkPattern = regexp.MustCompile(`https?://[^\s"<>]+`)

// Send keeps m.
func (b *mailbox) Send(_ context.Context, m *notify.Message) (notify.Receipt, error) {
	to := m.To.Email
	if m.Channel == notify.SMS {
		to = m.To.Phone
	}
	ml := mail{At: time.Now(), Channel: m.Channel, To: to, Event: m.Event, Subject: m.Subject, Text: m.Text}
	for _, l := range linkPattern.FindAllString(m.Text, -1) {
		if !slices.Contains(ml.Links, l) {
			ml.Links = append(ml.Links, l)
		}
	}
	b.mu.Lock()
	b.msgs = append(b.msgs, ml)
	if len(b.msgs) > maxMails {
		b.msgs = b.msgs[len(b.msgs)-maxMails:]
	}
	b.mu.Unlock()
	return notify.Receipt{ProviderID: "demo-" + strconv.FormatInt(b.seq.Add(1), 10)}, nil
}

// newest returns the kept messages, newest first.
func (b *mailbox) newest() []mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := slices.Clone(b.msgs)
	slices.Reverse(out)
	return out
}
