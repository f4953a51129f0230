// Package errs holds the error categories shared by every tollgate package.
//
// The values are re-exported by package licensing, which is where application code names them.
// They live here so that token, which licensing imports, can wrap them too.
package errs

import "errors"

// Categories, re-exported by licensing. Their texts carry no secret.
var (
	ErrNotActivated        = errors.New("licensing: not activated")
	ErrTokenInvalid        = errors.New("licensing: activation token invalid")
	ErrFingerprintMismatch = errors.New("licensing: fingerprint mismatch")
	ErrClockOutOfSync      = errors.New("licensing: system clock out of sync")
	ErrClockRolledBack     = errors.New("licensing: system clock rolled back")
	ErrLeaseExpired        = errors.New("licensing: lease expired")
	ErrGracePeriodOver     = errors.New("licensing: server sync grace period over")
	ErrExpired             = errors.New("licensing: license expired")
	ErrSuspended           = errors.New("licensing: license suspended")
	ErrActivationNotFound  = errors.New("licensing: activation not found")
	ErrRateLimited         = errors.New("licensing: rate limited")
	ErrOutcomeUnknown      = errors.New("licensing: outcome unknown")
	ErrInvalidRequest      = errors.New("licensing: invalid request")
	ErrBadResponse         = errors.New("licensing: unexpected response from server")
	ErrNotCached           = errors.New("licensing: activation verified but not cached")
	ErrCacheUnavailable    = errors.New("licensing: activation cache unavailable")
	ErrUnverified          = errors.New("licensing: the server applied the request, but its token did not verify")

	ErrActivationLimitReached      = errors.New("licensing: activation limit reached")
	ErrMeterLimitReached           = errors.New("licensing: meter attribute uses limit reached")
	ErrLicenseRevoked              = errors.New("licensing: license revoked")
	ErrInvalidLicenseKey           = errors.New("licensing: invalid license key")
	ErrInvalidLicenseType          = errors.New("licensing: invalid license type")
	ErrInvalidProductID            = errors.New("licensing: invalid product id")
	ErrVMNotAllowed                = errors.New("licensing: activation in a virtual machine not allowed")
	ErrContainerNotAllowed         = errors.New("licensing: activation in a container not allowed")
	ErrAuthenticationFailed        = errors.New("licensing: authentication failed")
	ErrCountryNotAllowed           = errors.New("licensing: country not allowed")
	ErrIPAddressNotAllowed         = errors.New("licensing: IP address not allowed")
	ErrTrialNotAllowed             = errors.New("licensing: trial not allowed")
	ErrTrialActivationLimitReached = errors.New("licensing: trial activation limit reached")
	ErrDeactivationLimitReached    = errors.New("licensing: deactivation limit reached")
)

// Server error codes, as the API spells them.
const (
	CodeInvalidFingerprint          = "INVALID_ACTIVATION_FINGERPRINT"
	CodeActivationLimitReached      = "ACTIVATION_LIMIT_REACHED"
	CodeMeterLimitReached           = "METER_ATTRIBUTE_USES_LIMIT_REACHED"
	CodeAuthenticationFailed        = "AUTHENTICATION_FAILED"
	CodeInvalidProductID            = "INVALID_PRODUCT_ID"
	CodeInvalidLicenseKey           = "INVALID_LICENSE_KEY"
	CodeInvalidLicenseType          = "INVALID_LICENSE_TYPE"
	CodeVMNotAllowed                = "VM_ACTIVATION_NOT_ALLOWED"
	CodeContainerNotAllowed         = "CONTAINER_ACTIVATION_NOT_ALLOWED" // inferred, not documented
	CodeRevokedLicense              = "REVOKED_LICENSE"
	CodeCountryNotAllowed           = "COUNTRY_NOT_ALLOWED"
	CodeIPAddressNotAllowed         = "IP_ADDRESS_NOT_ALLOWED"
	CodeTrialNotAllowed             = "TRIAL_NOT_ALLOWED"
	CodeTrialActivationLimitReached = "TRIAL_ACTIVATION_LIMIT_REACHED"
	CodeDeactivationLimitReached    = "DEACTIVATION_LIMIT_REACHED"
)

// ForCode returns the category of a server error code, or nil for a code it does not know.
func ForCode(code string) error {
	switch code {
	case CodeInvalidFingerprint:
		return ErrFingerprintMismatch
	case CodeActivationLimitReached:
		return ErrActivationLimitReached
	case CodeMeterLimitReached:
		return ErrMeterLimitReached
	case CodeAuthenticationFailed:
		return ErrAuthenticationFailed
	case CodeInvalidProductID:
		return ErrInvalidProductID
	case CodeInvalidLicenseKey:
		return ErrInvalidLicenseKey
	case CodeInvalidLicenseType:
		return ErrInvalidLicenseType
	case CodeVMNotAllowed:
		return ErrVMNotAllowed
	case CodeContainerNotAllowed:
		return ErrContainerNotAllowed
	case CodeRevokedLicense:
		return ErrLicenseRevoked
	case CodeCountryNotAllowed:
		return ErrCountryNotAllowed
	case CodeIPAddressNotAllowed:
		return ErrIPAddressNotAllowed
	case CodeTrialNotAllowed:
		return ErrTrialNotAllowed
	case CodeTrialActivationLimitReached:
		return ErrTrialActivationLimitReached
	case CodeDeactivationLimitReached:
		return ErrDeactivationLimitReached
	}
	return nil
}
