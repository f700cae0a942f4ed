package main

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
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
	// Parts are Text cut into plain text and links, for the page to show the links in place.
	Parts []textPart
}

// textPart is a piece of a message's text: plain text, or a link when Link is set.
type textPart struct {
	Text string
	Link bool
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
	ml := mail{At: time.Now(), Channel: m.Channel, To: to, Event: m.Event, Subject: m.Subject, Text: m.Text,
		Parts: linkParts(m.Text)}
	b.mu.Lock()
	b.msgs = append(b.msgs, ml)
	if len(b.msgs) > maxMails {
		b.msgs = b.msgs[len(b.msgs)-maxMails:]
	}
	b.mu.Unlock()
	return notify.Receipt{ProviderID: "demo-" + strconv.FormatInt(b.seq.Add(1), 10)}, nil
}

// linkParts cuts text into plain text and the http(s) links in it; a link's trailing
// punctuation stays text, as a mail reader would see it.
func linkParts(text string) []textPart {
	var parts []textPart
	last := 0
	for _, loc := range linkPattern.FindAllStringIndex(text, -1) {
		start, end := loc[0], loc[1]
		for end > start && strings.ContainsRune(".,;:!?)'", rune(text[end-1])) {
			end--
		}
		if start > last {
			parts = append(parts, textPart{Text: text[last:start]})
		}
		parts = append(parts, textPart{Text: text[start:end], Link: true})
		last = end
	}
	if last < len(text) {
		parts = append(parts, textPart{Text: text[last:]})
	}
	return parts
}

// newest returns the kept messages, newest first.
func (b *mailbox) newest() []mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := slices.Clone(b.msgs)
	slices.Reverse(out)
	return out
}
