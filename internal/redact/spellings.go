package redact

import (
	"sort"
	"unicode"
	"unicode/utf8"
)

// Run is the fewest letters and digits of a secret, in a row, that [Matcher] finds: a server
// that echoes only a part of a key (its first 20 of 27 characters, say) gets any run of Run of
// them redacted. A secret with fewer letters and digits is found whole.
const Run = 8

// minEncoded is the shortest run of base64 or hex digits worth decoding: fewer cannot hold Run
// characters.
const minEncoded = Run

// Matcher finds secrets in text whatever their spelling: in any letter case (simple Unicode
// folding), in full width, with separators added, removed or changed (dashes, spaces, invisible
// characters: only letters and digits are compared), reversed, URL-, HTML- (numeric entities),
// JSON- (\u) or C- (\x) escaped, base64 (standard or URL alphabet, any alignment, with or
// without padding) or hex encoded, up to two encodings deep, and in part (any Run letters and
// digits in a row of the secret). It is built once per set of secrets; its zero value and nil
// find nothing. It is safe for concurrent use.
type Matcher struct {
	grams map[int]map[uint64]struct{} // window length → hashes of the secrets' windows, both directions
	bloom *[bloomBits / 64]uint64     // every hash in grams, one bit each: most windows stop here
}

const bloomBits = 1 << 16

// NewMatcher returns a matcher of secrets. Secrets with no letter or digit are left out: the
// caller replaces them literally.
func NewMatcher(secrets []string) *Matcher {
	m := &Matcher{}
	for _, s := range secrets {
		var sk []rune
		for _, r := range s {
			if f, ok := fold(r); ok {
				sk = append(sk, f)
			}
		}
		if len(sk) == 0 {
			continue
		}
		w := min(Run, len(sk))
		if m.grams == nil {
			m.grams = map[int]map[uint64]struct{}{}
		}
		set := m.grams[w]
		if set == nil {
			set = map[uint64]struct{}{}
			m.grams[w] = set
		}
		rev := make([]rune, len(sk))
		for i, r := range sk {
			rev[len(sk)-1-i] = r
		}
		if m.bloom == nil {
			m.bloom = new([bloomBits / 64]uint64)
		}
		for _, seq := range [][]rune{sk, rev} {
			for i := 0; i+w <= len(seq); i++ {
				h := hashRunes(seq[i : i+w])
				set[h] = struct{}{}
				m.bloom[h%bloomBits/64] |= 1 << (h % 64)
			}
		}
	}
	return m
}

// Replace returns s with every span that spells a secret replaced by with; s itself when none
// does. Its work is linear in len(s): s is read as it is, URL/HTML-unescaped, and base64- and
// hex-decoded from both of these, 14 readings at most.
func (m *Matcher) Replace(s, with string) string {
	if m == nil || len(m.grams) == 0 || s == "" {
		return s
	}
	var spans []span
	var sc decoded // reused by every decoding: each is marked before the next is made
	raw := rawView(s)
	m.decodeAndMark(raw, &sc, &spans)
	if w, ok := unescape(raw); ok {
		m.decodeAndMark(w, &sc, &spans)
	}
	if len(spans) == 0 {
		return s
	}
	return splice(s, spans, with)
}

// unit is one character of a view of the text, with the bytes of the original text it came
// from.
type unit struct {
	r          rune
	start, end int32
}

// view is the text, or the text decoded, character by character.
type view []unit

type span struct{ start, end int32 }

func rawView(s string) view {
	v := make(view, 0, len(s))
	for i, r := range s {
		v = append(v, unit{r, int32(i), int32(i + utf8.RuneLen(r))})
	}
	// utf8.RuneLen of RuneError is 3, yet an invalid byte is one: fix the ends up.
	for i := range v {
		if i+1 < len(v) {
			v[i].end = v[i+1].start
		} else {
			v[i].end = int32(len(s))
		}
	}
	return v
}

// decodeAndMark marks the secrets found in v and in its base64 and hex decodings.
func (m *Matcher) decodeAndMark(v view, sc *decoded, spans *[]span) {
	m.mark(v, spans)
	for k := range 4 {
		if w := unbase64(v, k, sc); len(w) >= Run {
			m.mark(w, spans)
		}
	}
	for k := range 2 {
		if w := unhex(v, k, sc); len(w) >= Run {
			m.mark(w, spans)
		}
	}
}

// mark compares v's letters and digits, folded, window by window with the secrets', with a
// rolling hash (hashRunes, one window after the other).
func (m *Matcher) mark(v view, spans *[]span) {
	for w, set := range m.grams {
		var ring [Run]unit // the window's letters and digits
		var h uint64
		pw := powHash(w - 1)
		n := 0
		for _, u := range v {
			f, ok := fold(u.r)
			if !ok {
				continue
			}
			if n >= w {
				h -= uint64(ring[n%w].r) * pw
			}
			h = h*hashBase + uint64(f)
			ring[n%w] = unit{f, u.start, u.end}
			n++
			if n < w || m.bloom[h%bloomBits/64]&(1<<(h%64)) == 0 {
				continue
			}
			if _, ok := set[h]; ok {
				*spans = append(*spans, span{ring[n%w].start, u.end})
			}
		}
	}
}

// fold returns r as it is compared: full-width forms as their ASCII letters and digits, in one
// letter case; ok is false for anything but a letter or a digit.
func fold(r rune) (rune, bool) {
	if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
		r -= 0xFEE0
	}
	if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
		return 0, false
	}
	return unicode.ToLower(unicode.ToUpper(r)), true
}

// hashBase is the rolling hash's base: odd, large, with no pattern in its bits.
const hashBase = 0x9E3779B97F4A7C15

// hashRunes is the polynomial hash of rs modulo 2^64, which mark rolls along a text. A
// collision only redacts more.
func hashRunes(rs []rune) uint64 {
	var h uint64
	for _, r := range rs {
		h = h*hashBase + uint64(r)
	}
	return h
}

// powHash is hashBase to the power n.
func powHash(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= hashBase
	}
	return p
}

// decoded collects the bytes a decoder produces, each with the span it came from, and reads
// them back as UTF-8 (an invalid byte is a character that matches nothing). reset makes it ready
// for another decoding, keeping its buffers.
type decoded struct {
	b     []byte
	spans []span
	out   view
}

func (d *decoded) reset(n int) {
	d.b, d.spans, d.out = d.b[:0], d.spans[:0], d.out[:0]
	if cap(d.b) < n {
		d.b, d.spans = make([]byte, 0, n), make([]span, 0, n)
	}
}

func (d *decoded) add(b byte, start, end int32) {
	d.b = append(d.b, b)
	d.spans = append(d.spans, span{start, end})
}

func (d *decoded) addRune(r rune, start, end int32) {
	var buf [utf8.UTFMax]byte
	for _, b := range buf[:utf8.EncodeRune(buf[:], r)] {
		d.add(b, start, end)
	}
}

// gap separates runs that were apart in the text, so that their ends do not join.
func (d *decoded) gap(at int32) { d.add(0, at, at) }

func (d *decoded) view() view {
	v := d.out[:0]
	if cap(v) < len(d.b) {
		v = make(view, 0, len(d.b))
	}
	for i := 0; i < len(d.b); {
		r, n := utf8.DecodeRune(d.b[i:])
		v = append(v, unit{r, d.spans[i].start, d.spans[i+n-1].end})
		i += n
	}
	d.out = v
	return v
}

// unescape decodes %XX, &#N; and &#xH; (other entities become separators), \uXXXX and \xXX,
// and + as a space. ok is false when v holds none of them.
func unescape(v view) (view, bool) {
	var d decoded
	d.reset(len(v))
	changed := false
	for i := 0; i < len(v); i++ {
		u := v[i]
		switch {
		case u.r == '%' && i+2 < len(v) && isHex(v[i+1].r) && isHex(v[i+2].r):
			d.add(byte(hexVal(v[i+1].r)<<4|hexVal(v[i+2].r)), u.start, v[i+2].end)
			i += 2
			changed = true
			continue
		case u.r == '\\' && i+1 < len(v) && (v[i+1].r == 'u' || v[i+1].r == 'x'):
			n := 4
			if v[i+1].r == 'x' {
				n = 2
			}
			if r, ok := hexRun(v, i+2, n); ok {
				if n == 2 {
					d.add(byte(r), u.start, v[i+1+n].end)
				} else {
					d.addRune(r, u.start, v[i+1+n].end)
				}
				i += 1 + n
				changed = true
				continue
			}
		case u.r == '&':
			if r, j, ok := entity(v, i); ok {
				if r >= 0 {
					d.addRune(r, u.start, v[j].end)
				} else {
					d.gap(u.start)
				}
				i = j
				changed = true
				continue
			}
		case u.r == '+':
			d.add(' ', u.start, u.end)
			changed = true
			continue
		}
		d.addRune(u.r, u.start, u.end)
	}
	if !changed {
		return nil, false
	}
	return d.view(), true
}

// entity reads an HTML character reference at v[i] ('&'): it returns the character (-1 for a
// named one) and the index of its ';'.
func entity(v view, i int) (rune, int, bool) {
	j := i + 1
	if j < len(v) && v[j].r == '#' {
		base := int32(10)
		j++
		if j < len(v) && (v[j].r == 'x' || v[j].r == 'X') {
			base = 16
			j++
		}
		var r int32
		digits := 0
		for ; j < len(v) && digits < 7; j++ {
			c := v[j].r
			if base == 16 && isHex(c) {
				r = r*16 + hexVal(c)
			} else if base == 10 && c >= '0' && c <= '9' {
				r = r*10 + (c - '0')
			} else {
				break
			}
			digits++
		}
		if digits == 0 || j >= len(v) || v[j].r != ';' || r > unicode.MaxRune { // 7 digits cannot overflow
			return 0, 0, false
		}
		return r, j, true
	}
	for n := 0; j < len(v) && n < 32; j, n = j+1, n+1 {
		c := v[j].r
		if c == ';' && n > 0 {
			return -1, j, true
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			break
		}
	}
	return 0, 0, false
}

// hexRun reads n hex digits at v[i:].
func hexRun(v view, i, n int) (rune, bool) {
	if i+n > len(v) {
		return 0, false
	}
	var r rune
	for _, u := range v[i : i+n] {
		if !isHex(u.r) {
			return 0, false
		}
		r = r<<4 | hexVal(u.r)
	}
	return r, true
}

func isHex(r rune) bool { return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' }

func hexVal(r rune) rune {
	switch {
	case r >= 'a':
		return r - 'a' + 10
	case r >= 'A':
		return r - 'A' + 10
	}
	return r - '0'
}

// b64 returns the value of a base64 digit of either alphabet, or -1.
func b64(r rune) int {
	switch {
	case r >= 'A' && r <= 'Z':
		return int(r - 'A')
	case r >= 'a' && r <= 'z':
		return int(r-'a') + 26
	case r >= '0' && r <= '9':
		return int(r-'0') + 52
	case r == '+' || r == '-':
		return 62
	case r == '/' || r == '_':
		return 63
	}
	return -1
}

// unbase64 decodes each run of base64 digits in v, skipping its first skip digits (so that
// the four calls cover every alignment of a secret inside a longer encoding).
func unbase64(v view, skip int, d *decoded) view {
	d.reset(len(v))
	for i := 0; i < len(v); {
		if b64(v[i].r) < 0 {
			i++
			continue
		}
		j := i
		for j < len(v) && b64(v[j].r) >= 0 {
			j++
		}
		if j-i-skip >= minEncoded {
			var acc, bits int
			from := v[i+skip].start
			for _, u := range v[i+skip : j] {
				acc = acc<<6 | b64(u.r)
				bits += 6
				if bits >= 8 {
					bits -= 8
					d.add(byte(acc>>bits), from, u.end)
					acc &= 1<<bits - 1
					from = u.start
				}
			}
			d.gap(v[j-1].end)
		}
		i = j
	}
	return d.view()
}

// unhex decodes each run of hex digits in v (which may be split by ':', '-', ' ' or ',' between
// pairs), skipping its first skip digits.
func unhex(v view, skip int, d *decoded) view {
	d.reset(len(v) / 2)
	for i := 0; i < len(v); {
		if !isHex(v[i].r) {
			i++
			continue
		}
		j, digits := i, 0
		for ; j < len(v); j++ {
			if r := v[j].r; isHex(r) {
				digits++
			} else if r != ':' && r != '-' && r != ' ' && r != ',' {
				break
			}
		}
		if digits-skip >= 2*minEncoded {
			var hi unit
			n := 0
			for _, u := range v[i:j] {
				if !isHex(u.r) {
					continue
				}
				if n++; n <= skip {
					continue
				}
				if (n-skip)%2 == 1 {
					hi = u
					continue
				}
				d.add(byte(hexVal(hi.r)<<4|hexVal(u.r)), hi.start, u.end)
			}
			d.gap(v[j-1].end)
		}
		i = j
	}
	return d.view()
}

// byStart orders spans by their start. (sort.Sort, already in every binary that links net/http,
// rather than slices.SortFunc, whose instantiation for span would add 6 KB to the SDK.)
type byStart []span

func (b byStart) Len() int           { return len(b) }
func (b byStart) Less(i, j int) bool { return b[i].start < b[j].start }
func (b byStart) Swap(i, j int)      { b[i], b[j] = b[j], b[i] }

// splice returns s with each span, merged with those it overlaps or touches, replaced by with.
func splice(s string, spans []span, with string) string {
	sort.Sort(byStart(spans))
	out := make([]byte, 0, len(s))
	last := int32(0)
	for i := 0; i < len(spans); {
		cur := spans[i]
		for i++; i < len(spans) && spans[i].start <= cur.end; i++ {
			cur.end = max(cur.end, spans[i].end)
		}
		if cur.start < last {
			cur.start = last
		}
		out = append(out, s[last:cur.start]...)
		out = append(out, with...)
		last = cur.end
	}
	return string(append(out, s[last:]...))
}
