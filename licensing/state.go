package licensing

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/store"
)

// State is what a result of the SDK means for the app's user interface: one value per thing
// the app does differently. [StateOf] derives it from any error the SDK returns; every method's
// result (Validate, Activate, UpdateActivation, Sync, Deactivate, Watch and its callback) maps
// to exactly one State.
type State int

// The states, from best to worst. Where an error comes with a non-nil *Activation (expired,
// suspended, grace over, not cached), the Activation says the details.
const (
	// StateLicensed: the license holds (err is nil, or [ErrNotCached]: confirmed now, but the
	// store did not keep the token). Full features.
	StateLicensed State = iota
	// StateExpired: [ErrExpired]. The license is genuine but expired: read-only, offer renewal.
	StateExpired
	// StateSuspended: [ErrSuspended]. The license is genuine but suspended by its owner.
	StateSuspended
	// StateGracePeriodOver: [ErrGracePeriodOver]. The license has not been confirmed by the
	// server for longer than it allows: ask the user to go online.
	StateGracePeriodOver
	// StateLeaseExpired: [ErrLeaseExpired]. A floating lease lapsed; the key is remembered and
	// [Client.Sync] or [Client.Watch] renews it when online. Do not ask for a key.
	StateLeaseExpired
	// StateRetryLater: the server could not be reached or could not answer now: a network error,
	// a timeout, a 5xx, [ErrRateLimited], [ErrBadResponse], ctx ended, or any error the SDK does
	// not classify (such as the machine's signals not being readable). Nothing changed on this
	// machine: keep the current mode and try again later. A release file that failed
	// [ReleaseFile.Verify] ([ErrChecksumMismatch], [ErrUnsupportedChecksum]) is this state too:
	// do not install it; download it again later.
	StateRetryLater
	// StateOutcomeUnknown: [ErrOutcomeUnknown]. A metered request may have been applied. Never
	// resend it blindly: see [Client.CheckApplied].
	StateOutcomeUnknown
	// StateFixClock: [ErrClockRolledBack] or [ErrClockOutOfSync]. Ask the user to set the
	// system's date and time.
	StateFixClock
	// StateCacheUnavailable: [ErrCacheUnavailable]. The keychain is locked, refused or too slow;
	// a license may well be cached. Ask the user to unlock it, never for a license key.
	StateCacheUnavailable
	// StateRefused: the server refused the request for a reason the user can act on:
	// [ErrActivationLimitReached], [ErrMeterLimitReached], [ErrVMNotAllowed],
	// [ErrContainerNotAllowed], [ErrCountryNotAllowed], [ErrIPAddressNotAllowed],
	// [ErrDeactivationLimitReached], [ErrTrialNotAllowed], [ErrTrialActivationLimitReached], or
	// another 4xx [*APIError] with a code the SDK does not know. Show the error; nothing was
	// applied.
	StateRefused
	// StateNeedsLicense: there is no usable activation on this machine, or the license is gone
	// for good: [ErrNotActivated], [ErrActivationNotFound], [ErrLicenseRevoked],
	// [ErrInvalidLicenseKey], [ErrInvalidLicenseType], [ErrFingerprintMismatch],
	// [ErrTokenInvalid], [ErrAuthenticationFailed]. Ask for a license key ([NeedsActivation]).
	StateNeedsLicense
	// StateInvalidRequest: [ErrInvalidRequest] or [ErrInvalidProductID]: the app's request or
	// configuration is wrong, a bug to fix rather than the user's problem. Nothing was sent, or
	// the server refused it.
	StateInvalidRequest
)

// stateNames are the values of State.String.
var stateNames = [...]string{
	StateLicensed:         "licensed",
	StateExpired:          "expired",
	StateSuspended:        "suspended",
	StateGracePeriodOver:  "grace period over",
	StateLeaseExpired:     "lease expired",
	StateRetryLater:       "retry later",
	StateOutcomeUnknown:   "outcome unknown",
	StateFixClock:         "fix the clock",
	StateCacheUnavailable: "cache unavailable",
	StateRefused:          "refused",
	StateNeedsLicense:     "needs a license",
	StateInvalidRequest:   "invalid request",
}

// String returns the state's name in lower case, such as "needs a license".
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "State(" + strconv.Itoa(int(s)) + ")"
	}
	return stateNames[s]
}

// stateRules maps the sentinels to states, first match wins. The order matters where one error
// matches several sentinels: a state that comes with an Activation (expired, ...) wins over
// ErrNotCached joined to it; ErrNotCached (licensed now, the write failed) wins over the store's
// error it wraps; and the cache being unavailable wins over ErrNotActivated wrapped around it.
var stateRules = []struct {
	err   error
	state State
}{
	{errs.ErrOutcomeUnknown, StateOutcomeUnknown},
	{errs.ErrInvalidRequest, StateInvalidRequest},
	{errs.ErrInvalidProductID, StateInvalidRequest},
	{errs.ErrClockRolledBack, StateFixClock},
	{errs.ErrClockOutOfSync, StateFixClock},
	{errs.ErrSuspended, StateSuspended},
	{errs.ErrExpired, StateExpired},
	{errs.ErrGracePeriodOver, StateGracePeriodOver},
	{errs.ErrLeaseExpired, StateLeaseExpired},
	{errs.ErrNotCached, StateLicensed}, // verified just now; only the write to the store failed
	{errs.ErrCacheUnavailable, StateCacheUnavailable},
	{store.ErrUnavailable, StateCacheUnavailable}, // the keychain's own error, however it is wrapped
	{errs.ErrRateLimited, StateRetryLater},
	{errs.ErrBadResponse, StateRetryLater},
	{errs.ErrNotActivated, StateNeedsLicense},
	{errs.ErrActivationNotFound, StateNeedsLicense},
	{errs.ErrLicenseRevoked, StateNeedsLicense},
	{errs.ErrInvalidLicenseKey, StateNeedsLicense},
	{errs.ErrInvalidLicenseType, StateNeedsLicense},
	{errs.ErrFingerprintMismatch, StateNeedsLicense},
	{errs.ErrTokenInvalid, StateNeedsLicense},
	{errs.ErrAuthenticationFailed, StateNeedsLicense},
	{errs.ErrActivationLimitReached, StateRefused},
	{errs.ErrMeterLimitReached, StateRefused},
	{errs.ErrVMNotAllowed, StateRefused},
	{errs.ErrContainerNotAllowed, StateRefused},
	{errs.ErrCountryNotAllowed, StateRefused},
	{errs.ErrIPAddressNotAllowed, StateRefused},
	{errs.ErrDeactivationLimitReached, StateRefused},
	{errs.ErrTrialNotAllowed, StateRefused},
	{errs.ErrTrialActivationLimitReached, StateRefused},
	{ErrChecksumMismatch, StateRetryLater},    // a bad download: fetch the release again later
	{ErrUnsupportedChecksum, StateRetryLater}, // cannot be checked: do not install; ask again later
}

// StateOf returns the State that err means: StateLicensed for nil, and for every other error
// the state its documentation gives (see each State). An error the SDK does not classify, such
// as a network error or an ended ctx, is StateRetryLater; a non-2xx [*APIError] with an unknown
// code is StateRetryLater for 408, 429 and 5xx and StateRefused otherwise.
//
// It is meant for any result, Watch's callback's included:
//
//	client.Watch(ctx, licensing.Update{}, func(act *licensing.Activation, err error) {
//		ui.Show(licensing.StateOf(err), act)
//	})
func StateOf(err error) State {
	if err == nil {
		return StateLicensed
	}
	if s, ok := ruleFor(err); ok {
		return s
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode < 500 &&
		apiErr.StatusCode != http.StatusRequestTimeout && apiErr.StatusCode != http.StatusTooManyRequests {
		return StateRefused
	}
	return StateRetryLater
}

// ruleFor returns the state of the first sentinel err matches.
func ruleFor(err error) (State, bool) {
	for _, r := range stateRules {
		if errors.Is(err, r.err) {
			return r.state, true
		}
	}
	return 0, false
}
