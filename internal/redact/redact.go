// Package redact helps types that hold secrets print without them: through fmt (every verb),
// log/slog and encoding/json.
package redact

import (
	"fmt"
	"io"
	"strconv"
)

// Format writes what a type that holds secrets prints for verb: goString for %#v, a quoted
// text for %q, and text for every other verb. Writing through fmt.Formatter rather than only
// String matters: without it, verbs such as %d or %x print a struct field by field.
func Format(f fmt.State, verb rune, text, goString string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, goString)
	case verb == 'q':
		io.WriteString(f, strconv.Quote(text))
	default:
		io.WriteString(f, text)
	}
}

// Omitted is the type of a field that shadows a secret field in a MarshalJSON wrapper: a nil
// Omitted with `json:",omitempty"` leaves the secret out.
type Omitted *struct{}
