package licensing

import (
	"time"

	"github.com/tollgate-dev/tollgate/secret"
	"github.com/tollgate-dev/tollgate/token"
)

// Activation is what a verified activation token says, and whether the server applied the
// request that returned it. It prints (fmt, slog, JSON) without its token or license key.
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
	LeasingStrategy      string        // hosted floating licenses
	FloatingClients      int64         // floating licenses
	Name, Email, Company string        // the licensee

	ProductMetadata, LicenseMetadata, UserMetadata, ActivationMetadata token.Metadata
	LicenseMeterAttributes                                             []token.LicenseMeter
	ActivationMeterAttributes                                          []token.ActivationMeter

	Claims  *token.Claims    // every claim, unknown ones included
	Applied bool             // the server applied the request this call sent, whatever the error (with ErrUnverified, only Applied, Counted and Trial are set)
	Counted []MeterAttribute // the increments that request counted (all or none); nil if none
	Trial   bool             // a trial: ExpiresAt is its end
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
