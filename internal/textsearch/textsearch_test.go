package textsearch_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/deskkit/helpdesk/internal/textsearch"
	"github.com/stretchr/testify/assert"
)

func TestWords(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"german", "Müller Straße ÄRGER Größe", []string{"muller", "strasse", "arger", "grosse"}},
		{"french", "ÉCRAN noirci, l'œuvre à côté", []string{"ecran", "noirci", "l", "oeuvre", "a", "cote"}},
		{"spanish", "El equipo NO enciende después; ¿señal?", []string{"el", "equipo", "no", "enciende", "despues", "senal"}},
		{"polish", "Urządzenie nie łączy się, ŁÓDŹ źdźbło", []string{"urzadzenie", "nie", "laczy", "sie", "lodz", "zdzblo"}},
		{"nordic", "Æble Øl", []string{"aeble", "ol"}},
		{"reference and mail", "T-000123 anna.muller@example.com", []string{"t", "000123", "anna", "muller", "example", "com"}},
		{"only punctuation", "!!! -- ???", nil},
		{"decomposed input", "Mu\u0308ller", []string{"muller"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, textsearch.Words(tc.in))
		})
	}
}

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		name, in     string
		tsq, fts5    string
		prefix, none bool
	}{
		{name: "one word typed", in: "écr", tsq: "'ecr':*", fts5: `"ecr" *`},
		{name: "finished word", in: "écran ", tsq: "'ecran'", fts5: `"ecran"`},
		{name: "several words", in: "Pump ALARM", tsq: "'pump' & 'alarm':*", fts5: `"pump" AND "alarm" *`},
		{name: "syntax stays quoted", in: `a'b "c" & | ! :* NEAR(x) OR`, tsq: "'a' & 'b' & 'c' & 'near' & 'x' & 'or':*",
			fts5: `"a" AND "b" AND "c" AND "near" AND "x" AND "or" *`},
		{name: "nothing searchable", in: "?!", none: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := textsearch.ParseQuery(tc.in)
			assert.Equal(t, tc.none, q.Empty())
			if !tc.none {
				assert.Equal(t, tc.tsq, q.TSQuery(""))
				assert.Equal(t, tc.fts5, q.FTS5())
			}
		})
	}
}

func TestVectorLimits(t *testing.T) {
	long := strings.Repeat("ą", 200)
	v := textsearch.Vector(textsearch.Part{Text: long + " " + strings.Repeat("x ", 20000) + "z", Weight: textsearch.C})
	assert.Contains(t, v, "'"+strings.Repeat("a", textsearch.MaxWordLen)+"':1C")
	assert.Equal(t, 255, strings.Count(v, ","), "a lexeme keeps 256 positions")
	assert.Contains(t, v, "'z':16383C")
	assert.NotContains(t, v, "16384")
}

// FuzzParseQuery checks that any input yields queries made of quoted folded words only.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "écran", `a'b "c" * : & | ! ( ) NEAR`, "Łódź ", "\xff\xfe", "T-000123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := textsearch.ParseQuery(s)
		if len(q.Words) > textsearch.MaxQueryWords {
			t.Fatalf("%d words", len(q.Words))
		}
		for _, w := range q.Words {
			if w == "" || len(w) > textsearch.MaxWordLen {
				t.Fatalf("word %q", w)
			}
			for _, r := range w {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					t.Fatalf("word %q holds %q", w, r)
				}
			}
		}
		if strings.Count(q.FTS5(), `"`)%2 != 0 || strings.Count(q.TSQuery("ABC"), "'")%2 != 0 {
			t.Fatalf("unbalanced quotes in %q / %q", q.FTS5(), q.TSQuery("ABC"))
		}
	})
}
