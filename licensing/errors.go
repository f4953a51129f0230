package licensing

import (
	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/transport"
)

// Error categories, for errors.Is. Details come from [*APIError], [*RateLimitError] and
// [*ValidationError] through errors.As.
var (
	// ErrNotActivated: Validate found nothing cached.
	ErrNotActivated = errs.ErrNotActivated
	// ErrTokenInvalid: a bad signature, algorithm, shape, product or license key.
	ErrTokenInvalid = errs.ErrTokenInvalid
	// ErrFingerprintMismatch: the token belongs to another machine (or the server said
	// INVALID_ACTIVATION_FINGERPRINT).
	ErrFingerprintMismatch = errs.ErrFingerprintMismatch
	// ErrClockOutOfSync: the token was issued further in the future than its allowed clock offset.
	ErrClockOutOfSync = errs.ErrClockOutOfSync
	// ErrClockRolledBack: the clock went back past the last recorded check by more than an hour.
	ErrClockRolledBack = errs.ErrClockRolledBack
	// ErrLeaseExpired: the floating lease ended; the cached token is dropped.
	ErrLeaseExpired = errs.ErrLeaseExpired
	// ErrGracePeriodOver comes with a non-nil *Activation: the server-sync grace period ended.
	ErrGracePeriodOver = errs.ErrGracePeriodOver
	// ErrExpired comes with a non-nil *Activation: the license expired.
	ErrExpired = errs.ErrExpired
	// ErrSuspended comes with a non-nil *Activation: the license is suspended.
	ErrSuspended = errs.ErrSuspended
	// ErrActivationNotFound: the server answered 404; the cached token is dropped.
	ErrActivationNotFound = errs.ErrActivationNotFound
	// ErrRateLimited: 429, and the wait asked for is longer than the retry policy allows.
	ErrRateLimited = errs.ErrRateLimited
	// ErrOutcomeUnknown: a request that must not be repeated (it carried meter increments)
	// failed after it may have been applied. Check the server's state before sending it again.
	ErrOutcomeUnknown = errs.ErrOutcomeUnknown
	// ErrInvalidRequest: the request broke the reference page's rules; see [*ValidationError].
	ErrInvalidRequest = errs.ErrInvalidRequest
	// ErrNotCached comes with a non-nil *Activation: the update succeeded and its token
	// verified, but the store refused it or did not answer in time (see token.ErrUnavailable), so
	// the next offline Validate will not see it. It matches ErrCacheUnavailable too.
	ErrNotCached = errs.ErrNotCached
	// ErrCacheUnavailable: the store could not be read or written now: the OS keychain is
	// locked, did not answer in time, or refused (see token.ErrUnavailable), or the store
	// failed otherwise. A license may well be cached: [NeedsActivation] is false for it, and the
	// app must not ask for a license key because of it; ask the user to unlock the keychain
	// and try again later. [Client.Activate] returns it before sending anything, unless
	// [ActivationRequest].AllowUncached is set.
	ErrCacheUnavailable = errs.ErrCacheUnavailable
	// ErrBadResponse: the server's answer was not what the API promises: a redirect, a 2xx
	// whose body is not the expected JSON, holds no token or is over 1 MiB.
	ErrBadResponse = errs.ErrBadResponse

	// One per documented server code; the code is in the [*APIError].
	ErrActivationLimitReached      = errs.ErrActivationLimitReached      // ACTIVATION_LIMIT_REACHED
	ErrMeterLimitReached           = errs.ErrMeterLimitReached           // METER_ATTRIBUTE_USES_LIMIT_REACHED
	ErrLicenseRevoked              = errs.ErrLicenseRevoked              // REVOKED_LICENSE
	ErrInvalidLicenseKey           = errs.ErrInvalidLicenseKey           // INVALID_LICENSE_KEY
	ErrInvalidLicenseType          = errs.ErrInvalidLicenseType          // INVALID_LICENSE_TYPE
	ErrInvalidProductID            = errs.ErrInvalidProductID            // INVALID_PRODUCT_ID
	ErrVMNotAllowed                = errs.ErrVMNotAllowed                // VM_ACTIVATION_NOT_ALLOWED
	ErrContainerNotAllowed         = errs.ErrContainerNotAllowed         // CONTAINER_ACTIVATION_NOT_ALLOWED (inferred)
	ErrAuthenticationFailed        = errs.ErrAuthenticationFailed        // AUTHENTICATION_FAILED
	ErrCountryNotAllowed           = errs.ErrCountryNotAllowed           // COUNTRY_NOT_ALLOWED
	ErrIPAddressNotAllowed         = errs.ErrIPAddressNotAllowed         // IP_ADDRESS_NOT_ALLOWED
	ErrInvalidOfflineRequest       = errs.ErrInvalidOfflineRequest       // INVALID_OFFLINE_REQUEST
	ErrTrialNotAllowed             = errs.ErrTrialNotAllowed             // TRIAL_NOT_ALLOWED
	ErrTrialActivationLimitReached = errs.ErrTrialActivationLimitReached // TRIAL_ACTIVATION_LIMIT_REACHED
	ErrDeactivationLimitReached    = errs.ErrDeactivationLimitReached    // 409 DEACTIVATION_LIMIT_REACHED
)

// APIError is a non-2xx answer from the server. errors.Is(err, ErrLicenseRevoked) matches on
// its Code; 404 matches ErrActivationNotFound.
type APIError = transport.APIError

// RateLimitError carries how long the server asked to wait. It matches ErrRateLimited.
type RateLimitError = transport.RateLimitError
