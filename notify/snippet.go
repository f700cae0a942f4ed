package notify

import (
	"fmt"
	"slices"
	"strings"
	"text/template"
	"unicode/utf8"
)

// SnippetTags are the tags a snippet (a canned response) may use: the ticket tags every ticket
// event offers, except request_link. A snippet is inserted into a message that is stored and
// shown to staff, so it must carry no secret link.
func SnippetTags() []Tag {
	return slices.DeleteFunc(slices.Clone(ticketTags), func(t Tag) bool { return t == TagRequestLink })
}

// Limits on a snippet's fields, in characters.
const (
	MaxSnippetTitleLen = 200
	MaxSnippetBodyLen  = MaxTextLen
)

// Snippet is a checked, parsed title and body written in the template language of notification
// templates, restricted to SnippetTags: the text of a canned response. It is immutable and safe
// for concurrent use.
type Snippet struct {
	title, body *template.Template
}

// CompileSnippet checks a snippet's title and body and parses them, as Compile checks a
// template's fields. Returns a *TemplateError (wrapping ErrInvalidTemplate) whose Field is
// "title" or "body": empty, longer than MaxSnippetTitleLen or MaxSnippetBodyLen, not UTF-8, a
// syntax error, a construct other than tags and {{if}}, or a tag outside SnippetTags (with
// those in Valid).
func CompileSnippet(title, body string) (*Snippet, error) {
	allowed := SnippetTags()
	s := &Snippet{}
	for _, f := range []struct {
		name string
		v    string
		max  int
		into **template.Template
	}{{"title", title, MaxSnippetTitleLen, &s.title}, {"body", body, MaxSnippetBodyLen, &s.body}} {
		switch {
		case strings.TrimSpace(f.v) == "":
			return nil, fieldError(f.name, "is required")
		case !utf8.ValidString(f.v):
			return nil, fieldError(f.name, "is not valid UTF-8")
		case utf8.RuneCountInString(f.v) > f.max:
			return nil, fieldError(f.name, "is longer than %d characters", f.max)
		}
		t, err := parseText(f.name, f.v, allowed)
		if err != nil {
			return nil, err
		}
		*f.into = t
	}
	return s, nil
}

// Render fills the snippet in with d, as Render fills a template's text: tags without a value
// render empty, the title is kept on one line. It returns an error only if d holds a value that
// is not valid UTF-8.
func (s *Snippet) Render(d Data) (title, body string, err error) {
	vals := make(map[string]string, len(d))
	for k, v := range d {
		if !utf8.ValidString(v) {
			return "", "", fmt.Errorf("render snippet: tag %s is not valid UTF-8", k)
		}
		vals[string(k)] = v
	}
	var tb, bb strings.Builder
	if err := s.title.Execute(&tb, vals); err != nil {
		return "", "", fmt.Errorf("render snippet title: %w", err)
	}
	if err := s.body.Execute(&bb, vals); err != nil {
		return "", "", fmt.Errorf("render snippet body: %w", err)
	}
	return collapseLines(tb.String()), strings.TrimSpace(bb.String()), nil
}
