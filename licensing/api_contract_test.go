package licensing_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/fingerprint"
	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/secret"
	"github.com/tollgate-dev/tollgate/store"
	"github.com/tollgate-dev/tollgate/transport"
	"github.com/tollgate-dev/tollgate/webhook"
)

// TestAPIContract spells out the public API of shared/API.md, so that a rename or a changed
// signature fails to compile here before it breaks an application or an outside suite.
func TestAPIContract(t *testing.T) {
	var (
		_ fingerprint.Machine                                        = fingerprint.Machine{OS: "", OSVersion: "", Hostname: "", Fingerprint: "", UserHash: "", VMName: "", Container: false}
		_ func(context.Context, string) (fingerprint.Machine, error) = fingerprint.Collect

		_ store.Store                                       = store.NewMemory()
		_ error                                             = store.ErrNotFound
		_ func(string) store.Store                          = store.NewKeychain
		_ func() store.Store                                = store.NewMemory
		_ transport.RetryPolicy                             = transport.RetryPolicy{MaxRetries: 0, MinWait: time.Duration(0), MaxWait: time.Duration(0)}
		_ func(licensing.Config) (*licensing.Client, error) = licensing.New

		_ = licensing.Config{ProductID: "", PublicKey: "", BaseURL: "", AppID: "", HTTPClient: (*http.Client)(nil),
			Store: store.Store(nil), Retry: transport.RetryPolicy{}, Logger: (*slog.Logger)(nil), Now: (func() time.Time)(nil),
			Machine: (*fingerprint.Machine)(nil)}
		_ = licensing.Update{Key: "", AccountID: "", UserID: "", ReleaseVersion: "", ReleaseChannel: "", ReleasePlatform: "",
			ReleasePublishedAt: time.Time{}, LeaseDuration: (*int64)(nil), Metadata: []licensing.Metadata{{Key: "", Value: ""}},
			MeterAttributes: []licensing.MeterAttribute{{Name: "", UsesIncrement: int64(0)}}, DeviceID: "", DeviceChallenge: "",
			DeviceChallengeSignature: ""}
		_ func(*licensing.Client, context.Context, string, licensing.Update) (*licensing.Activation, error) = (*licensing.Client).UpdateActivation
		_ func(*licensing.Client, context.Context) (*licensing.Activation, error)                           = (*licensing.Client).Validate
		_ func(*licensing.Client, context.Context, licensing.Update) (*licensing.Activation, error)         = (*licensing.Client).Sync
		_                                                                                                   = licensing.Activation{ID: "", ProductID: "", LicenseID: "", Fingerprint: "", IssuedAt: time.Time{}, ExpiresAt: time.Time{},
			LeaseExpiresAt: time.Time{}, GracePeriodExpiresAt: time.Time{}, ServerSyncInterval: 0, AllowedClockOffset: 0,
			Suspended: false, Token: secret.New("")} // API.md lets Token be the SDK's secret type
		_ func(secret.Value) string = secret.Value.Reveal
		_                           = licensing.APIError{StatusCode: 0, Code: "", Message: ""}
		_                           = licensing.RateLimitError{RetryAfter: time.Duration(0)}
		_                           = licensing.ValidationError{Fields: []licensing.FieldError{{Field: "", Message: ""}}}

		_ error                                                                  = webhook.ErrInvalidSignature
		_ func([]byte, string, string) error                                     = webhook.Verify
		_ func([]byte) (*webhook.Event, error)                                   = webhook.Parse
		_ func(string, func(context.Context, *webhook.Event) error) http.Handler = webhook.Handler
		_ string                                                                 = (&webhook.Event{}).Type
	)
	for _, e := range []error{licensing.ErrNotActivated, licensing.ErrTokenInvalid, licensing.ErrFingerprintMismatch,
		licensing.ErrClockOutOfSync, licensing.ErrClockRolledBack, licensing.ErrLeaseExpired, licensing.ErrGracePeriodOver,
		licensing.ErrExpired, licensing.ErrSuspended, licensing.ErrActivationNotFound, licensing.ErrRateLimited,
		licensing.ErrOutcomeUnknown, licensing.ErrActivationLimitReached, licensing.ErrMeterLimitReached,
		licensing.ErrLicenseRevoked, licensing.ErrInvalidLicenseKey, licensing.ErrVMNotAllowed,
		licensing.ErrContainerNotAllowed, licensing.ErrAuthenticationFailed, licensing.ErrCacheUnavailable} {
		if e == nil || !errors.Is(e, e) {
			t.Fatal("a sentinel is nil")
		}
	}
	// errors.Is(apiErr, ErrLicenseRevoked) matches on Code.
	if !errors.Is(&licensing.APIError{StatusCode: 400, Code: "REVOKED_LICENSE"}, licensing.ErrLicenseRevoked) {
		t.Fatal("APIError does not match on Code")
	}
	var rl error = &licensing.RateLimitError{RetryAfter: time.Minute}
	if !errors.Is(rl, licensing.ErrRateLimited) {
		t.Fatal("RateLimitError does not match ErrRateLimited")
	}
}
