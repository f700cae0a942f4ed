package tenant

import (
	"slices"
	"time"
)

// Visibility says who may open a ticket from a device's public page.
type Visibility string

// The visibilities of the request form.
const (
	// VisibilityPublic lets anyone holding a device's code URL open a ticket. The default.
	VisibilityPublic Visibility = "public"
	// VisibilityCustomers lets only signed-in users of the customer the device belongs to open
	// a ticket; the code's page still shows the device's information.
	VisibilityCustomers Visibility = "customers"
	// VisibilityInvited lets a ticket be opened only through a request link that staff sent to
	// a named contact; the code's page still shows the device's information.
	VisibilityInvited Visibility = "invited"
)

// Valid reports whether v is one of the visibilities ("" counts as public).
func (v Visibility) Valid() bool {
	return v == "" || slices.Contains([]Visibility{VisibilityPublic, VisibilityCustomers, VisibilityInvited}, v)
}

// Effective returns v, or VisibilityPublic when v is empty.
func (v Visibility) Effective() Visibility {
	if v == "" {
		return VisibilityPublic
	}
	return v
}

// FormLanguages are the languages the request form's texts may be given in.
var FormLanguages = []string{"en", "de", "fr", "es", "pl"}

// FormTexts are the request form's texts in one language. Each may be empty.
type FormTexts struct {
	// Welcome greets the visitor on the device's page.
	Welcome string
	// RequestHint tells the visitor, above the request form, what a good request says.
	RequestHint string
	// Help explains, on the device's page, where else to find help.
	Help string
}

// RequestForm configures the public request form of a tenant's devices (docs/concepts.md,
// "The request form"). The zero value is a public form with free-text types and no texts.
type RequestForm struct {
	// Visibility says who may open a ticket from a device's page. Empty means public.
	Visibility Visibility
	// Texts holds the form's texts by language (a language of FormLanguages). The page shows
	// each text in the visitor's language, else the tenant's, else English (see Text).
	Texts map[string]FormTexts
	// Types, when set, is the list a requester picks the ticket's type from; empty means the
	// type is free text.
	Types []string
	// TermsURL, when set, links the terms a requester must accept to submit a request.
	TermsURL string
	// GuideURL, when set, links a guide the device's page offers.
	GuideURL string
	// SupportEmail, when set, is shown to the requester after submitting.
	SupportEmail string
	// Accent is the public pages' accent colour as "#rrggbb"; empty keeps the default. It
	// must be dark enough for white text on it (WCAG contrast of 4.5:1 at least).
	Accent string
	// Logo (a PNG), Background (a JPEG) and Report (the report template, a document attached to
	// every new ticket) are files kept in the blob store. UpdateSettings keeps them as stored:
	// set or clear them with the Desk's SetFormFile.
	Logo       *File
	Background *File
	Report     *File
}

// File is a file a tenant's settings refer to, kept in the blob store.
type File struct {
	// Key is the file's key in the blob store.
	Key string
	// Name is the file's name as it was uploaded (cleaned).
	Name string
	// ContentType is the type detected from the content.
	ContentType string
	Size        int64
	// Digest is the SHA-256 of the content, hex: it changes with the content, so it makes a
	// versioned URL or an ETag.
	Digest string
	// Width and Height are an image's dimensions in pixels; zero for a document.
	Width, Height int
	UpdatedAt     time.Time
}

// Text returns the form's texts for a visitor reading language lang, each text taken from lang,
// else from the tenant's language tenantLang, else from English: a text missing in one
// language falls back on its own, so a page is never without a text that exists in one of
// them. A region ("de-AT") falls back to its base language ("de").
func (f RequestForm) Text(lang, tenantLang string) FormTexts {
	var out FormTexts
	for _, l := range []string{lang, baseLanguage(lang), tenantLang, baseLanguage(tenantLang), "en"} {
		t, ok := f.Texts[l]
		if !ok {
			continue
		}
		if out.Welcome == "" {
			out.Welcome = t.Welcome
		}
		if out.RequestHint == "" {
			out.RequestHint = t.RequestHint
		}
		if out.Help == "" {
			out.Help = t.Help
		}
	}
	return out
}

// baseLanguage returns the language of a BCP 47 tag without its region ("de" for "de-AT").
func baseLanguage(tag string) string {
	for i, r := range tag {
		if r == '-' || r == '_' {
			return tag[:i]
		}
	}
	return tag
}
