package licensing

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/tollgate-dev/tollgate/internal/redact"
)

// Update and ActivationRequest are inputs whose Key (and ActivationRequest's named-user
// Email and Password) stay plain strings, as an app's dialog gives them; the methods below keep it out of fmt (every verb), log/slog (whose handlers print
// through fmt and encoding/json) and encoding/json. Activation needs no such methods: its
// token is a [secret.Value]. A Client prints its product only: its Config holds the app's
// Store, whose own fields may show what it keeps. (What a Client learns while in use sits
// behind a pointer, so that even fmt's fallback for a bad verb, which prints a struct reached
// through an unexported field without calling Format, never reads it while it changes.)

// Format prints a summary without the license key or device challenge signature.
func (u Update) Format(f fmt.State, verb rune) {
	s := "licensing update (key redacted"
	if u.ReleaseVersion != "" {
		s += ", release " + u.ReleaseVersion
	}
	redact.Format(f, verb, s+", "+strconv.Itoa(len(u.Metadata))+" metadata, "+strconv.Itoa(len(u.MeterAttributes))+" meter attributes)")
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

// Format prints a summary without the license key and the named user's credentials.
func (r ActivationRequest) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "licensing activation request (key redacted, app version "+strconv.Quote(r.AppVersion)+")")
}

// activationRequestFields is ActivationRequest without its methods, for MarshalJSON.
type activationRequestFields ActivationRequest

// MarshalJSON writes every field but Key, Email and Password, for logs.
func (r ActivationRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		activationRequestFields
		Key      redact.Omitted `json:",omitempty"`
		Email    redact.Omitted `json:",omitempty"`
		Password redact.Omitted `json:",omitempty"`
	}{activationRequestFields: activationRequestFields(r)})
}

// Format prints the client's product, and nothing more.
func (c *Client) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "licensing client for product "+strconv.Quote(c.cfg.ProductID))
}

// PasswordSignIn and OIDCSignIn are inputs too: their e-mail, password, second-factor code and
// id token stay plain strings and never print.

// Format prints a summary without the e-mail, the password and the second-factor code.
func (r PasswordSignIn) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "licensing password sign-in (e-mail, password and code redacted, account "+strconv.Quote(r.AccountID)+")")
}

// MarshalJSON writes the account id only, for logs.
func (r PasswordSignIn) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ AccountID string }{r.AccountID})
}

// Format prints a summary without the id token.
func (r OIDCSignIn) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "licensing OIDC sign-in (id token redacted, account "+strconv.Quote(r.AccountID)+")")
}

// MarshalJSON writes the account id only, for logs.
func (r OIDCSignIn) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ AccountID string }{r.AccountID})
}
