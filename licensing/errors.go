package licensing

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/transport"
)

// Error categories, for errors.Is. Details come from [*APIError], [*RateLimitError] and
// [*ValidationError] through errors.As.
var (
	// ErrNotActivated: nothing is cached on this machine (Validate, Sync, Watch, Deactivate), or
	// the cached record cannot be read back. [NeedsActivation] is true for it.
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
	// ErrLeaseExpired: the hosted floating lease ended. The cached token is dropped, but the
	// activation id and license key stay remembered: [Client.Sync] or [Client.Watch] renews the
	// lease the next time the machine is online, without asking the user ([NeedsActivation] is
	// false for it).
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
	// failed after it may have been applied: the connection dropped after the request was sent,
	// the server failed with a 5xx after receiving it, or it answered 2xx with a token that could
	// not be verified. The SDK does not send it again, and neither should the app, blindly.
	//
	// The recipe: sync without increments (that is safe to repeat) and compare this activation's
	// meter uses with what you expected: uses before the request plus its increment means it was
	// applied; uses unchanged means it was not, and it may be sent again. [Client.CheckApplied]
	// does exactly that, given the *Activation you held before sending (nil: the cached one).
	// Another process metering the same activation at the same moment (a second instance of the
	// app) makes the comparison ambiguous: meter from one process, or accept the risk.
	ErrOutcomeUnknown = errs.ErrOutcomeUnknown
	// ErrInvalidRequest: the request broke the reference page's rules; see [*ValidationError].
	ErrInvalidRequest = errs.ErrInvalidRequest
	// ErrNotCached comes with a non-nil *Activation: the update succeeded and its token
	// verified, but the store refused it or did not answer in time (see store.ErrUnavailable), so
	// the next offline Validate will not see it. It matches ErrCacheUnavailable too.
	ErrNotCached = errs.ErrNotCached
	// ErrCacheUnavailable: the store could not be read or written now: the OS keychain is
	// locked, did not answer in time, or refused (see store.ErrUnavailable), or the store
	// failed otherwise. A license may well be cached: [NeedsActivation] is false for it, and the
	// app must not ask for a license key because of it; ask the user to unlock the keychain
	// and try again later. [Client.Activate] returns it before sending anything, unless
	// [ActivationRequest].AllowUncached is set.
	ErrCacheUnavailable = errs.ErrCacheUnavailable
	// ErrBadResponse: the server's answer was not what the API promises: a redirect, a 2xx
	// whose body is not the expected JSON, holds no token or is over 1 MiB.
	ErrBadResponse = errs.ErrBadResponse

	// ErrActivationLimitReached: the server answered ACTIVATION_LIMIT_REACHED; every seat of the
	// license is taken. Nothing was applied; a cached token is kept.
	ErrActivationLimitReached = errs.ErrActivationLimitReached
	// ErrMeterLimitReached: the server answered METER_ATTRIBUTE_USES_LIMIT_REACHED; no increment
	// of the request was counted. A cached token is kept.
	ErrMeterLimitReached = errs.ErrMeterLimitReached
	// ErrLicenseRevoked: the server answered REVOKED_LICENSE; the cached token is dropped.
	ErrLicenseRevoked = errs.ErrLicenseRevoked
	// ErrInvalidLicenseKey: the server answered INVALID_LICENSE_KEY (no such license, or not the
	// activation's); the cached token is dropped.
	ErrInvalidLicenseKey = errs.ErrInvalidLicenseKey
	// ErrInvalidLicenseType: the server answered INVALID_LICENSE_TYPE; the cached token is dropped.
	ErrInvalidLicenseType = errs.ErrInvalidLicenseType
	// ErrInvalidProductID: the server answered INVALID_PRODUCT_ID: [Config.ProductID] is wrong, a
	// bug in the app rather than the user's problem. The cached token is dropped.
	ErrInvalidProductID = errs.ErrInvalidProductID
	// ErrVMNotAllowed: the server answered VM_ACTIVATION_NOT_ALLOWED: the license allows no
	// activation in a virtual machine, or in a container (the API notes give this one code for
	// both). The cached token is dropped.
	ErrVMNotAllowed = errs.ErrVMNotAllowed
	// ErrContainerNotAllowed matches CONTAINER_ACTIVATION_NOT_ALLOWED. It is kept for
	// completeness: that code is inferred, not documented; the server is documented to refuse a
	// container with VM_ACTIVATION_NOT_ALLOWED ([ErrVMNotAllowed]), so check that one too.
	ErrContainerNotAllowed = errs.ErrContainerNotAllowed
	// ErrAuthenticationFailed matches AUTHENTICATION_FAILED. It is a server code kept for
	// completeness: activation calls carry no Authorization header (the license key in the body
	// authenticates them, says the API notes), so the SDK does not expect it.
	ErrAuthenticationFailed = errs.ErrAuthenticationFailed
	// ErrCountryNotAllowed: the server answered COUNTRY_NOT_ALLOWED; the cached token is dropped.
	ErrCountryNotAllowed = errs.ErrCountryNotAllowed
	// ErrIPAddressNotAllowed: the server answered IP_ADDRESS_NOT_ALLOWED; the cached token is
	// dropped.
	ErrIPAddressNotAllowed = errs.ErrIPAddressNotAllowed
	// ErrTrialNotAllowed matches TRIAL_NOT_ALLOWED, the answer of the trial endpoints: the product
	// allows no trial.
	ErrTrialNotAllowed = errs.ErrTrialNotAllowed
	// ErrTrialActivationLimitReached matches TRIAL_ACTIVATION_LIMIT_REACHED, the answer of the
	// trial endpoints: the product's trial activations are used up.
	ErrTrialActivationLimitReached = errs.ErrTrialActivationLimitReached
	// ErrDeactivationLimitReached: [Client.Deactivate] got 409 DEACTIVATION_LIMIT_REACHED; the
	// activation and the cached token stay.
	ErrDeactivationLimitReached = errs.ErrDeactivationLimitReached
)

// APIError is a non-2xx answer from the server. errors.Is(err, ErrLicenseRevoked) matches on
// its Code (every code sentinel likewise); 404 matches ErrActivationNotFound and 429
// ErrRateLimited.
type APIError struct {
	StatusCode    int
	Code, Message string
	// ReasonPhrase is the reasonPhrase some servers add to the body.
	ReasonPhrase string
	// RequestID is the X-Request-Id or X-Amzn-Requestid header, when the server sent one.
	RequestID string
	// Header holds the response's headers, for what the fields above leave out.
	Header http.Header
}

// Error reads "licensing: API error 400 REVOKED_LICENSE: <message>". No field holds the
// request's secrets: the transport removed them from the server's text.
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

// RateLimitError is a 429 whose wait is longer than the retry policy allows; the request was
// not applied. It matches ErrRateLimited, and Err is the server's answer.
type RateLimitError struct {
	// RetryAfter is how long the server asked the client to wait.
	RetryAfter time.Duration
	// Err is the server's answer.
	Err *APIError
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
