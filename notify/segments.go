package notify

import (
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// The encodings an SMS body is sent in.
const (
	// EncodingGSM7 is the GSM 03.38 default alphabet with its extension table: 7-bit septets,
	// extension characters taking two (an escape and the character).
	EncodingGSM7 = "GSM-7"
	// EncodingUCS2 is UTF-16, used for the whole body as soon as one character is outside
	// GSM-7.
	EncodingUCS2 = "UCS-2"
)

// An SMS carries 140 octets: 160 septets or 70 UTF-16 units. A part of a concatenated message
// gives 6 octets to its user data header, leaving 153 septets or 67 units.
const (
	gsmSingle = 160
	gsmPart   = 153
	ucsSingle = 70
	ucsPart   = 67
)

// SegmentCount is how an SMS body is sent.
type SegmentCount struct {
	Encoding string // "GSM-7" or "UCS-2"
	Segments int    // number of SMS parts (0 for an empty body)
	Units    int    // septets (GSM-7, extension characters count 2) or UTF-16 code units (UCS-2)
}

// CountSegments reports the encoding, the number of SMS parts and the size in encoding units
// of body, as SplitSegments would send it: up to 160 septets (GSM-7) or 70 UTF-16 units
// (UCS-2) go in one SMS; longer bodies are cut into parts of at most 153 septets or 67 units,
// never inside an escape pair, a surrogate pair or a grapheme cluster, so a long body may need
// one part more than its size alone suggests. An empty body is GSM-7 with 0 segments. Bytes
// that are not valid UTF-8 count as U+FFFD, which makes the body UCS-2. CountSegments does not
// allocate.
func CountSegments(body string) SegmentCount {
	if body == "" {
		return SegmentCount{Encoding: EncodingGSM7}
	}
	// One pass packs the body both ways, as the encoding is known only at the end.
	gsm := packer{limit: gsmPart}
	ucs := packer{limit: ucsPart}
	isGSM := true
	it := clusters{s: body, state: -1}
	for off, c, ok := it.next(); ok; off, c, ok = it.next() {
		septets, units, inGSM := clusterCost(c)
		if isGSM {
			if inGSM {
				gsm.addCluster(off, c, septets, gsmSeptets)
			} else {
				isGSM = false
			}
		}
		ucs.addCluster(off, c, units, utf16Units)
	}
	if isGSM {
		return gsm.count(EncodingGSM7, gsmSingle)
	}
	return ucs.count(EncodingUCS2, ucsSingle)
}

// SplitSegments returns the parts body is sent as, in order; concatenated they equal body.
// A body that fits one SMS is returned whole, an empty body as no parts. Longer bodies are cut
// into parts of at most 153 septets (GSM-7) or 67 UTF-16 units (UCS-2); a cut never falls
// inside an escape pair, a surrogate pair or a grapheme cluster (an emoji sequence, a flag, a
// letter with its combining accents), which moves whole to the next part. Only a single
// grapheme cluster longer than a part is cut, between its code points. len(SplitSegments(b))
// equals CountSegments(b).Segments.
func SplitSegments(body string) []string {
	sc := CountSegments(body)
	switch sc.Segments {
	case 0:
		return nil
	case 1:
		return []string{body}
	}
	p := packer{limit: gsmPart, record: true, cuts: make([]int, 0, sc.Segments-1)}
	runeCost := gsmSeptets
	if sc.Encoding == EncodingUCS2 {
		p.limit, runeCost = ucsPart, utf16Units
	}
	it := clusters{s: body, state: -1}
	for off, c, ok := it.next(); ok; off, c, ok = it.next() {
		septets, units, _ := clusterCost(c)
		cost := septets
		if sc.Encoding == EncodingUCS2 {
			cost = units
		}
		p.addCluster(off, c, cost, runeCost)
	}
	parts := make([]string, 0, len(p.cuts)+1)
	start := 0
	for _, cut := range p.cuts {
		parts = append(parts, body[start:cut])
		start = cut
	}
	return append(parts, body[start:])
}

// packer fills parts of limit units greedily with indivisible items.
type packer struct {
	limit  int
	total  int // units of the whole body
	used   int // units in the current part
	parts  int
	record bool  // whether to record cuts
	cuts   []int // byte offsets at which the second and later parts begin
}

// add places an item of cost units that starts at byte offset off.
func (p *packer) add(off, cost int) {
	switch {
	case p.parts == 0:
		p.parts = 1
	case p.used+cost > p.limit:
		p.parts++
		p.used = 0
		if p.record {
			p.cuts = append(p.cuts, off)
		}
	}
	p.used += cost
	p.total += cost
}

// addCluster places grapheme cluster c, starting at byte offset off and costing cost units,
// whole; a cluster that cannot fit any part is placed code point by code point, each costing
// runeCost, so that at least escape and surrogate pairs stay whole.
func (p *packer) addCluster(off int, c string, cost int, runeCost func(rune) int) {
	if cost <= p.limit {
		p.add(off, cost)
		return
	}
	for i, r := range c {
		p.add(off+i, runeCost(r))
	}
}

// count is the SegmentCount of what was packed; a body within single fits one SMS.
func (p *packer) count(encoding string, single int) SegmentCount {
	n := p.parts
	if p.total <= single {
		n = 1
	}
	return SegmentCount{Encoding: encoding, Segments: n, Units: p.total}
}

// clusters walks the grapheme clusters of s. An ASCII character followed by another is a
// cluster of its own (CR LF excepted), so runs of ASCII, the bulk of most bodies, bypass
// uniseg.
type clusters struct {
	s     string
	off   int
	state int // uniseg's state, -1 after the fast path
}

// next returns the next cluster and its byte offset in s, or ok false at the end.
func (c *clusters) next() (off int, cluster string, ok bool) {
	if c.off >= len(c.s) {
		return 0, "", false
	}
	rest := c.s[c.off:]
	var n int
	if rest[0] < utf8.RuneSelf && (len(rest) == 1 || rest[1] < utf8.RuneSelf) {
		n = 1
		if rest[0] == '\r' && len(rest) > 1 && rest[1] == '\n' {
			n = 2
		}
		c.state = -1
	} else {
		var cl string
		cl, _, _, c.state = uniseg.FirstGraphemeClusterInString(rest, c.state)
		n = len(cl)
	}
	off = c.off
	c.off += n
	return off, rest[:n], true
}

// clusterCost returns the septets and UTF-16 units of c, and whether GSM-7 can carry it.
func clusterCost(c string) (septets, units int, inGSM bool) {
	inGSM = true
	for _, r := range c {
		s := gsmSeptets(r)
		if s == 0 {
			inGSM = false
		}
		septets += s
		units += utf16Units(r)
	}
	return septets, units, inGSM
}

// utf16Units returns the UTF-16 code units of r: 2 for a surrogate pair, else 1 (U+FFFD
// stands in for invalid UTF-8).
func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// gsmSeptets returns the septets r takes in GSM 03.38: 1 in the default alphabet, 2 in the
// extension table, 0 when GSM-7 cannot carry it.
func gsmSeptets(r rune) int {
	if r < utf8.RuneSelf {
		switch {
		case r == '\f', r == '^', r == '{', r == '}', r == '\\', r == '[', r == ']', r == '~', r == '|':
			return 2
		case r == '\n', r == '\r':
			return 1
		case r == '`': // the only printable ASCII character missing from GSM-7
			return 0
		case r >= ' ' && r <= '~':
			return 1
		}
		return 0 // other control characters, tab included
	}
	switch r {
	case '£', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', 'Ø', 'ø', 'Å', 'å',
		'Δ', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ',
		'Æ', 'æ', 'ß', 'É', '¤', '¡', 'Ä', 'Ö', 'Ñ', 'Ü', '§', '¿', 'ä', 'ö', 'ñ', 'ü', 'à':
		return 1
	case '€':
		return 2
	}
	return 0
}
