package token

import (
	"errors"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

func TestCheckTimeBoundaries(t *testing.T) {
	t.Parallel()
	now := testNow
	iat := now.Add(-time.Hour)
	base := func() *Claims {
		return &Claims{IssuedAt: iat, AllowedClockOffset: 5 * time.Minute, ServerSyncInterval: time.Hour}
	}
	for _, tc := range []struct {
		name string
		mod  func(c *Claims)
		want error
	}{
		{"valid", func(c *Claims) {}, nil},
		{"iat ahead by exactly aco", func(c *Claims) { c.IssuedAt = now.Add(5 * time.Minute) }, nil},
		{"iat ahead by aco+1s", func(c *Claims) { c.IssuedAt = now.Add(5*time.Minute + time.Second) }, errs.ErrClockOutOfSync},
		{"aco 0, iat 1s ahead", func(c *Claims) { c.AllowedClockOffset = 0; c.IssuedAt = now.Add(time.Second) }, errs.ErrClockOutOfSync},
		{"lease ends now", func(c *Claims) { c.LeaseExpiresAt = now }, nil},
		{"lease ended 1s ago", func(c *Claims) { c.LeaseExpiresAt = now.Add(-time.Second) }, errs.ErrLeaseExpired},
		{"lease before iat", func(c *Claims) { c.IssuedAt = now; c.LeaseExpiresAt = now.Add(-time.Second) }, errs.ErrLeaseExpired},
		{"grace ends now", func(c *Claims) { c.GracePeriodExpiresAt = now }, nil},
		{"grace over 1s ago", func(c *Claims) { c.GracePeriodExpiresAt = now.Add(-time.Second) }, errs.ErrGracePeriodOver},
		{"grace over but no sync required", func(c *Claims) { c.ServerSyncInterval = 0; c.GracePeriodExpiresAt = now.Add(-time.Hour) }, nil},
		{"expires now", func(c *Claims) { c.ExpiresAt = now }, nil},
		{"expired 1s ago", func(c *Claims) { c.ExpiresAt = now.Add(-time.Second) }, errs.ErrExpired},
		{"expiry before iat", func(c *Claims) { c.ExpiresAt = iat.Add(-time.Second); c.IssuedAt = iat }, errs.ErrExpired},
		{"suspended", func(c *Claims) { c.Suspended = true }, errs.ErrSuspended},
		// The order: each earlier rule wins over every later one.
		{"clock before lease", func(c *Claims) {
			c.IssuedAt = now.Add(time.Hour)
			c.LeaseExpiresAt = now.Add(-time.Hour)
		}, errs.ErrClockOutOfSync},
		{"lease before grace", func(c *Claims) {
			c.LeaseExpiresAt = now.Add(-time.Second)
			c.GracePeriodExpiresAt = now.Add(-time.Second)
		}, errs.ErrLeaseExpired},
		{"grace before expiry", func(c *Claims) {
			c.GracePeriodExpiresAt = now.Add(-time.Second)
			c.ExpiresAt = now.Add(-time.Second)
		}, errs.ErrGracePeriodOver},
		{"expiry before suspension", func(c *Claims) {
			c.ExpiresAt = now.Add(-time.Second)
			c.Suspended = true
		}, errs.ErrExpired},
	} {
		c := base()
		tc.mod(c)
		err := CheckTime(c, now)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}
