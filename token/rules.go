package token

import (
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

// CheckTime applies the server's time rules to verified claims at now, in the vendor client's
// order:
//
//  1. iat ahead of now by more than aco: ErrClockOutOfSync.
//  2. leat set and before now or before iat: ErrLeaseExpired (the cached token must be dropped).
//  3. ssi and ssgpeat set and ssgpeat before now: ErrGracePeriodOver.
//  4. eat set and before now or before iat: ErrExpired.
//  5. suspended: ErrSuspended.
//
// For the last three the token is genuine and still says what the license's state is.
func CheckTime(c *Claims, now time.Time) error {
	if c.IssuedAt.Sub(now) > c.AllowedClockOffset {
		return fmt.Errorf("%w: the token was issued %s ahead of this clock (allowed %s)",
			errs.ErrClockOutOfSync, c.IssuedAt.Sub(now).Round(time.Second), c.AllowedClockOffset)
	}
	if t := c.LeaseExpiresAt; !t.IsZero() && (t.Before(now) || t.Before(c.IssuedAt)) {
		return fmt.Errorf("%w at %s", errs.ErrLeaseExpired, t.UTC().Format(time.RFC3339))
	}
	if t := c.GracePeriodExpiresAt; c.ServerSyncInterval != 0 && !t.IsZero() && t.Before(now) {
		return fmt.Errorf("%w at %s", errs.ErrGracePeriodOver, t.UTC().Format(time.RFC3339))
	}
	if t := c.ExpiresAt; !t.IsZero() && (t.Before(now) || t.Before(c.IssuedAt)) {
		return fmt.Errorf("%w at %s", errs.ErrExpired, t.UTC().Format(time.RFC3339))
	}
	if c.Suspended {
		return errs.ErrSuspended
	}
	return nil
}
