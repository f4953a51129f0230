package token

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// Binding's LicenseKey is an input the caller fills with a plain string, as it does
// licensing's Update.Key, so Binding keeps the methods below: through fmt (every verb),
// log/slog and encoding/json it prints its fingerprint, never the license key. (Claims needs
// no such methods: its secrets are [secret.Value]s.)

// String describes the binding without its license key.
func (b Binding) String() string { return "token binding to fingerprint " + b.Fingerprint }

// GoString is what %#v prints: the binding without its license key.
func (b Binding) GoString() string {
	return "token.Binding{LicenseKey:<redacted>, Fingerprint:" + strconv.Quote(b.Fingerprint) + "}"
}

// Format prints String for every verb (%q quotes it) and GoString for %#v.
func (b Binding) Format(f fmt.State, verb rune) { redact.Format(f, verb, b.String(), b.GoString()) }

// LogValue makes slog print the fingerprint, never the license key.
func (b Binding) LogValue() slog.Value {
	return slog.GroupValue(slog.String("fingerprint", b.Fingerprint))
}

// MarshalJSON writes the fingerprint only.
func (b Binding) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ Fingerprint string }{b.Fingerprint})
}
