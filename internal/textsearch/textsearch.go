package textsearch

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// special spells out the letters that NFD does not decompose into a base letter and marks.
var special = map[rune]string{
	'ł': "l", 'Ł': "l", 'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'ø': "o", 'Ø': "o",
	'œ': "oe", 'Œ': "oe", 'đ': "d", 'Đ': "d", 'þ': "th", 'Þ': "th", 'ı': "i", 'ð': "d", 'Ð': "d",
}

// MaxWordLen caps a word, in bytes: longer runs of letters are cut (PostgreSQL refuses
// lexemes over 2 KiB, and nobody searches for such a word).
const MaxWordLen = 100

// Words returns the words of s, folded: lower case, without accents, separated by anything
// that is neither a letter nor a digit.
func Words(s string) []string {
	var (
		out []string
		b   strings.Builder
	)
	flush := func() {
		if b.Len() > 0 {
			w := b.String()
			if len(w) > MaxWordLen {
				w = w[:MaxWordLen]
				for len(w) > 0 && !utf8Start(w[len(w)-1:]) {
					w = w[:len(w)-1]
				}
			}
			out = append(out, w)
			b.Reset()
		}
	}
	if !ascii(s) {
		s = norm.NFD.String(s)
	}
	for _, r := range s {
		switch {
		case r < 0x80:
			if 'A' <= r && r <= 'Z' {
				b.WriteByte(byte(r) + 'a' - 'A')
			} else if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
				b.WriteByte(byte(r))
			} else {
				flush()
			}
		case unicode.Is(unicode.Mn, r):
			// A combining mark: the accent of the letter before it.
		case special[r] != "":
			b.WriteString(special[r])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

// ascii reports whether s is ASCII only (and so needs no decomposition).
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// utf8Start reports whether the one-byte string s starts a UTF-8 sequence (cutting a word
// before it keeps the word valid UTF-8).
func utf8Start(s string) bool { return s[0]&0xC0 != 0x80 }

// Fold returns the words of s joined by single spaces.
func Fold(s string) string { return strings.Join(Words(s), " ") }

// Weight is a PostgreSQL tsvector weight: A ranks highest, D lowest.
type Weight byte

// The weights, highest first.
const (
	A Weight = 'A'
	B Weight = 'B'
	C Weight = 'C'
	D Weight = 'D'
)

// Part is text that a document indexes with one weight.
type Part struct {
	Text   string
	Weight Weight
}

// PostgreSQL's limits on a lexeme's positions.
const (
	maxPos       = 16383
	maxPositions = 256
)

// Vector returns the tsvector literal of parts: each word a lexeme, with its positions
// (counted across the parts, capped at PostgreSQL's 16,383) and weights (the first 256
// positions of a lexeme, as PostgreSQL keeps).
func Vector(parts ...Part) string {
	type posw struct {
		pos int
		w   Weight
	}
	lex := map[string][]posw{}
	pos := 0
	for _, p := range parts {
		for _, w := range Words(p.Text) {
			pos = min(pos+1, maxPos)
			if ps := lex[w]; len(ps) < maxPositions && (len(ps) == 0 || ps[len(ps)-1].pos < pos) {
				lex[w] = append(ps, posw{pos, p.Weight})
			}
		}
	}
	words := make([]string, 0, len(lex))
	for w := range lex {
		words = append(words, w)
	}
	sort.Strings(words)
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quote(w))
		for j, p := range lex[w] {
			if j == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p.pos))
			if p.w != D { // D is the default, which PostgreSQL writes without a letter
				b.WriteByte(byte(p.w))
			}
		}
	}
	return b.String()
}

// Lexeme returns the tsvector literal of one extra lexeme with weight A, such as a key no
// folded word can equal (it may hold any characters).
func Lexeme(s string) string { return quote(s) + ":1A" }

// quote writes s as a quoted tsvector or tsquery lexeme.
func quote(s string) string {
	if strings.ContainsAny(s, `\'`) {
		s = strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `''`)
	}
	return "'" + s + "'"
}

// MaxQueryWords caps the words of a query; the rest are ignored.
const MaxQueryWords = 16

// Query is what a person searched for: words that must all match, the last as a prefix when
// Prefix is set.
type Query struct {
	Words  []string
	Prefix bool
}

// ParseQuery reads a search box's text. The last word is a prefix unless text ends in a
// space. A text without a letter or digit yields a Query without words, which matches
// nothing. Duplicate words count once; words past MaxQueryWords are ignored.
func ParseQuery(text string) Query {
	words := Words(text)
	q := Query{Prefix: len(words) > 0 && !strings.HasSuffix(text, " ")}
	seen := map[string]bool{}
	for i, w := range words {
		last := i == len(words)-1
		if seen[w] && !last {
			continue
		}
		seen[w] = true
		q.Words = append(q.Words, w)
	}
	if len(q.Words) > MaxQueryWords {
		q.Words, q.Prefix = q.Words[:MaxQueryWords], false
	}
	return q
}

// Empty reports whether q has no word (and so matches nothing).
func (q Query) Empty() bool { return len(q.Words) == 0 }

// TSQuery returns q as a PostgreSQL tsquery literal (cast it with ::tsquery). weights, if
// not empty, restricts every word to lexemes of those weights (such as "ABC").
func (q Query) TSQuery(weights string) string {
	var b strings.Builder
	for i, w := range q.Words {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteString(quote(w))
		label := weights
		if q.Prefix && i == len(q.Words)-1 {
			label = "*" + label
		}
		if label != "" {
			b.WriteByte(':')
			b.WriteString(label)
		}
	}
	return b.String()
}

// FTS5 returns q as an SQLite FTS5 expression, every word a quoted string; columns, if not
// empty, confines the words to those columns.
func (q Query) FTS5(columns ...string) string {
	var b strings.Builder
	if len(columns) > 0 {
		b.WriteString("{" + strings.Join(columns, " ") + "} : (")
	}
	for i, w := range q.Words {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(`"` + strings.ReplaceAll(w, `"`, `""`) + `"`)
		if q.Prefix && i == len(q.Words)-1 {
			b.WriteString(" *")
		}
	}
	if len(columns) > 0 {
		b.WriteString(")")
	}
	return b.String()
}

// Ticket is what the search indexes of a ticket itself (its messages come on their own).
type Ticket struct {
	TenantID                      string
	Prefix                        string
	Number                        int64
	Title, Description            string
	RequesterName, RequesterEmail string
}

// Head returns the words of the reference and the title (weight A): the reference as people
// write it (T-000123) and its bare number (123).
func (t Ticket) Head() string {
	return Fold(fmt.Sprintf("%s-%06d %d %s", t.Prefix, t.Number, t.Number, t.Title))
}

// Detail returns the words of the requester and the description (weight B).
func (t Ticket) Detail() string {
	return Fold(t.RequesterName + " " + t.RequesterEmail + " " + t.Description)
}

// TenantKey is a lexeme that only the tenant's documents hold, so that the index narrows a
// query to one tenant; the colon keeps it apart from every folded word.
func TenantKey(tenantID string) string { return "tenant:" + tenantID }

// TenantToken is TenantKey for an FTS5 column: one token of letters and digits.
func TenantToken(tenantID string) string { return "t" + strings.ReplaceAll(tenantID, "-", "") }

// HeadVector returns the tsvector literal of t's head (A), detail (B) and tenant key.
func (t Ticket) HeadVector() string {
	return Vector(Part{t.Head(), A}, Part{t.Detail(), B}) + " " + Lexeme(TenantKey(t.TenantID))
}

// DocumentVector returns the tsvector literal of t with its messages' bodies, public and
// internal: what HeadVector and a MessageVector per message add up to.
func (t Ticket) DocumentVector(public, internal []string) string {
	return Vector(Part{t.Head(), A}, Part{t.Detail(), B}, Part{strings.Join(public, "\n"), C},
		Part{strings.Join(internal, "\n"), D}) + " " + Lexeme(TenantKey(t.TenantID))
}

// MessageVector returns the tsvector literal of a message body: weight C when public, D when
// internal (the weight customers' queries leave out).
func MessageVector(body string, internal bool) string {
	w := C
	if internal {
		w = D
	}
	return Vector(Part{body, w})
}
