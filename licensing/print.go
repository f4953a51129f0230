package licensing

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// The methods below make the types that hold a license key as a plain string impossible to
// print with it, through fmt (every verb), log/slog or encoding/json. Update and
// ActivationRequest are inputs whose Key stays a string, as an app's dialog gives it; a Client
// holds the key that seals its records. Activation needs no such methods: its token is a
// [secret.Value].

// String describes the update without its license key or device challenge signature.
func (u Update) String() string {
	s := "licensing update (key redacted"
	if u.ReleaseVersion != "" {
		s += ", release " + u.ReleaseVersion
	}
	return s + ", " + strconv.Itoa(len(u.Metadata)) + " metadata, " + strconv.Itoa(len(u.MeterAttributes)) + " meter attributes)"
}

// GoString is what %#v prints: String.
func (u Update) GoString() string { return u.String() }

// Format prints String for every verb (%q quotes it).
func (u Update) Format(f fmt.State, verb rune) { redact.Format(f, verb, u.String(), u.GoString()) }

// LogValue makes slog print the update without its secrets.
func (u Update) LogValue() slog.Value {
	return slog.GroupValue(slog.String("releaseVersion", u.ReleaseVersion),
		slog.Int("metadata", len(u.Metadata)), slog.Int("meterAttributes", len(u.MeterAttributes)))
}

// updateFields is Update without its methods, for MarshalJSON.
type updateFields Update

// MarshalJSON writes every field but Key and DeviceChallengeSignature, for logs.
func (u Update) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		updateFields
		Key                      redact.Omitted `json:",omitempty"`
		DeviceChallengeSignature redact.Omitted `json:",omitempty"`
	}{updateFields: updateFields(u)})
}

// String describes the request without its license key.
func (r ActivationRequest) String() string {
	return "licensing activation request (key redacted, app version " + strconv.Quote(r.AppVersion) + ")"
}

// GoString is what %#v prints: String.
func (r ActivationRequest) GoString() string { return r.String() }

// Format prints String for every verb (%q quotes it).
func (r ActivationRequest) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, r.String(), r.GoString())
}

// LogValue makes slog print the request without its license key.
func (r ActivationRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("appVersion", r.AppVersion), slog.Int("metadata", len(r.Metadata)),
		slog.Int("meterAttributes", len(r.MeterAttributes)))
}

// activationRequestFields is ActivationRequest without its methods, for MarshalJSON.
type activationRequestFields ActivationRequest

// MarshalJSON writes every field but Key, for logs.
func (r ActivationRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		activationRequestFields
		Key redact.Omitted `json:",omitempty"`
	}{activationRequestFields: activationRequestFields(r)})
}

// String names the client's product, and nothing more.
func (c *Client) String() string {
	return "licensing client for product " + strconv.Quote(c.cfg.ProductID)
}

// GoString is what %#v prints: String.
func (c *Client) GoString() string { return c.String() }

// Format prints String for every verb (%q quotes it).
func (c *Client) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String(), c.GoString()) }

// LogValue makes slog print the client's product only.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("product", c.cfg.ProductID))
}
