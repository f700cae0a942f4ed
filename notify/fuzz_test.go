package notify_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/deskkit/helpdesk/notify"
	"github.com/rivo/uniseg"
)

// forbidden is the value given to every catalogue tag an event does not offer: a template that
// compiles may not show it, whatever it holds.
const forbidden = "\x1eFORBIDDEN\x1e"

// FuzzTemplate compiles random templates on every event and channel, as
// SaveNotificationTemplate does. A template is either refused with a *TemplateError or it
// renders, with the sample data and with the fuzzed value in every tag, without an error; it
// never shows a tag its event does not offer, its subject stays on one line and its link is safe.
func FuzzTemplate(f *testing.F) {
	for _, s := range []struct {
		ev, ch                         uint8
		subject, text, html, link, val string
	}{
		{0, 0, "New ticket {{.ticket_ref}}", "{{.title}}\n{{if .description}}{{.description}}{{else}}-{{end}}", "", "", "x"},
		{9, 0, "On {{.ticket_ref}}", "{{.comment}}", "<p>{{.comment}}</p><a href=\"{{.ticket_link}}\">open</a>", "", "<b>&amp;"},
		{9, 0, "s", "t", "<a href=\"{{.ticket_link}}", "", "javascript:alert(1)"},
		{9, 0, "s", "t", "<script>var x = {{.title}};</script><style>{{.title}}</style>", "", "\"'</script>"},
		{3, 1, "", "{{.ticket_ref}} accepted: {{.request_link}}", "", "", "€"},
		{3, 2, "Hi {{.recipient_name}}", "{{.title}}", "", "{{.ticket_link}}", "//evil.example"},
		{3, 3, "Hi", "{{.title}}", "", "/tickets/{{.ticket_id}}", "../x"},
		{3, 3, "Hi", "{{.title}}", "", "{{.comment}}", "javascript:x"},
		{22, 0, "{{.foo}}", "t", "", "", ""},
		{22, 0, "{{.ticket_ref}}", "t", "", "", ""},
		{0, 0, "{{define \"x\"}}y{{end}}", "{{template \"x\"}}", "", "", ""},
		{0, 0, "{{range .title}}{{end}}", "{{.title | printf \"%s\"}}", "", "", ""},
		{0, 0, "{{$x := .title}}", "{{len .title}}", "{{block \"b\" .}}{{end}}", "", ""},
		{0, 0, "{{if .title}}{{.title}}", "{{/* c */}}", "<!-- {{.title}} -->", "", ""},
		{0, 0, "{{.title.x}}", "{{index . \"title\"}}", "{{with .title}}{{.}}{{end}}", "", ""},
		{0, 0, "{{ .title }}\r\n", "{{- .title -}}", "<img src=\"{{.support_link}}\" alt='{{.title}}'>", "", "a\nb"},
	} {
		f.Add(s.ev, s.ch, s.subject, s.text, s.html, s.link, s.val)
	}
	events, channels := notify.Catalogue(), notify.Channels()
	f.Fuzz(func(t *testing.T, ev, ch uint8, subject, text, html, link, val string) {
		spec := events[int(ev)%len(events)]
		tmpl := &notify.Template{Event: spec.Event, Channel: channels[int(ch)%len(channels)], Language: "en",
			Subject: subject, Text: text, HTML: html, Link: link}
		c, err := notify.Compile(tmpl)
		if err != nil {
			var te *notify.TemplateError
			if !errors.As(err, &te) || !errors.Is(err, notify.ErrInvalidTemplate) {
				t.Fatalf("Compile: %v is not a *TemplateError", err)
			}
			return
		}
		sample := notify.SampleData()
		fuzzed := notify.Data{}
		for _, info := range notify.Tags() {
			offered := false
			for _, tag := range spec.Tags {
				offered = offered || tag == info.Tag
			}
			switch {
			case !offered:
				sample[info.Tag], fuzzed[info.Tag] = forbidden, forbidden
			case utf8.ValidString(val):
				fuzzed[info.Tag] = val
			}
		}
		for name, d := range map[string]notify.Data{"sample": sample, "fuzzed": fuzzed} {
			r, err := c.Render(d)
			if err != nil {
				t.Fatalf("Render(%s) of a compiled template: %v", name, err)
			}
			for field, out := range map[string]string{"subject": r.Subject, "text": r.Text, "html": r.HTML, "link": r.Link} {
				if strings.Contains(out, forbidden) {
					t.Fatalf("Render(%s) %s shows a tag the event %s does not offer: %q", name, field, spec.Event, out)
				}
			}
			if strings.ContainsAny(r.Subject, "\r\n") {
				t.Fatalf("Render(%s) subject spans lines: %q", name, r.Subject)
			}
			if !notify.SafeLink(r.Link) {
				t.Fatalf("Render(%s) link is not safe: %q", name, r.Link)
			}
		}
		if s, err := notify.CompileSnippet(subject, text); err == nil {
			if _, _, err := s.Render(fuzzed); err != nil {
				t.Fatalf("Snippet.Render of a compiled snippet: %v", err)
			}
		} else if !errors.Is(err, notify.ErrInvalidTemplate) {
			t.Fatalf("CompileSnippet: %v does not wrap ErrInvalidTemplate", err)
		}
	})
}

// smsCost is an independent, simple reckoning of a string in an SMS encoding: whether GSM-7
// carries it and its septets, and its UTF-16 units (a byte that is not UTF-8 is U+FFFD).
func smsCost(s string) (gsm bool, septets, units int) {
	gsm = true
	for _, r := range s {
		switch {
		case strings.ContainsRune(gsmExtension, r):
			septets += 2
		case strings.ContainsRune(gsmBasic, r) && r != utf8.RuneError:
			septets++
		default:
			gsm = false
		}
	}
	return gsm, septets, len(utf16.Encode([]rune(s)))
}

// FuzzSegments checks CountSegments and SplitSegments against smsCost and against each other:
// the encoding and units agree with smsCost; a non-empty body takes at least one segment, at
// least as many as its units need; the parts concatenate to the body, number the counted
// segments, each fits its SMS, begin at a grapheme boundary (unless inside a cluster longer
// than a part) and are packed greedily (the next part's first cluster would not have fit).
func FuzzSegments(f *testing.F) {
	for _, s := range []string{
		"", "a", rep("a", 160), rep("a", 161), rep("€", 80), rep("€", 81) + "a", rep("a", 152) + "€",
		rep("é", 70), rep("ç", 71), "Grüße, Ådne", "tab\there", "back`tick", "\r\n", rep("a\r\n", 60),
		rep(grin, 35), rep("a", 66) + grin + "b", rep(family, 9), rep(flagDE+flagFR+flagIT, 6),
		rep(eAcute, 40), "e" + rep("\u0301", 200), rep("\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", 5),
		"caf\xe9", rep("\xff", 100), "\xed\xa0\x80", rep("a", 152) + "\xe2\x82", rep("{}", 80) + "x",
		"Ticket T-000123 accepted: https://desk.example/requests/9Qm2xYv",
		"Termin für Ihr Ticket T-000123: 24.11.2026 09:30. Zusagen: https://desk.example/s/4kTz/accept",
		"Zgłoszenie T-000123 przyjęte. Dziękujemy!",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got := notify.CountSegments(body)
		gsm, septets, units := smsCost(body)
		limit, single := 67, 70
		wantEnc, wantUnits := notify.EncodingUCS2, units
		if gsm {
			limit, single = 153, 160
			wantEnc, wantUnits = notify.EncodingGSM7, septets
		}
		if got.Encoding != wantEnc || got.Units != wantUnits {
			t.Fatalf("CountSegments(%q) = %+v, want %s with %d units", body, got, wantEnc, wantUnits)
		}
		switch {
		case body == "" && got.Segments != 0:
			t.Fatalf("empty body: %d segments", got.Segments)
		case body != "" && got.Segments < 1:
			t.Fatalf("non-empty body: %d segments", got.Segments)
		case got.Units <= single && body != "" && got.Segments != 1:
			t.Fatalf("%d units fit one SMS, counted %d", got.Units, got.Segments)
		case got.Units > single && got.Segments < (got.Units+limit-1)/limit:
			t.Fatalf("%d units counted in %d segments of %d", got.Units, got.Segments, limit)
		}
		cost := func(s string) int {
			_, sep, u := smsCost(s)
			if gsm {
				return sep
			}
			return u
		}
		parts := notify.SplitSegments(body)
		if len(parts) != got.Segments || strings.Join(parts, "") != body {
			t.Fatalf("SplitSegments(%q) = %q, not the body in %d segments", body, parts, got.Segments)
		}
		if len(parts) < 2 {
			return
		}
		// The grapheme clusters of the body, by start offset.
		clusterAt := map[int]string{}
		for g := uniseg.NewGraphemes(body); g.Next(); {
			from, _ := g.Positions()
			clusterAt[from] = g.Str()
		}
		off := 0
		for i, p := range parts {
			if p == "" || cost(p) > limit {
				t.Fatalf("part %d of %q is empty or over %d units: %q (%d)", i, body, limit, p, cost(p))
			}
			off += len(p)
			if i == len(parts)-1 {
				break
			}
			next := parts[i+1]
			c, boundary := clusterAt[off]
			if !boundary || cost(c) > limit {
				// Inside or at a cluster too long for any part: cut between code points.
				if !boundary && !insideLongCluster(clusterAt, off, cost, limit) {
					t.Fatalf("part %d of %q begins inside a grapheme cluster: %q", i+1, body, parts)
				}
				r, n := utf8.DecodeRuneInString(next)
				c = next[:n]
				if r == utf8.RuneError && n == 1 {
					c = "\uFFFD"
				}
			}
			if cost(p)+cost(c) <= limit {
				t.Fatalf("part %d of %q has room for %q, which starts part %d: %q", i, body, c, i+1, parts)
			}
		}
	})
}

// insideLongCluster reports whether byte offset off falls inside a grapheme cluster costing
// more than limit.
func insideLongCluster(clusterAt map[int]string, off int, cost func(string) int, limit int) bool {
	for start, c := range clusterAt {
		if start < off && off < start+len(c) {
			return cost(c) > limit
		}
	}
	return false
}
