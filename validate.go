package helpdesk

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/deskkit/helpdesk/notify"
	"github.com/deskkit/helpdesk/ticket"
)

// Input limits, in characters.
const (
	MaxNameLen        = 200
	MaxTitleLen       = 200
	MaxTextLen        = 20000
	MaxReasonLen      = 2000
	MaxFieldValueLen  = 2000
	maxFieldsPerThing = 100
)

var (
	ticketPrefix = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,9}$`)
	fieldKey     = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	phoneNumber  = regexp.MustCompile(`^\+?[0-9][0-9 ()./-]{5,30}$`)
	domainName   = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`)
)

// isHTTPURL reports whether s is an absolute http or https URL.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// checkName trims s and requires 1..MaxNameLen characters.
func checkName(field string, s *string) error {
	*s = strings.TrimSpace(*s)
	return checkLen(field, *s, 1, MaxNameLen)
}

// checkLen requires s to be UTF-8 text of min..max characters. A NUL character is refused as
// well: neither engine keeps one in text (PostgreSQL refuses it, SQLite cuts the statement).
func checkLen(field, s string, min, max int) error {
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		return invalid(field, "is not valid UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		return invalid(field, "holds a NUL character")
	case n < min && min == 1:
		return invalid(field, "is required")
	case n < min:
		return invalid(field, "must have at least %d characters", min)
	case n > max:
		return invalid(field, "must have at most %d characters (has %d)", max, n)
	}
	return nil
}

func checkLanguage(field, s string) error {
	if s != "" && !notify.ValidLanguage(s) {
		return invalid(field, "%q is not a language tag such as \"en\" or \"de-AT\"", s)
	}
	return nil
}

func checkReason(s *string, required bool) error {
	*s = strings.TrimSpace(*s)
	min := 0
	if required {
		min = 1
	}
	return checkLen("reason", *s, min, MaxReasonLen)
}

// isEmail reports whether s is a bare e-mail address ("ann@example.com", no display name).
func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}

// checkPhone trims s and requires it to be empty or a phone number.
func checkPhone(field string, s *string) error {
	*s = strings.TrimSpace(*s)
	if *s != "" && !phoneNumber.MatchString(*s) {
		return invalid(field, "%q is not a phone number", *s)
	}
	return nil
}

// checkContact normalises c and checks its parts; requireReach demands an e-mail or a phone.
func checkContact(c *ticket.Contact, requireReach bool) error {
	c.Name = strings.TrimSpace(c.Name)
	c.Email = strings.TrimSpace(c.Email)
	c.Phone = strings.TrimSpace(c.Phone)
	if err := checkLen("requester.name", c.Name, 0, MaxNameLen); err != nil {
		return err
	}
	if c.Email != "" && !isEmail(c.Email) {
		return invalid("requester.email", "%q is not an e-mail address", c.Email)
	}
	if err := checkPhone("requester.phone", &c.Phone); err != nil {
		return err
	}
	if err := checkLanguage("requester.language", c.Language); err != nil {
		return err
	}
	if requireReach && c.Email == "" && c.Phone == "" {
		return invalid("requester", "an e-mail address or a phone number is required")
	}
	return nil
}
