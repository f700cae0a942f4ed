package notify_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/deskkit/helpdesk/notify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func emailTemplate(text string) *notify.Template {
	return &notify.Template{Event: notify.CommentAdded, Channel: notify.Email, Language: "en", Subject: "On {{.ticket_ref}}", Text: text}
}

func TestCompileRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		t     notify.Template
		field string
		want  string
	}{
		{"unknown event", notify.Template{Event: "ticket.exploded", Channel: notify.Email, Language: "en", Subject: "s", Text: "t"}, "event", "not an event"},
		{"unknown channel", notify.Template{Event: notify.CommentAdded, Channel: "fax", Language: "en", Subject: "s", Text: "t"}, "channel", "not a channel"},
		{"bad language", notify.Template{Event: notify.CommentAdded, Channel: notify.Email, Language: "English", Subject: "s", Text: "t"}, "language", "language tag"},
		{"email without subject", notify.Template{Event: notify.CommentAdded, Channel: notify.Email, Language: "en", Text: "t"}, "subject", "required"},
		{"sms with subject", notify.Template{Event: notify.CommentAdded, Channel: notify.SMS, Language: "en", Subject: "s", Text: "t"}, "subject", "not used"},
		{"sms with html", notify.Template{Event: notify.CommentAdded, Channel: notify.SMS, Language: "en", Text: "t", HTML: "<p>x</p>"}, "html", "not used"},
		{"inapp without text", notify.Template{Event: notify.CommentAdded, Channel: notify.InApp, Language: "en", Subject: "s", Text: "  "}, "text", "required"},
		{"header image not a URL", notify.Template{Event: notify.CommentAdded, Channel: notify.Email, Language: "en", Subject: "s", Text: "t", HeaderImage: "javascript:alert(1)"}, "header_image", "http(s) URL"},
		{"javascript link", notify.Template{Event: notify.CommentAdded, Channel: notify.InApp, Language: "en", Subject: "s", Text: "t", Link: "javascript:alert(1)"}, "link", "http(s) URL or a path"},
		{"link to a tag that is no URL", notify.Template{Event: notify.CommentAdded, Channel: notify.Push, Language: "en", Subject: "s", Text: "t", Link: "{{.title}}"}, "link", "http(s) URL or a path"},
		{"protocol-relative link", notify.Template{Event: notify.CommentAdded, Channel: notify.InApp, Language: "en", Subject: "s", Text: "t", Link: "//evil.example/x"}, "link", "http(s) URL or a path"},
		{"syntax error", *emailTemplate("Hello {{.title"), "text", "unclosed action"},
		{"function call", *emailTemplate(`{{printf "%s" .title}}`), "text", "only tags"},
		{"pipeline", *emailTemplate(`{{.title | html}}`), "text", "only tags"},
		{"call builtin", *emailTemplate(`{{call .title}}`), "text", "only tags"},
		{"variable", *emailTemplate(`{{$x := .title}}{{$x}}`), "text", "only tags"},
		{"range", *emailTemplate(`{{range .title}}x{{end}}`), "text", "not allowed"},
		{"with", *emailTemplate(`{{with .title}}x{{end}}`), "text", "not allowed"},
		{"define", *emailTemplate(`{{define "x"}}y{{end}}z`), "text", "not allowed"},
		{"nested template", *emailTemplate(`{{template "x"}}`), "text", "not allowed"},
		{"nested field", *emailTemplate(`{{.title.Len}}`), "text", "only tags"},
		{"dot", *emailTemplate(`{{.}}`), "text", "only tags"},
		{"if on a function", *emailTemplate(`{{if eq .title "x"}}y{{end}}`), "text", "only tags"},
		{"unknown tag in else branch", *emailTemplate(`{{if .comment}}a{{else}}{{.password}}{{end}}`), "text", "unknown tag {{.password}}"},
		{"unknown tag in html", notify.Template{Event: notify.CommentAdded, Channel: notify.Email, Language: "en", Subject: "s", Text: "t", HTML: `<a href="{{.secret}}">x</a>`}, "html", "unknown tag {{.secret}}"},
		{"tag of another event", *emailTemplate(`{{.accept_link}}`), "text", "unknown tag {{.accept_link}}"},
		{"tag in subject", notify.Template{Event: notify.CommentAdded, Channel: notify.Email, Language: "en", Subject: "{{.Subject}}", Text: "t"}, "subject", "unknown tag"},
		{"html tag inside an unclosed attribute", notify.Template{Event: notify.CommentAdded, Channel: notify.Email, Language: "en", Subject: "s", Text: "t", HTML: `<a href="{{.ticket_link}}`}, "html", "ends inside an HTML tag"},
		{"html tag in an unclosed script", notify.Template{Event: notify.CommentAdded, Channel: notify.Email, Language: "en", Subject: "s", Text: "t", HTML: `<script>var t = {{.title}}`}, "html", "ends inside"},
		{"too long", *emailTemplate(strings.Repeat("x", notify.MaxTextLen+1)), "text", "longer than"},
		{"invalid UTF-8", *emailTemplate("caf\xe9"), "text", "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := notify.Compile(&tc.t)
			require.Error(t, err)
			assert.ErrorIs(t, err, notify.ErrInvalidTemplate)
			var te *notify.TemplateError
			require.True(t, errors.As(err, &te))
			assert.Equal(t, tc.field, te.Field)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestSafeLink(t *testing.T) {
	for link, want := range map[string]bool{
		"": true, "https://desk.example/tickets/1": true, "http://localhost:8080/x?a=1": true, "/tickets/1": true,
		"javascript:alert(1)": false, "JavaScript:alert(1)": false, "data:text/html,x": false, "//evil.example": false,
		"/\\evil.example": false, "https://": false, "tickets/1": false, " /tickets/1": false, "/a b": false,
		"vbscript:x": false, "java\tscript:x": false,
	} {
		assert.Equal(t, want, notify.SafeLink(link), "%q", link)
	}
	// A tag's value cannot turn a link into a script: the rendered link is dropped.
	c, err := notify.Compile(&notify.Template{Event: notify.CommentAdded, Channel: notify.InApp, Language: "en",
		Subject: "s", Text: "t", Link: "{{.ticket_link}}"})
	require.NoError(t, err)
	r, err := c.Render(notify.Data{notify.TagTicketLink: "javascript:alert(1)"})
	require.NoError(t, err)
	assert.Empty(t, r.Link)
	r, err = c.Render(notify.Data{notify.TagTicketLink: "https://desk.example/tickets/1"})
	require.NoError(t, err)
	assert.Equal(t, "https://desk.example/tickets/1", r.Link)
}

func TestUnknownTagListsValidOnes(t *testing.T) {
	_, err := notify.Compile(emailTemplate("{{.ticket_reference}}"))
	var te *notify.TemplateError
	require.True(t, errors.As(err, &te))
	assert.Equal(t, "ticket_reference", te.Tag)
	spec, _ := notify.Lookup(notify.CommentAdded)
	assert.Equal(t, spec.Tags, te.Valid)
	assert.Contains(t, te.Error(), "valid tags: request_link, ticket_ref, ticket_id,")
	assert.Contains(t, te.Error(), "comment")
}

func TestRenderEscapesHTML(t *testing.T) {
	data := notify.Data{notify.TagTitle: `<script>alert("x")</script>`, notify.TagTicketRef: "T-000001",
		notify.TagTicketLink: `javascript:alert(1)`, notify.TagComment: "a & b\n\nsecond https://desk.example/x?a=1&b=2."}
	t.Run("own HTML", func(t *testing.T) {
		tmpl := emailTemplate("{{.title}}")
		tmpl.HTML = `<h1>{{.title}}</h1><a href="{{.ticket_link}}">open</a>`
		c, err := notify.Compile(tmpl)
		require.NoError(t, err)
		r, err := c.Render(data)
		require.NoError(t, err)
		assert.NotContains(t, r.HTML, "<script>")
		assert.Contains(t, r.HTML, "&lt;script&gt;")
		assert.NotContains(t, r.HTML, `href="javascript:`, "unsafe URLs are filtered in attributes")
		assert.Equal(t, `<script>alert("x")</script>`, r.Text, "text parts are not HTML")
	})
	t.Run("layout from text", func(t *testing.T) {
		c, err := notify.Compile(emailTemplate("{{.title}}\n\n{{.comment}}"))
		require.NoError(t, err)
		r, err := c.Render(data)
		require.NoError(t, err)
		assert.NotContains(t, r.HTML, "<script>")
		assert.Contains(t, r.HTML, "&lt;script&gt;")
		assert.Contains(t, r.HTML, "a &amp; b")
		assert.Contains(t, r.HTML, `<a href="https://desk.example/x?a=1&amp;b=2"`, "links are clickable, without the full stop")
		assert.Equal(t, 3, strings.Count(r.HTML, "<p "), "one paragraph per blank-line block")
	})
}

func TestRenderMissingTagsAreEmpty(t *testing.T) {
	c, err := notify.Compile(emailTemplate("[{{.comment}}]{{if .manager_name}} by {{.manager_name}}{{else}} by nobody{{end}}"))
	require.NoError(t, err)
	r, err := c.Render(notify.Data{})
	require.NoError(t, err)
	assert.Equal(t, "[] by nobody", r.Text)
	assert.NotContains(t, r.Text, "no value")
}

func TestSubjectStaysOnOneLine(t *testing.T) {
	tmpl := emailTemplate("x")
	tmpl.Subject = "Re: {{.title}}"
	c, err := notify.Compile(tmpl)
	require.NoError(t, err)
	r, err := c.Render(notify.Data{notify.TagTitle: "two\r\nlines\nBcc: victim@example.com"})
	require.NoError(t, err)
	assert.Equal(t, "Re: two lines Bcc: victim@example.com", r.Subject, "no header injection through a tag")
}

func TestDefaultsCoverCatalogue(t *testing.T) {
	sample := notify.SampleData()
	for _, ev := range notify.Events() {
		for _, ch := range notify.Channels() {
			for _, lang := range notify.DefaultLanguages() {
				tmpl, ok := notify.Default(ev, ch, lang)
				require.True(t, ok, "%s %s %s", ev, ch, lang)
				c, err := notify.Compile(&tmpl)
				require.NoError(t, err, "%s %s %s", ev, ch, lang)
				r, err := c.Render(sample)
				require.NoError(t, err)
				assert.NotEmpty(t, r.Text, "%s %s %s", ev, ch, lang)
				if ch == notify.Email {
					assert.NotEmpty(t, r.Subject)
					assert.Contains(t, r.HTML, "<html>")
				}
				if ch == notify.SMS {
					assert.LessOrEqual(t, notify.CountSegments(r.Text).Segments, 3, "%s %s: %q", ev, lang, r.Text)
				}
			}
		}
	}
}

func TestDefaultsAreTranslated(t *testing.T) {
	for _, ev := range notify.Events() {
		en, _ := notify.Default(ev, notify.Email, "en")
		for _, lang := range notify.DefaultLanguages()[1:] {
			tr, _ := notify.Default(ev, notify.Email, lang)
			assert.NotEqual(t, en.Text, tr.Text, "%s in %s is still English", ev, lang)
		}
	}
}

func TestPickFallsBack(t *testing.T) {
	own := []*notify.Template{
		{Event: notify.TicketClosed, Channel: notify.Email, Language: "de", Subject: "Eigenes {{.ticket_ref}}", Text: "eigen", Enabled: true},
		{Event: notify.TicketClosed, Channel: notify.Email, Language: "fr", Subject: "Propre", Text: "propre", Enabled: false},
		{Event: notify.TicketClosed, Channel: notify.SMS, Language: "en", Text: "own sms", Enabled: true},
	}
	text := func(c *notify.Compiled) string { return c.Template().Text }
	for _, tc := range []struct {
		name  string
		ch    notify.Channel
		langs []string
		want  func() string
	}{
		{"tenant template in the recipient's language", notify.Email, []string{"de", "en"}, func() string { return "eigen" }},
		{"disabled tenant template gives the default", notify.Email, []string{"fr"}, func() string { d, _ := notify.Default(notify.TicketClosed, notify.Email, "fr"); return d.Text }},
		{"recipient language without default falls to the tenant's", notify.Email, []string{"it", "de"}, func() string { return "eigen" }},
		{"nothing known falls to English", notify.Email, []string{"it", "nl"}, func() string { d, _ := notify.Default(notify.TicketClosed, notify.Email, "en"); return d.Text }},
		{"empty languages are skipped", notify.Email, []string{"", ""}, func() string { d, _ := notify.Default(notify.TicketClosed, notify.Email, "en"); return d.Text }},
		{"default in recipient language beats tenant template in English", notify.SMS, []string{"es", "en"}, func() string { d, _ := notify.Default(notify.TicketClosed, notify.SMS, "es"); return d.Text }},
		{"tenant template in English when asked for it", notify.SMS, []string{"it"}, func() string { return "own sms" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := notify.Pick(own, notify.TicketClosed, tc.ch, tc.langs...)
			require.NoError(t, err)
			assert.Equal(t, tc.want(), text(c))
		})
	}
	_, err := notify.Pick(nil, "nope", notify.Email, "en")
	assert.Error(t, err)
}

func TestSwitches(t *testing.T) {
	var s notify.Switches
	assert.True(t, s.On(notify.TicketAccepted, notify.SMS), "catalogue default")
	assert.False(t, s.On(notify.TicketRequested, notify.SMS), "catalogue default")
	assert.False(t, s.On("nope", notify.Email))
	s = s.Set(notify.TicketAccepted, notify.SMS, false).Set(notify.TicketRequested, notify.SMS, true)
	assert.False(t, s.On(notify.TicketAccepted, notify.SMS))
	assert.True(t, s.On(notify.TicketRequested, notify.SMS))
	assert.True(t, s.On(notify.TicketAccepted, notify.Email), "other channels keep their default")
	require.NoError(t, s.Check())
	assert.Error(t, notify.Switches{"nope": {notify.Email: true}}.Check())
	assert.Error(t, notify.Switches{notify.TicketDone: {"fax": true}}.Check())
}

func TestCatalogueIsDomainMD(t *testing.T) {
	// docs/concepts.md, "Notifications": the 26 events with their recipients.
	want := map[notify.Event][]notify.Party{
		notify.TicketRequested: {notify.Supervisor}, notify.TicketOffered: {notify.Offered},
		notify.TicketAssigned: {notify.Agent}, notify.TicketAccepted: {notify.Requester},
		notify.TicketDone: {notify.Requester}, notify.TicketCreatedForCustomer: {notify.CustomerAdmins},
		notify.TicketRejected: {notify.Requester}, notify.TicketClosed: {notify.Requester},
		notify.TicketAutoClosed: {notify.Requester}, notify.CommentAdded: {notify.OtherParty},
		notify.SessionRequested: {notify.Supervisor}, notify.SessionConfirmed: {notify.Requester},
		notify.InvitationSent: {notify.Requester}, notify.InvitationRefused: {notify.InvitingAgent},
		notify.InvitationExpired: {notify.InvitingAgent}, notify.InvitationReminder: {notify.Requester, notify.Agent},
		notify.SessionStarted: {notify.Requester}, notify.SessionCompleted: {notify.Agent},
		notify.EscalationRefused: {notify.Supervisor}, notify.EscalationExpired: {notify.Supervisor},
		notify.EscalationUnaccepted: {notify.Supervisor}, notify.EscalationCompleted: {notify.Supervisor, notify.Agent},
		notify.UserInvited: {notify.User}, notify.UserRegistered: {notify.User}, notify.PasswordReset: {notify.User},
		notify.RequestLinkSent: {notify.Contact}, notify.WebhookDisabled: {notify.Admins},
	}
	got := map[notify.Event][]notify.Party{}
	for _, s := range notify.Catalogue() {
		got[s.Event] = s.To
		for _, tag := range s.Tags {
			assert.True(t, tag.Valid(), "%s offers unknown tag %s", s.Event, tag)
		}
	}
	assert.Equal(t, want, got)
}

func TestPreviewCountsSegments(t *testing.T) {
	p, err := notify.PreviewTemplate(&notify.Template{Event: notify.TicketAccepted, Channel: notify.SMS, Language: "en",
		Text: "{{.manager_name}} handles {{.ticket_ref}}"})
	require.NoError(t, err)
	assert.Equal(t, "Grace Hopper handles T-000123", p.Text)
	assert.Equal(t, notify.SegmentCount{Encoding: "GSM-7", Segments: 1, Units: 29}, p.Segments)
	_, err = notify.PreviewTemplate(&notify.Template{Event: notify.TicketAccepted, Channel: notify.SMS, Language: "en", Text: "{{.nope}}"})
	assert.ErrorIs(t, err, notify.ErrInvalidTemplate)
}
