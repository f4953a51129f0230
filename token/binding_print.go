package token

import (
	"encoding/json"
	"fmt"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// Binding's LicenseKey is an input the caller fills with a plain string, as it does
// licensing's Update.Key, so Binding keeps the methods below: through fmt (every verb),
// log/slog and encoding/json it prints its fingerprint, never the license key. (Claims needs
// no such methods: its secrets are [secret.Value]s.)

// Format prints the fingerprint, never the license key.
func (b Binding) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "token binding to fingerprint "+b.Fingerprint)
}

// MarshalJSON writes the fingerprint only.
func (b Binding) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ Fingerprint string }{b.Fingerprint})
}
