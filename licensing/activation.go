package licensing

import (
	"time"

	"github.com/tollgate-dev/tollgate/secret"
	"github.com/tollgate-dev/tollgate/token"
)

// Activation is what a verified activation token says, and whether the request that returned
// it was applied by the server (Applied, Counted).
//
// Token is a [secret.Value] and Claims a pointer to claims whose license key is one too, so
// Activation needs no print methods: fmt (%+v shows the fields), log/slog and encoding/json
// print it, by value or by pointer, even through an app's unexported field, and never show the
// token or the key. Token.Reveal returns the raw JWT.
type Activation struct {
	ID, ProductID, LicenseID, Fingerprint                     string
	IssuedAt, ExpiresAt, LeaseExpiresAt, GracePeriodExpiresAt time.Time // zero = not set
	ServerSyncInterval, AllowedClockOffset                    time.Duration
	Suspended                                                 bool
	Token                                                     secret.Value // the raw JWT; Reveal returns it

	Type                 string        // license type: node-locked, hosted-floating, ...
	OS                   string        // the operating system the activation was made on
	FingerprintStrategy  string        // exact, fuzzy or loose
	LeaseDuration        time.Duration // hosted floating licenses
	LeasingStrategy      string
	FloatingClients      int64
	Name, Email, Company string // the licensee

	ProductMetadata, LicenseMetadata, UserMetadata, ActivationMetadata token.Metadata
	LicenseMeterAttributes                                             []token.LicenseMeter
	ActivationMeterAttributes                                          []token.ActivationMeter

	// Claims holds every claim, unknown ones included (see token.Claims.Extra).
	Claims *token.Claims

	// Applied is true when this Activation is the server's answer to a request this call sent:
	// the server applied that request (and counted its increments), whatever error came with
	// it. It is false from Validate, and from Activate when the cache already held the
	// activation and nothing was sent.
	Applied bool
	// Counted lists the meter increments the server counted with that request: the request's
	// non-zero ones, all or none, since the server applies a request whole. nil when Applied is
	// false or the request carried none. The totals after it are in ActivationMeterAttributes and
	// LicenseMeterAttributes.
	Counted []MeterAttribute

	// Trial is set when this is a trial activation ([Client.ActivateTrial], [Client.ValidateTrial]):
	// ExpiresAt is then the trial's end, and LicenseID, Type and the licensee are whatever the
	// trial token carries, usually nothing.
	Trial bool
}

func activationOf(c *token.Claims, raw string) *Activation {
	return &Activation{
		ID: c.ActivationID, ProductID: c.ProductID, LicenseID: c.LicenseID, Fingerprint: c.Fingerprint,
		IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt, LeaseExpiresAt: c.LeaseExpiresAt,
		GracePeriodExpiresAt: c.GracePeriodExpiresAt, ServerSyncInterval: c.ServerSyncInterval,
		AllowedClockOffset: c.AllowedClockOffset, Suspended: c.Suspended, Token: secret.New(raw),
		Type: c.Type, OS: c.OS, FingerprintStrategy: c.FingerprintStrategy, LeaseDuration: c.LeaseDuration,
		LeasingStrategy: c.LeasingStrategy, FloatingClients: c.FloatingClients,
		Name: c.Name, Email: c.Email, Company: c.Company,
		ProductMetadata: c.ProductMetadata, LicenseMetadata: c.LicenseMetadata, UserMetadata: c.UserMetadata,
		ActivationMetadata: c.ActivationMetadata, LicenseMeterAttributes: c.LicenseMeterAttributes,
		ActivationMeterAttributes: c.ActivationMeterAttributes, Claims: c,
	}
}

// Meter returns the license's meter attribute name (case-insensitive) with this activation's
// uses of it.
func (a *Activation) Meter(name string) (m token.LicenseMeter, activationUses int64, ok bool) {
	if a.Claims == nil {
		return m, 0, false
	}
	m, ok = a.Claims.Meter(name)
	activationUses, _ = a.Claims.ActivationUses(name)
	return m, activationUses, ok
}
