package notify_test

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/deskkit/helpdesk/notify"
	"github.com/rivo/uniseg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The GSM 03.38 tables, written out independently of the implementation: the default
// alphabet in code order (0x1B, the escape, left out) and the extension table's characters.
const (
	gsmBasic     = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "\f^{}\\[~]|€"
)

const (
	family = "\U0001F468\u200D\U0001F469\u200D\U0001F467" // man ZWJ woman ZWJ girl: 8 UTF-16 units
	flagDE = "\U0001F1E9\U0001F1EA"                       // two regional indicators: 4 units
	flagFR = "\U0001F1EB\U0001F1F7"
	flagIT = "\U0001F1EE\U0001F1F9"
	eAcute = "e\u0301" // e and a combining acute accent: 2 units, one grapheme
	grin   = "\U0001F600"
)

func rep(s string, n int) string { return strings.Repeat(s, n) }

// septets counts a GSM-7 string's septets from the tables above.
func septets(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune(gsmExtension, r):
			n += 2
		case strings.ContainsRune(gsmBasic, r):
			n++
		default:
			t.Fatalf("%q is not GSM-7", r)
		}
	}
	return n
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

func TestSegments(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want notify.SegmentCount
		// parts are the exact parts SplitSegments must return; nil checks only the invariants.
		parts []string
		// pathological marks a body with a grapheme cluster longer than a part, which may
		// be cut inside.
		pathological bool
	}{
		{name: "empty", body: "",
			want: notify.SegmentCount{Encoding: "GSM-7"}},
		{name: "short GSM", body: "Ticket T-000123 was assigned to you.",
			want: notify.SegmentCount{Encoding: "GSM-7", Segments: 1, Units: 36}, parts: []string{"Ticket T-000123 was assigned to you."}},
		{name: "160 GSM chars are 1 segment", body: rep("a", 160),
			want: notify.SegmentCount{Encoding: "GSM-7", Segments: 1, Units: 160}, parts: []string{rep("a", 160)}},
		{name: "161 GSM chars are 153 + 8", body: rep("a", 161),
			want: notify.SegmentCount{Encoding: "GSM-7", Segments: 2, Units: 161}, parts: []string{rep("a", 153), rep("a", 8)}},
		{name: "306 GSM chars are 2 segments", body: rep("b", 306),
			want: notify.SegmentCount{Encoding: "GSM-7", Segments: 2, Units: 306}, parts: []string{rep("b", 153), rep("b", 153)}},
		{name: "307 GSM chars are 3 segments", body: rep("c", 307),
			want: notify.SegmentCount{Encoding: "GSM-7", Segments: 3, Units: 307}, parts: []string{rep("c", 153), rep("c", 153), "c"}},
		{name: "whole basic table costs 1 septet each", body: gsmBasic,
			want: notify.SegmentCount{Encoding: "GSM-7", Segments: 1, Units: 127}},
		{name: "extension table costs 2 septets each", body: gsmExtension,
			want: notify.SegmentCount{Encoding: "GSM-7", Segments: 1, Units: 20}},
		{name: "80 euro signs are 160 septets in 1 segment", body: rep("€", 80),
			want: notify.SegmentCount{Encoding: "GSM-7", Segments: 1, Units: 160}, parts: []string{rep("€", 80)}},
		{name: "81 euro signs are 2 segments", body: rep("€", 81),
			want: notify.SegmentCount{Encoding: "GSM-7", Segments: 2, Units: 162}, parts: []string{rep("€", 76), rep("€", 5)}},
		{name: "80 braces are 160 septets in 1 segment", body: rep("{", 80),
			want: notify.SegmentCount{Encoding: "GSM-7", Segments: 1, Units: 160}},
		{name: "escape pair at boundary moves whole", body: rep("a", 152) + "€" + rep("b", 10),
			want:  notify.SegmentCount{Encoding: "GSM-7", Segments: 2, Units: 164},
			parts: []string{rep("a", 152), "€" + rep("b", 10)}},
		{name: "ASCII escape pair at boundary moves whole", body: rep("a", 152) + "[" + rep("b", 10),
			want:  notify.SegmentCount{Encoding: "GSM-7", Segments: 2, Units: 164},
			parts: []string{rep("a", 152), "[" + rep("b", 10)}},
		{name: "escape pair moving adds a segment", body: rep("a", 152) + "€" + rep("b", 152),
			want:  notify.SegmentCount{Encoding: "GSM-7", Segments: 3, Units: 306},
			parts: []string{rep("a", 152), "€" + rep("b", 151), "b"}},
		{name: "CR LF at boundary moves whole", body: rep("a", 152) + "\r\n" + rep("b", 10),
			want:  notify.SegmentCount{Encoding: "GSM-7", Segments: 2, Units: 164},
			parts: []string{rep("a", 152), "\r\n" + rep("b", 10)}},
		{name: "capital C cedilla is GSM-7", body: "Ça va",
			want: notify.SegmentCount{Encoding: "GSM-7", Segments: 1, Units: 5}},
		{name: "small c cedilla switches to UCS-2", body: "Garçon",
			want: notify.SegmentCount{Encoding: "UCS-2", Segments: 1, Units: 6}},
		{name: "emoji switches to UCS-2", body: "Done " + grin,
			want: notify.SegmentCount{Encoding: "UCS-2", Segments: 1, Units: 7}},
		{name: "backtick switches to UCS-2", body: "run `make`",
			want: notify.SegmentCount{Encoding: "UCS-2", Segments: 1, Units: 10}},
		{name: "tab switches to UCS-2", body: "a\tb",
			want: notify.SegmentCount{Encoding: "UCS-2", Segments: 1, Units: 3}},
		{name: "one late non-GSM character makes all of it UCS-2", body: rep("a", 100) + "ç",
			want:  notify.SegmentCount{Encoding: "UCS-2", Segments: 2, Units: 101},
			parts: []string{rep("a", 67), rep("a", 33) + "ç"}},
		{name: "extension characters cost 1 unit in UCS-2", body: "ç" + rep("€", 69),
			want: notify.SegmentCount{Encoding: "UCS-2", Segments: 1, Units: 70}},
		{name: "70 UCS-2 units are 1 segment", body: rep("ç", 70),
			want: notify.SegmentCount{Encoding: "UCS-2", Segments: 1, Units: 70}, parts: []string{rep("ç", 70)}},
		{name: "71 UCS-2 units are 67 + 4", body: rep("ç", 71),
			want: notify.SegmentCount{Encoding: "UCS-2", Segments: 2, Units: 71}, parts: []string{rep("ç", 67), rep("ç", 4)}},
		{name: "35 emoji are 70 units in 1 segment", body: rep(grin, 35),
			want: notify.SegmentCount{Encoding: "UCS-2", Segments: 1, Units: 70}},
		{name: "surrogate pair at the 67 boundary moves whole", body: rep("ç", 66) + grin + rep("ç", 4),
			want:  notify.SegmentCount{Encoding: "UCS-2", Segments: 2, Units: 72},
			parts: []string{rep("ç", 66), grin + rep("ç", 4)}},
		{name: "ZWJ family straddling the boundary moves whole", body: rep("ç", 60) + family + rep("ç", 5),
			want:  notify.SegmentCount{Encoding: "UCS-2", Segments: 2, Units: 73},
			parts: []string{rep("ç", 60), family + rep("ç", 5)}},
		{name: "flag straddling the boundary moves whole", body: rep("ç", 65) + flagDE + rep("ç", 5),
			want:  notify.SegmentCount{Encoding: "UCS-2", Segments: 2, Units: 74},
			parts: []string{rep("ç", 65), flagDE + rep("ç", 5)}},
		{name: "flags pair up at the boundary", body: rep("ç", 61) + flagDE + flagFR + flagIT,
			want:  notify.SegmentCount{Encoding: "UCS-2", Segments: 2, Units: 73},
			parts: []string{rep("ç", 61) + flagDE, flagFR + flagIT}},
		{name: "combining accent stays with its letter", body: rep("ç", 66) + eAcute + rep("ç", 4),
			want:  notify.SegmentCount{Encoding: "UCS-2", Segments: 2, Units: 72},
			parts: []string{rep("ç", 66), eAcute + rep("ç", 4)}},
		{name: "combining accent after ASCII at the boundary", body: rep("a", 66) + eAcute + rep("a", 4),
			want:  notify.SegmentCount{Encoding: "UCS-2", Segments: 2, Units: 72},
			parts: []string{rep("a", 66), eAcute + rep("a", 4)}},
		{name: "grapheme moving adds a segment", body: rep("ç", 66) + grin + rep("ç", 66),
			want:  notify.SegmentCount{Encoding: "UCS-2", Segments: 3, Units: 134},
			parts: []string{rep("ç", 66), grin + rep("ç", 65), "ç"}},
		{name: "grapheme longer than a part is cut between code points", body: "a" + rep("\u0301", 100),
			want:  notify.SegmentCount{Encoding: "UCS-2", Segments: 2, Units: 101},
			parts: []string{"a" + rep("\u0301", 66), rep("\u0301", 34)}, pathological: true},
		{name: "grapheme longer than a part keeps surrogate pairs", body: rep("ç", 10) + "a" + rep("\U0001D167", 40),
			want:  notify.SegmentCount{Encoding: "UCS-2", Segments: 2, Units: 91},
			parts: []string{rep("ç", 10) + "a" + rep("\U0001D167", 28), rep("\U0001D167", 12)}, pathological: true},
		{name: "invalid UTF-8 is UCS-2", body: "caf\xe9 ok",
			want: notify.SegmentCount{Encoding: "UCS-2", Segments: 1, Units: 7}},
		{name: "long mixed text", body: rep("Grüße aus Köln! "+grin+" "+flagDE+" café"+"\u0301"+"\r\n", 12),
			want: notify.SegmentCount{Encoding: "UCS-2", Segments: 6, Units: 12 * 31}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := notify.CountSegments(tc.body)
			assert.Equal(t, tc.want, got)

			parts := notify.SplitSegments(tc.body)
			if tc.parts != nil {
				assert.Equal(t, tc.parts, parts)
			}
			assert.Len(t, parts, got.Segments, "SplitSegments and CountSegments disagree")
			assert.Equal(t, tc.body, strings.Join(parts, ""))

			// Units, measured independently of the implementation.
			switch got.Encoding {
			case notify.EncodingGSM7:
				assert.Equal(t, septets(t, tc.body), got.Units)
			case notify.EncodingUCS2:
				assert.Equal(t, utf16Len(strings.ToValidUTF8(tc.body, "\uFFFD")), got.Units)
			default:
				t.Fatalf("encoding %q", got.Encoding)
			}

			limit := map[string][2]int{notify.EncodingGSM7: {160, 153}, notify.EncodingUCS2: {70, 67}}[got.Encoding]
			maxUnits := limit[1]
			if len(parts) == 1 {
				maxUnits = limit[0]
			}
			boundaries := graphemeBoundaries(tc.body)
			offset := 0
			for i, p := range parts {
				assert.NotEmpty(t, p, "part %d", i)
				if got.Encoding == notify.EncodingGSM7 {
					assert.LessOrEqual(t, septets(t, p), maxUnits, "part %d", i)
				} else {
					assert.LessOrEqual(t, utf16Len(p), maxUnits, "part %d", i)
				}
				if i > 0 {
					// Go strings hold code points, so a cut inside a surrogate pair (or any
					// code point) would leave invalid UTF-8 behind.
					assert.True(t, utf8.ValidString(p) || !utf8.ValidString(tc.body), "part %d is cut inside a code point", i)
					if !tc.pathological {
						assert.True(t, boundaries[offset], "part %d begins inside a grapheme cluster", i)
					}
				}
				offset += len(p)
			}
		})
	}
}

// graphemeBoundaries returns the byte offsets at which grapheme clusters of s begin.
func graphemeBoundaries(s string) map[int]bool {
	b := map[int]bool{}
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		from, _ := g.Positions()
		b[from] = true
	}
	return b
}

func TestGSMTables(t *testing.T) {
	require.Equal(t, 127, utf8.RuneCountInString(gsmBasic), "the default alphabet has 128 codes, one of them the escape")
	require.Equal(t, 10, utf8.RuneCountInString(gsmExtension))
	for _, r := range gsmBasic {
		assert.Equal(t, notify.SegmentCount{Encoding: "GSM-7", Segments: 1, Units: 1}, notify.CountSegments(string(r)), "%q", r)
	}
	for _, r := range gsmExtension {
		assert.Equal(t, notify.SegmentCount{Encoding: "GSM-7", Segments: 1, Units: 2}, notify.CountSegments(string(r)), "%q", r)
	}
	// Every other code point up to U+20AC (€) and a few beyond must switch to UCS-2.
	for r := rune(0); r <= 0x20AC; r++ {
		if strings.ContainsRune(gsmBasic+gsmExtension, r) || (r >= 0xD800 && r <= 0xDFFF) {
			continue
		}
		got := notify.CountSegments(string(r))
		if !assert.Equal(t, notify.EncodingUCS2, got.Encoding, "%U %q", r, r) {
			continue
		}
		assert.Equal(t, 1, got.Units, "%U", r)
	}
	for _, r := range []rune{'\U0001F600', '\U0001D167', '\U0010FFFF'} {
		assert.Equal(t, notify.SegmentCount{Encoding: "UCS-2", Segments: 1, Units: 2}, notify.CountSegments(string(r)), "%U", r)
	}
}

func TestCountSegmentsDoesNotAllocate(t *testing.T) {
	for name, body := range map[string]string{
		"GSM-7": rep("Ticket T-000123: pump P-200 leaks oil, pressure drops after 10 min. ", 5) + "Grüße, Ådne €\r\n",
		"UCS-2": rep("Garçon "+grin+family+flagDE+eAcute+" ", 10),
	} {
		t.Run(name, func(t *testing.T) {
			require.Greater(t, notify.CountSegments(body).Segments, 1)
			assert.Zero(t, testing.AllocsPerRun(100, func() { notify.CountSegments(body) }))
		})
	}
}
