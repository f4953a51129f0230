package transport

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// Redacted replaces a request's secret wherever the server's text repeats it.
const Redacted = "[redacted]"

// minSecretRunes is the shortest secret that is redacted: a shorter value would blank out
// ordinary words of the server's text, and is no secret worth the name.
const minSecretRunes = 4

// redactor removes a request's secrets (see [Request.Secrets]) from text the server sent. Its
// zero value removes nothing.
type redactor struct {
	secrets   []string
	maxRunes  int             // of the longest secret
	spellings *redact.Matcher // the secrets in every other spelling
}

func newRedactor(secrets []string) redactor {
	var r redactor
	for _, s := range secrets {
		if n := utf8.RuneCountInString(s); n >= minSecretRunes {
			r.secrets = append(r.secrets, s)
			r.maxRunes = max(r.maxRunes, n)
		}
	}
	if len(r.secrets) > 0 {
		r.spellings = redact.NewMatcher(r.secrets)
	}
	return r
}

// text returns s without control, format (zero-width, bidi) and invalid characters, with every
// secret replaced by [Redacted] in any letter case, cut to at most max runes. Invisible
// characters go first, so that they cannot split a secret past the redaction; the cut comes
// last, so that it cannot leave part of a secret behind.
func (r redactor) text(s string, max int) string {
	return cut(r.replace(visible(s, max+r.maxRunes)), max)
}

// string removes the secrets from s, which is kept whole (for header values and error texts).
// Should a secret appear only once invisible characters are dropped, the whole of s is
// replaced: it would print as the secret.
func (r redactor) string(s string) string {
	s = r.replace(s)
	if len(r.secrets) > 0 {
		if v := visible(s, len(s)); v != s && r.replace(v) != v {
			return Redacted
		}
	}
	return s
}

// replace removes the secrets from s: as they are, in any letter case, then in every other
// spelling internal/redact knows (width, separators, reversal, encodings, long parts).
func (r redactor) replace(s string) string {
	for _, sec := range r.secrets {
		s = replaceFold(s, sec)
	}
	return r.spellings.Replace(s, Redacted)
}

// maxHeaderValue bounds a header value kept beside a request's secrets: the search for a
// secret in every spelling costs about 125 ns a byte, and a hostile server may send megabytes.
const maxHeaderValue = 8 << 10

// header returns h with the secrets removed from every value (a value over maxHeaderValue bytes
// is cut to it first); a header whose name holds a secret is left out. h itself is not changed.
// Without secrets h is returned as is.
func (r redactor) header(h http.Header) http.Header {
	if len(r.secrets) == 0 || h == nil || !r.changes(h) {
		return h
	}
	out := make(http.Header, len(h))
	for name, vs := range h {
		if r.string(name) != name {
			continue
		}
		c := make([]string, len(vs))
		for i, v := range vs {
			c[i] = r.string(cutBytes(v, maxHeaderValue))
		}
		out[name] = c
	}
	return out
}

// changes reports whether redacting h would change any of its names or values.
func (r redactor) changes(h http.Header) bool {
	for name, vs := range h {
		if r.string(name) != name {
			return true
		}
		for _, v := range vs {
			if len(v) > maxHeaderValue || r.string(v) != v {
				return true
			}
		}
	}
	return false
}

// err returns err unchanged when its text holds no secret. Otherwise it returns an error with
// the redacted text that keeps, of err's chain, only ctx's errors: a chain that holds the
// secret must not reach the caller, where any %v of a wrapped error would print it.
func (r redactor) err(err error) error {
	if err == nil || len(r.secrets) == 0 {
		return err
	}
	msg := err.Error()
	clean := r.string(msg)
	if clean == msg {
		return err
	}
	e := &redactedError{msg: clean}
	for _, keep := range []error{context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, keep) {
			e.kept = append(e.kept, keep)
		}
	}
	return e
}

// redactedError is an error whose text had to be redacted.
type redactedError struct {
	msg  string
	kept []error
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.kept }

// replaceFold replaces every occurrence of sec in s, compared under Unicode case folding, with
// [Redacted].
func replaceFold(s, sec string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if n := prefixFold(s[i:], sec); n > 0 {
			b.WriteString(s[last:i])
			b.WriteString(Redacted)
			i += n
			last = i
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// prefixFold returns the length in bytes of the prefix of s that equals sec under simple case
// folding, or 0 when s does not start with sec.
func prefixFold(s, sec string) int {
	i := 0
	for _, want := range sec {
		if i >= len(s) {
			return 0
		}
		got, size := utf8.DecodeRuneInString(s[i:])
		if got != want && !equalFoldRune(got, want) {
			return 0
		}
		i += size
	}
	return i
}

func equalFoldRune(a, b rune) bool {
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

// visible drops control, format and invalid characters from s and keeps at most max runes of
// the rest (then "…").
func visible(s string, max int) string {
	n := 0
	for _, r := range s {
		if n == max || invisible(r) {
			return dropInvisible(s, max)
		}
		n++
	}
	return s // the common case: nothing to drop or cut, and no copy
}

// invisible reports the runes visible drops.
func invisible(r rune) bool {
	if r < utf8.RuneSelf {
		return r < 0x20 || r == 0x7f
	}
	return unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r)
}

func dropInvisible(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		if invisible(r) {
			continue
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// cut keeps at most max runes of s (then "…") and trims white space.
func cut(s string, max int) string {
	n := 0
	for i := range s {
		if n == max {
			if s[i:] != "…" {
				s = s[:i] + "…"
			}
			break
		}
		n++
	}
	return strings.TrimSpace(s)
}

// cutBytes keeps at most max bytes of s, ending on a whole character, then "…".
func cutBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
