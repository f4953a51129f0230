package licensing

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/tollgate-dev/tollgate/token"
)

// Activation is what a verified activation token says, and whether the request that returned
// it was applied by the server (Applied, Counted).
//
// Its String, GoString and LogValue methods leave out Token, so printing or logging an
// Activation never shows the token (which holds the license key).
type Activation struct {
	ID, ProductID, LicenseID, Fingerprint                     string
	IssuedAt, ExpiresAt, LeaseExpiresAt, GracePeriodExpiresAt time.Time // zero = not set
	ServerSyncInterval, AllowedClockOffset                    time.Duration
	Suspended                                                 bool
	Token                                                     string // the raw JWT

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
		AllowedClockOffset: c.AllowedClockOffset, Suspended: c.Suspended, Token: raw,
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

// String describes the activation without its token.
func (a Activation) String() string {
	s := fmt.Sprintf("activation %s of license %s (%s)", a.ID, a.LicenseID, a.Type)
	if a.Trial {
		s = "trial activation " + a.ID
	}
	if !a.ExpiresAt.IsZero() {
		s += ", expires " + a.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if a.Suspended {
		s += ", suspended"
	}
	return s
}

// GoString is String, so that %#v does not print the token either.
func (a Activation) GoString() string { return a.String() }

// LogValue makes slog print the activation's facts, never its token.
func (a Activation) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", a.ID), slog.String("license", a.LicenseID), slog.String("type", a.Type),
		slog.Time("expires", a.ExpiresAt), slog.Bool("suspended", a.Suspended))
}
