// Package secret holds values that must never be printed: license keys, activation tokens,
// passwords and signatures.
//
// A [Value] keeps its text behind a pointer. Through its methods it prints as "[redacted]"
// with every fmt verb, in log/slog and in encoding/json. Where fmt or slog print it by
// reflection instead (as a field of a struct reached through an unexported field, where no
// method is called), they find only the pointer and print an address, never the text. So a
// type that holds secrets in Values needs no print methods of its own, and %+v shows its other
// fields.
//
// Inputs stay plain strings (licensing.Update.Key, ActivationRequest.Key, token.Binding's
// LicenseKey): their types print without the key through their own Format and MarshalJSON, but
// an app that keeps one in an unexported field of its own struct prints it by reflection, as it
// would any string it holds.
package secret

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
)

// Redacted is what a non-empty Value prints as.
const Redacted = "[redacted]"

// Value is a secret string. The zero Value is empty. Values are compared with [Value.Equal],
// never ==, which compares the pointers.
type Value struct {
	p *string
}

// New returns a Value holding s; New("") is the zero Value.
func New(s string) Value {
	if s == "" {
		return Value{}
	}
	return Value{p: &s}
}

// Reveal returns the secret text: for sending it, never for printing it.
func (v Value) Reveal() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

// IsZero reports whether v is empty.
func (v Value) IsZero() bool { return v.p == nil || *v.p == "" }

// Equal reports whether v holds s, in time independent of where they differ.
func (v Value) Equal(s string) bool {
	return subtle.ConstantTimeCompare([]byte(v.Reveal()), []byte(s)) == 1
}

// String returns [Redacted], or "" for an empty Value.
func (v Value) String() string {
	if v.IsZero() {
		return ""
	}
	return Redacted
}

// Format prints String for every verb (%q quotes it, %#v prints secret.Value("[redacted]")),
// so that no verb, %x included, prints the text.
func (v Value) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "secret.Value(%q)", v.String())
	case verb == 'q':
		fmt.Fprintf(f, "%q", v.String())
	default:
		io.WriteString(f, v.String())
	}
}

// MarshalJSON writes String as a JSON string.
func (v Value) MarshalJSON() ([]byte, error) { return json.Marshal(v.String()) }

// MarshalText writes String, for encoders that use encoding.TextMarshaler (log/slog's text
// handler among them).
func (v Value) MarshalText() ([]byte, error) { return []byte(v.String()), nil }
