package licensing

import "time"

// Activation is what a verified activation token says.
type Activation struct {
	ID, ProductID, LicenseID, Fingerprint                     string
	IssuedAt, ExpiresAt, LeaseExpiresAt, GracePeriodExpiresAt time.Time // zero = not set
	ServerSyncInterval, AllowedClockOffset                    time.Duration
	Suspended                                                 bool
	Token                                                     string // the raw JWT
}
