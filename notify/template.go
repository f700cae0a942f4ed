package notify

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Template is how one event is worded on one channel in one language. Tenants store their own;
// the built-in defaults (Default) cover every event, channel and default language.
//
// The text fields are templates in Go's template syntax restricted to the tag catalogue: a
// field may insert tags ({{.ticket_ref}}) and test them ({{if .comment}}…{{else}}…{{end}}),
// nothing else: no functions, pipelines, variables, ranges or nested templates.
type Template struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	Event    Event
	Channel  Channel
	// Language is a BCP 47 language tag such as "en" or "pt-BR".
	Language string
	// Subject is the e-mail subject, or the in-app and push title. Not used for SMS.
	Subject string
	// Text is the plain-text body: e-mail text part, SMS, in-app or push text. Required.
	Text string
	// HTML is the e-mail's HTML body. Tag values are escaped for where they appear (text,
	// attribute, URL). When empty, the e-mail's HTML part is made from Text with the built-in
	// layout. E-mail only.
	HTML string
	// HeaderImage is the http(s) URL of the e-mail's header image. E-mail only; optional.
	HeaderImage string
	// Link is where an in-app or push notification leads, usually a single tag such as
	// {{.ticket_link}}. In-app and push only; optional.
	Link string
	// Enabled switches a tenant's template on. A tenant template is used only while it is on;
	// otherwise the built-in default is sent.
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// Limits on a template's fields, in characters.
const (
	MaxSubjectLen = 300
	MaxTextLen    = 10_000
	MaxHTMLLen    = 200_000
	MaxLinkLen    = 2_000
)

// ErrInvalidTemplate is what every *TemplateError wraps. Test with errors.Is.
var ErrInvalidTemplate = errors.New("invalid template")

// TemplateError says what is wrong with a template.
type TemplateError struct {
	// Field is the template field at fault: "event", "channel", "language", "subject", "text",
	// "html", "header_image" or "link".
	Field string
	// Tag is the unknown tag, when that is the fault; Valid then lists the tags the event
	// offers.
	Tag   string
	Valid []Tag
	// Reason describes the fault.
	Reason string
}

// Error renders the fault, such as `template text: unknown tag {{.foo}}; valid tags: …`.
func (e *TemplateError) Error() string {
	if e.Tag != "" {
		names := make([]string, len(e.Valid))
		for i, t := range e.Valid {
			names[i] = string(t)
		}
		return fmt.Sprintf("template %s: unknown tag {{.%s}}; valid tags: %s", e.Field, e.Tag, strings.Join(names, ", "))
	}
	return fmt.Sprintf("template %s: %s", e.Field, e.Reason)
}

// Unwrap returns ErrInvalidTemplate.
func (e *TemplateError) Unwrap() error { return ErrInvalidTemplate }

func fieldError(field, format string, args ...any) *TemplateError {
	return &TemplateError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

var languageTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// ValidLanguage reports whether lang has the shape of a BCP 47 language tag ("en", "pt-BR").
func ValidLanguage(lang string) bool { return languageTag.MatchString(lang) }

// Compiled is a checked, parsed template, ready to render any number of times. It is immutable
// and safe for concurrent use.
type Compiled struct {
	tmpl                *Template
	subject, text, link *template.Template
	html                *htmltemplate.Template
}

// Template returns a copy of the template compiled.
func (c *Compiled) Template() Template { return *c.tmpl }

// Compile checks t and parses its fields. Returns a *TemplateError (wrapping
// ErrInvalidTemplate) naming the first field at fault: an event outside the catalogue, a bad
// channel or language, a field the channel needs that is empty or one it does not use that is
// set, a field too long, a syntax error, a construct other than tags and {{if}}, or a tag the
// event does not offer (with the list of those it does).
func Compile(t *Template) (*Compiled, error) {
	spec, ok := Lookup(t.Event)
	if !ok {
		return nil, fieldError("event", "%q is not an event of the catalogue", t.Event)
	}
	if !t.Channel.Valid() {
		return nil, fieldError("channel", "%q is not a channel (email, sms, inapp, push)", t.Channel)
	}
	if !ValidLanguage(t.Language) {
		return nil, fieldError("language", "%q is not a language tag such as en or pt-BR", t.Language)
	}
	cp := *t
	c := &Compiled{tmpl: &cp}
	uses := map[string]bool{"subject": t.Channel != SMS, "html": t.Channel == Email,
		"header_image": t.Channel == Email, "link": t.Channel == InApp || t.Channel == Push}
	for _, f := range []struct {
		name     string
		v        string
		required bool
		max      int
	}{
		{"subject", t.Subject, uses["subject"], MaxSubjectLen},
		{"text", t.Text, true, MaxTextLen},
		{"html", t.HTML, false, MaxHTMLLen},
		{"header_image", t.HeaderImage, false, MaxLinkLen},
		{"link", t.Link, false, MaxLinkLen},
	} {
		use, known := uses[f.name]
		switch {
		case known && !use && f.v != "":
			return nil, fieldError(f.name, "not used on the %s channel", t.Channel)
		case f.required && strings.TrimSpace(f.v) == "":
			return nil, fieldError(f.name, "is required on the %s channel", t.Channel)
		case utf8.RuneCountInString(f.v) > f.max:
			return nil, fieldError(f.name, "is longer than %d characters", f.max)
		case !utf8.ValidString(f.v):
			return nil, fieldError(f.name, "is not valid UTF-8")
		}
	}
	if t.HeaderImage != "" {
		if u, err := url.Parse(t.HeaderImage); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fieldError("header_image", "%q is not an http(s) URL", t.HeaderImage)
		}
	}
	var err error
	if c.subject, err = parseText("subject", t.Subject, spec.Tags); err != nil {
		return nil, err
	}
	if c.text, err = parseText("text", t.Text, spec.Tags); err != nil {
		return nil, err
	}
	if c.link, err = parseText("link", t.Link, spec.Tags); err != nil {
		return nil, err
	}
	if t.Link != "" {
		var b strings.Builder
		if err := c.link.Execute(&b, sampleValues()); err != nil || !SafeLink(strings.TrimSpace(b.String())) {
			return nil, fieldError("link", "must lead to an http(s) URL or a path starting with /")
		}
	}
	if t.HTML != "" {
		h, err := htmltemplate.New("html").Option("missingkey=zero").Parse(t.HTML)
		if err != nil {
			return nil, fieldError("html", "%s", syntaxReason(err))
		}
		if err := checkTree("html", h.Tree, len(h.Templates()), spec.Tags); err != nil {
			return nil, err
		}
		// html/template escapes a template on its first execution, and only then finds a tag
		// left where no escaping is possible (inside an unclosed attribute, at the end of an
		// open tag): render the sample once so such a body is refused here, not at every send.
		if err := h.Execute(io.Discard, sampleValues()); err != nil {
			reason := syntaxReason(err)
			if he := (*htmltemplate.Error)(nil); errors.As(err, &he) && he.ErrorCode == htmltemplate.ErrEndContext {
				reason = "ends inside an HTML tag, attribute, comment or script; close it"
			}
			return nil, fieldError("html", "%s", reason)
		}
		c.html = h
	}
	return c, nil
}

// sampleValues are the sample data as the templates see them.
func sampleValues() map[string]string {
	sample := map[string]string{}
	for k, v := range SampleData() {
		sample[string(k)] = v
	}
	return sample
}

func parseText(field, src string, allowed []Tag) (*template.Template, error) {
	t, err := template.New(field).Option("missingkey=zero").Parse(src)
	if err != nil {
		return nil, fieldError(field, "%s", syntaxReason(err))
	}
	if err := checkTree(field, t.Tree, len(t.Templates()), allowed); err != nil {
		return nil, err
	}
	return t, nil
}

// syntaxReason drops the "template: name:" prefix of text/template's parse errors.
func syntaxReason(err error) string {
	msg := err.Error()
	for _, p := range []string{"template: ", "html/template: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	if i := strings.Index(msg, ": "); i >= 0 && i < 20 {
		msg = msg[i+2:]
	}
	return msg
}

const onlyTags = "only tags such as {{.ticket_ref}} and {{if .tag}}…{{end}} are allowed"

// checkTree walks a parsed field and refuses everything but text, comments, tag insertions and
// {{if}} on a tag, and tags the event does not offer.
func checkTree(field string, tree *parse.Tree, templates int, allowed []Tag) error {
	if templates > 1 {
		return fieldError(field, "{{define}} and {{block}} are not allowed; %s", onlyTags)
	}
	if tree == nil {
		return nil // empty field
	}
	var walk func(n parse.Node) error
	walk = func(n parse.Node) error {
		switch n := n.(type) {
		case nil:
			return nil
		case *parse.ListNode:
			if n == nil {
				return nil
			}
			for _, c := range n.Nodes {
				if err := walk(c); err != nil {
					return err
				}
			}
			return nil
		case *parse.TextNode, *parse.CommentNode:
			return nil
		case *parse.ActionNode:
			return checkPipe(field, n.Pipe, allowed)
		case *parse.IfNode:
			if err := checkPipe(field, n.Pipe, allowed); err != nil {
				return err
			}
			if err := walk(n.List); err != nil {
				return err
			}
			if n.ElseList != nil {
				return walk(n.ElseList)
			}
			return nil
		default:
			return fieldError(field, "%q is not allowed; %s", n.String(), onlyTags)
		}
	}
	return walk(tree.Root)
}

func checkPipe(field string, p *parse.PipeNode, allowed []Tag) error {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return fieldError(field, "%q is not allowed; %s", p.String(), onlyTags)
	}
	f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || len(f.Ident) != 1 {
		return fieldError(field, "%q is not allowed; %s", p.String(), onlyTags)
	}
	if !slices.Contains(allowed, Tag(f.Ident[0])) {
		return &TemplateError{Field: field, Tag: f.Ident[0], Valid: slices.Clone(allowed)}
	}
	return nil
}

// Rendered is a template rendered for one message.
type Rendered struct {
	Subject     string
	Text        string
	HTML        string
	HeaderImage string
	Link        string
}

// Render fills the template in with d. Tags without a value render empty. For e-mail, HTML is
// the template's HTML body, or when it has none, Text laid out as HTML with its links made
// clickable; tag values are escaped either way. It returns an error only if d holds a value
// that is not valid UTF-8.
func (c *Compiled) Render(d Data) (Rendered, error) {
	vals := make(map[string]string, len(d))
	for k, v := range d {
		if !utf8.ValidString(v) {
			return Rendered{}, fmt.Errorf("render %s %s: tag %s is not valid UTF-8", c.tmpl.Event, c.tmpl.Channel, k)
		}
		vals[string(k)] = v
	}
	var r Rendered
	var err error
	exec := func(t *template.Template) string {
		if err != nil {
			return ""
		}
		var b strings.Builder
		err = t.Execute(&b, vals)
		return b.String()
	}
	r.Subject = strings.TrimSpace(collapseLines(exec(c.subject)))
	r.Text = strings.TrimSpace(exec(c.text))
	r.Link = strings.TrimSpace(exec(c.link))
	if !SafeLink(r.Link) {
		r.Link = "" // a tag's value made it lead elsewhere, such as to javascript:
	}
	if err != nil {
		return Rendered{}, fmt.Errorf("render %s %s: %w", c.tmpl.Event, c.tmpl.Channel, err)
	}
	if c.tmpl.Channel != Email {
		return r, nil
	}
	r.HeaderImage = c.tmpl.HeaderImage
	var b bytes.Buffer
	if c.html != nil {
		err = c.html.Execute(&b, vals)
	} else {
		err = defaultLayout().Execute(&b, layoutData(r))
	}
	if err != nil {
		return Rendered{}, fmt.Errorf("render %s %s: %w", c.tmpl.Event, c.tmpl.Channel, err)
	}
	r.HTML = b.String()
	return r, nil
}

// SafeLink reports whether link may be where an in-app or push notification leads: empty, an
// absolute http or https URL, or a path on the application's own site ("/tickets/…", not
// "//elsewhere"). Anything else, such as a javascript: or data: URL, could run in the reader's
// session when followed.
func SafeLink(link string) bool {
	if link == "" {
		return true
	}
	if strings.ContainsFunc(link, func(r rune) bool { return r < 0x21 || r == 0x7f || r == '\\' }) {
		return false
	}
	u, err := url.Parse(link)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https":
		return u.Host != ""
	case "":
		return strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//")
	}
	return false
}

// collapseLines keeps a subject on one line, whatever a tag value holds.
func collapseLines(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
