package token

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// The methods below make Claims impossible to print with its license key (Key) or its raw
// payload, through fmt (every verb), log/slog or encoding/json. The data stays reachable through
// the fields and [Claims.Raw].

// String describes the claims without the license key: activation, product, license, type,
// expiry and suspension.
func (c Claims) String() string {
	s := "token claims of activation " + c.ActivationID + " (product " + c.ProductID + ", license " + c.LicenseID
	if c.Type != "" {
		s += ", " + c.Type
	}
	if !c.ExpiresAt.IsZero() {
		s += ", expires " + c.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if c.Suspended {
		s += ", suspended"
	}
	return s + ")"
}

// GoString is what %#v prints: the identifying fields, without the license key.
func (c Claims) GoString() string {
	return "token.Claims{ActivationID:" + strconv.Quote(c.ActivationID) + ", ProductID:" + strconv.Quote(c.ProductID) +
		", LicenseID:" + strconv.Quote(c.LicenseID) + ", Type:" + strconv.Quote(c.Type) + ", Key:<redacted>}"
}

// Format prints String for every verb (%q quotes it) and GoString for %#v, so that no verb
// prints the fields one by one.
func (c Claims) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String(), c.GoString()) }

// LogValue makes slog print the claims' facts, never the license key or the payload.
func (c Claims) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("activation", c.ActivationID), slog.String("product", c.ProductID),
		slog.String("license", c.LicenseID), slog.String("type", c.Type),
		slog.Time("issued", c.IssuedAt), slog.Time("expires", c.ExpiresAt), slog.Bool("suspended", c.Suspended))
}

// claimsFields is Claims without its methods, for MarshalJSON.
type claimsFields Claims

// MarshalJSON writes every field under its Go name except Key, the license key. The raw
// payload is never written.
func (c Claims) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		claimsFields
		Key redact.Omitted `json:",omitempty"`
	}{claimsFields: claimsFields(c)})
}

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
