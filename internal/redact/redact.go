// Package redact helps the few types that hold a secret as a plain string print without it:
// through fmt (every verb) and encoding/json. (log/slog prints through the same two.)
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
