package notify

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

//go:embed defaults/*.json
var defaultFiles embed.FS

// DefaultLanguages are the languages the built-in templates are written in; "en" is the last
// resort of every language fallback.
func DefaultLanguages() []string { return []string{"en", "de", "fr", "es", "pl"} }

// defaultEntry is one event's wording in one language, as the embedded files hold it. The
// e-mail's HTML comes from the layout; push uses the in-app wording.
type defaultEntry struct {
	Subject string `json:"subject"` // e-mail subject
	Text    string `json:"text"`    // e-mail text body
	SMS     string `json:"sms"`
	Title   string `json:"title"` // in-app and push title
	InApp   string `json:"inapp"` // in-app and push text
	Link    string `json:"link"`  // in-app and push link
}

type defaultKey struct {
	ev   Event
	ch   Channel
	lang string
}

// builtins parses and compiles the embedded defaults once; they are checked by the package's
// tests, so a failure here is a build defect.
var builtins = sync.OnceValue(func() map[defaultKey]*Compiled {
	out := make(map[defaultKey]*Compiled)
	for _, lang := range DefaultLanguages() {
		raw, err := defaultFiles.ReadFile("defaults/" + lang + ".json")
		if err != nil {
			panic(fmt.Sprintf("notify: default templates %s: %v", lang, err))
		}
		var entries map[Event]defaultEntry
		if err := json.Unmarshal(raw, &entries); err != nil {
			panic(fmt.Sprintf("notify: default templates %s: %v", lang, err))
		}
		for ev, e := range entries {
			for _, t := range []Template{
				{Event: ev, Channel: Email, Language: lang, Subject: e.Subject, Text: e.Text},
				{Event: ev, Channel: SMS, Language: lang, Text: e.SMS},
				{Event: ev, Channel: InApp, Language: lang, Subject: e.Title, Text: e.InApp, Link: e.Link},
				{Event: ev, Channel: Push, Language: lang, Subject: e.Title, Text: e.InApp, Link: e.Link},
			} {
				t.Enabled = true
				c, err := Compile(&t)
				if err != nil {
					panic(fmt.Sprintf("notify: default template %s %s %s: %v", ev, t.Channel, lang, err))
				}
				out[defaultKey{ev, t.Channel, lang}] = c
			}
		}
	}
	return out
})

// Default returns the built-in template of ev on ch in lang, and whether there is one. Every
// event of the catalogue has one on every channel in every DefaultLanguages language.
func Default(ev Event, ch Channel, lang string) (Template, bool) {
	c, ok := builtins()[defaultKey{ev, ch, lang}]
	if !ok {
		return Template{}, false
	}
	return c.Template(), true
}

// Pick chooses the template a message is rendered with. For each language of langs in turn
// (the recipient's, then the tenant's; "en" is always tried last), it takes the tenant's own
// template for ev on ch in that language while it is enabled, else the built-in default in
// that language. own are the tenant's templates (of any event and channel); a disabled one is
// ignored. It returns a *TemplateError if the chosen tenant template no longer compiles, and
// an error if ev is not in the catalogue or ch is not a channel.
func Pick(own []*Template, ev Event, ch Channel, langs ...string) (*Compiled, error) {
	if !ev.Valid() || !ch.Valid() {
		return nil, fmt.Errorf("notify: no template for %q on %q", ev, ch)
	}
	tried := make([]string, 0, len(langs)+1)
	for _, lang := range append(slices.Clone(langs), "en") {
		if lang == "" || slices.Contains(tried, lang) {
			continue
		}
		tried = append(tried, lang)
		for _, t := range own {
			if t.Enabled && t.Event == ev && t.Channel == ch && t.Language == lang {
				return Compile(t)
			}
		}
		if c, ok := builtins()[defaultKey{ev, ch, lang}]; ok {
			return c, nil
		}
	}
	return nil, fmt.Errorf("notify: no built-in template for %s on %s", ev, ch)
}

// Preview is a template rendered with sample data.
type Preview struct {
	Rendered
	// Segments is how the text is sent as SMS (for the SMS channel; zero otherwise).
	Segments SegmentCount
}

// PreviewTemplate checks t and renders it with SampleData. It returns Compile's
// *TemplateError for a template that cannot be saved.
func PreviewTemplate(t *Template) (Preview, error) {
	c, err := Compile(t)
	if err != nil {
		return Preview{}, err
	}
	r, err := c.Render(SampleData())
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Rendered: r}
	if t.Channel == SMS {
		p.Segments = CountSegments(r.Text)
	}
	return p, nil
}
