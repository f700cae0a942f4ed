package notify_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/deskkit/helpdesk/notify"
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
