package licensing

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/transport"
)

// Error categories, for errors.Is; details come from [*APIError], [*RateLimitError] and
// [*ValidationError] through errors.As. docs/LICENSING.md says what the cache drops on each.
var (
	// ErrNotActivated means nothing is cached on this machine (or it cannot be read back).
	ErrNotActivated = errs.ErrNotActivated
	// ErrTokenInvalid means a bad signature, algorithm, shape, product or license key.
	ErrTokenInvalid = errs.ErrTokenInvalid
	// ErrFingerprintMismatch means the token belongs to another machine, or the server said so.
	ErrFingerprintMismatch = errs.ErrFingerprintMismatch
	// ErrClockOutOfSync means the token was issued further ahead than its allowed clock offset.
	ErrClockOutOfSync = errs.ErrClockOutOfSync
	// ErrClockRolledBack means the clock is behind a time this machine already reached.
	ErrClockRolledBack = errs.ErrClockRolledBack
	// ErrLeaseExpired means the floating lease ended; the key is kept and [Client.Sync] renews it.
	ErrLeaseExpired = errs.ErrLeaseExpired
	// ErrGracePeriodOver means the server-sync grace period ended (comes with a non-nil *Activation).
	ErrGracePeriodOver = errs.ErrGracePeriodOver
	// ErrExpired means the license expired (comes with a non-nil *Activation).
	ErrExpired = errs.ErrExpired
	// ErrSuspended means the license is suspended (comes with a non-nil *Activation).
	ErrSuspended = errs.ErrSuspended
	// ErrActivationNotFound means the API answered 404 with its JSON error; the cached token is
	// dropped. A 404 in any other shape (a proxy's page) is [ErrBadResponse].
	ErrActivationNotFound = errs.ErrActivationNotFound
	// ErrRateLimited means the server asked for a longer wait than the retry policy allows: a
	// 429, or any answer with such a Retry-After (a 503, say); see [*RateLimitError].
	ErrRateLimited = errs.ErrRateLimited
	// ErrOutcomeUnknown means a metered request may have been applied: never resend it blindly
	// ([Client.CheckApplied] tells).
	ErrOutcomeUnknown = errs.ErrOutcomeUnknown
	// ErrInvalidRequest means the request broke the API's rules; see [*ValidationError].
	ErrInvalidRequest = errs.ErrInvalidRequest
	// ErrNotCached means the server's token was verified but the store did not keep it (comes
	// with a non-nil *Activation; matches [ErrCacheUnavailable] too).
	ErrNotCached = errs.ErrNotCached
	// ErrCacheUnavailable means the store cannot be read or written now (a locked keychain, say):
	// a license may well be cached, so never ask for a key because of it.
	ErrCacheUnavailable = errs.ErrCacheUnavailable
	// ErrBadResponse means the answer was not what the API promises: a redirect, a 2xx without
	// a readable token, or a 4xx whose body is not the API's JSON error (a proxy's or captive
	// portal's page; *transport.StatusError has its status). Nothing is dropped: retry later.
	ErrBadResponse = errs.ErrBadResponse

	// ErrActivationLimitReached means ACTIVATION_LIMIT_REACHED: every seat is taken.
	ErrActivationLimitReached = errs.ErrActivationLimitReached
	// ErrMeterLimitReached means METER_ATTRIBUTE_USES_LIMIT_REACHED: no increment was counted.
	ErrMeterLimitReached = errs.ErrMeterLimitReached
	// ErrLicenseRevoked means REVOKED_LICENSE; the cached token is dropped.
	ErrLicenseRevoked = errs.ErrLicenseRevoked
	// ErrInvalidLicenseKey means INVALID_LICENSE_KEY; the cached token is dropped.
	ErrInvalidLicenseKey = errs.ErrInvalidLicenseKey
	// ErrInvalidLicenseType means INVALID_LICENSE_TYPE; the cached token is dropped.
	ErrInvalidLicenseType = errs.ErrInvalidLicenseType
	// ErrInvalidProductID means INVALID_PRODUCT_ID: [Config.ProductID] is wrong.
	ErrInvalidProductID = errs.ErrInvalidProductID
	// ErrVMNotAllowed means VM_ACTIVATION_NOT_ALLOWED: no activation in a VM or a container.
	ErrVMNotAllowed = errs.ErrVMNotAllowed
	// ErrContainerNotAllowed means CONTAINER_ACTIVATION_NOT_ALLOWED; check [ErrVMNotAllowed] too.
	ErrContainerNotAllowed = errs.ErrContainerNotAllowed
	// ErrAuthenticationFailed means AUTHENTICATION_FAILED, which activation calls do not expect.
	ErrAuthenticationFailed = errs.ErrAuthenticationFailed
	// ErrCountryNotAllowed means COUNTRY_NOT_ALLOWED; the cached token is dropped.
	ErrCountryNotAllowed = errs.ErrCountryNotAllowed
	// ErrIPAddressNotAllowed means IP_ADDRESS_NOT_ALLOWED; the cached token is dropped.
	ErrIPAddressNotAllowed = errs.ErrIPAddressNotAllowed
	// ErrTrialNotAllowed means TRIAL_NOT_ALLOWED: the product offers no trial.
	ErrTrialNotAllowed = errs.ErrTrialNotAllowed
	// ErrTrialActivationLimitReached means TRIAL_ACTIVATION_LIMIT_REACHED: no trial left.
	ErrTrialActivationLimitReached = errs.ErrTrialActivationLimitReached
	// ErrDeactivationLimitReached means 409 DEACTIVATION_LIMIT_REACHED; the activation stays.
	ErrDeactivationLimitReached = errs.ErrDeactivationLimitReached
)

// APIError is a non-2xx answer from the server. errors.Is matches the code's sentinel
// ([ErrLicenseRevoked], ...), 404 [ErrActivationNotFound] and 429 [ErrRateLimited].
type APIError struct {
	StatusCode    int
	Code, Message string
	ReasonPhrase  string      // the reasonPhrase some servers add to the body
	RequestID     string      // the X-Request-Id or X-Amzn-Requestid header, if any
	Header        http.Header // the response's headers
}

// Error reads "licensing: API error 400 REVOKED_LICENSE: <message>", without secrets.
func (e *APIError) Error() string {
	s := "licensing: API error " + strconv.Itoa(e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is matches the category of the server's code or status.
func (e *APIError) Is(target error) bool {
	if target == nil {
		return false
	}
	if c := errs.ForCode(e.Code); c != nil && c == target {
		return true
	}
	switch e.StatusCode {
	case http.StatusNotFound:
		return target == ErrActivationNotFound
	case http.StatusTooManyRequests:
		return target == ErrRateLimited
	}
	return false
}

// RateLimitError is an answer asking for a longer wait than the retry policy allows: a 429, or
// any answer that is not the API's verdict with such a Retry-After (a 503, a proxy's page). It
// came after one request, and matches [ErrRateLimited]. A 429 was not applied; see
// [ErrOutcomeUnknown] for a metered request that met a 5xx.
type RateLimitError struct {
	RetryAfter time.Duration // how long the server asked the client to wait
	Err        *APIError     // the server's answer; nil when it was not the API's
}

// Error says how long the server asked to wait.
func (e *RateLimitError) Error() string {
	return "licensing: rate limited: retry after " + e.RetryAfter.String()
}

// Unwrap returns ErrRateLimited and the server's answer.
func (e *RateLimitError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrRateLimited}
	}
	return []error{ErrRateLimited, e.Err}
}

// fromTransport is the one place where an error of package transport becomes licensing's. A
// *transport.APIError becomes an *APIError and a *transport.RateLimitError a *RateLimitError;
// any other error is wrapped so that its chain also holds licensing's counterparts of what it
// wraps (transport.ErrOutcomeUnknown: ErrOutcomeUnknown; transport.ErrBadResponse:
// ErrBadResponse; an answer: its *APIError), and its text starts with "licensing: ".
func fromTransport(err error) error {
	if err == nil {
		return nil
	}
	switch e := err.(type) {
	case *transport.APIError:
		return apiErrorOf(e)
	case *transport.RateLimitError:
		return rateLimitErrorOf(e)
	}
	w := &transportError{err: err}
	if errors.Is(err, transport.ErrOutcomeUnknown) {
		w.also = append(w.also, ErrOutcomeUnknown)
	}
	if errors.Is(err, transport.ErrBadResponse) {
		w.also = append(w.also, ErrBadResponse)
	}
	var rl *transport.RateLimitError
	var apiErr *transport.APIError
	switch {
	case errors.As(err, &rl):
		w.also = append(w.also, rateLimitErrorOf(rl))
	case errors.As(err, &apiErr):
		w.also = append(w.also, apiErrorOf(apiErr))
	}
	return w
}

func apiErrorOf(e *transport.APIError) *APIError {
	if e == nil {
		return nil
	}
	return &APIError{StatusCode: e.StatusCode, Code: e.Code, Message: e.Message, ReasonPhrase: e.ReasonPhrase,
		RequestID: e.RequestID, Header: e.Header}
}

func rateLimitErrorOf(e *transport.RateLimitError) *RateLimitError {
	return &RateLimitError{RetryAfter: e.RetryAfter, Err: apiErrorOf(e.Err)}
}

// transportError is an error of package transport seen from licensing: see fromTransport.
type transportError struct {
	err  error   // transport's error: its text, and its chain (ctx's errors included)
	also []error // licensing's counterparts of what err wraps
}

func (e *transportError) Error() string { return "licensing: " + e.err.Error() }

func (e *transportError) Unwrap() []error { return append(e.also[:len(e.also):len(e.also)], e.err) }
