// Package redact keeps secrets out of printed text: it finds a secret in text a server sent,
// whatever its spelling ([Matcher]), and helps the few types that hold a secret as a plain
// string print without it, through fmt (every verb) and encoding/json. (log/slog prints
// through the same two.)
//
// # Spellings
//
// A server, or a box in the middle, can echo a secret other than as sent: in another letter
// case or width, with its separators dropped or changed, reversed, encoded (URL, HTML, base64,
// hex), or only in part. Literal matching misses all of these; [Matcher] compares only the
// letters and digits, folded, window by window ([Run] in a row), in the text and in what the
// text decodes to. Parts shorter than [Run] letters and digits still pass: a server can leak
// at most [Run]-1 characters of a secret in a row. Spellings it does not know (look-alike
// letters from other scripts, other encodings, a secret split across several texts) pass too;
// docs/THREAT-MODEL.md lists them.
package redact

import (
	"fmt"
	"io"
	"strconv"
)

// Format writes text for verb: quoted for %q, as it is for every other verb, %#v included.
// Writing through fmt.Formatter rather than only String matters: without it, verbs such as %d
// or %x print a struct field by field.
func Format(f fmt.State, verb rune, text string) {
	if verb == 'q' {
		text = strconv.Quote(text)
	}
	io.WriteString(f, text)
}

// Omitted is the type of a field that shadows a secret field in a MarshalJSON wrapper: a nil
// Omitted with `json:",omitempty"` leaves the secret out.
type Omitted *struct{}
