package licensing

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/store"
)

// State is what a result means for the app's user interface: one value per thing the app does
// differently. [StateOf] gives the State of any result.
type State int

// The states, from best to worst.
const (
	// StateLicensed means full features: err is nil, or [ErrNotCached].
	StateLicensed State = iota
	// StateExpired means [ErrExpired]: read-only, offer renewal.
	StateExpired
	// StateSuspended means [ErrSuspended]: the license's owner suspended it.
	StateSuspended
	// StateGracePeriodOver means [ErrGracePeriodOver]: ask the user to go online.
	StateGracePeriodOver
	// StateLeaseExpired means [ErrLeaseExpired]: [Client.Sync] renews it online; ask for no key.
	StateLeaseExpired
	// StateRetryLater means a network error, 5xx, [ErrRateLimited], [ErrBadResponse],
	// [ErrUnverified], an ended ctx, a failed [ReleaseFile.Verify] or any unclassified error: keep the mode, retry later.
	StateRetryLater
	// StateOutcomeUnknown means [ErrOutcomeUnknown]: never resend blindly; see [Client.CheckApplied].
	StateOutcomeUnknown
	// StateFixClock means [ErrClockRolledBack] or [ErrClockOutOfSync]: ask to fix date and time.
	StateFixClock
	// StateCacheUnavailable means [ErrCacheUnavailable]: ask to unlock the keychain, not for a key.
	StateCacheUnavailable
	// StateRefused means a refusal the user can act on (activation, meter or trial limit, VM,
	// country, IP, a refused sign-in, a release the license may not install, any other 4xx
	// [*APIError]): show the error; nothing was applied.
	StateRefused
	// StateNeedsLicense means no usable activation, or a license gone for good (revoked, invalid
	// key, another machine's token, 404; signed out, no license linked to the user): ask for a
	// license key or a sign-in ([NeedsActivation]).
	StateNeedsLicense
	// StateInvalidRequest means [ErrInvalidRequest] or [ErrInvalidProductID]: a bug in the app.
	StateInvalidRequest
	// StateNeedsSecondFactor means [ErrSecondFactorRequired] or [ErrSecondFactorInvalid]: ask
	// for the user's second-factor code and sign in again. (Last, so that the values above keep
	// their numbers.)
	StateNeedsSecondFactor
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

	StateNeedsSecondFactor: "needs the second-factor code",
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
// error it wraps; an ended ctx wins over the store's error that wraps it; and the cache being
// unavailable wins over ErrNotActivated wrapped around it.
var stateRules = []struct {
	err   error
	state State
}{
	{errs.ErrOutcomeUnknown, StateOutcomeUnknown},
	{errs.ErrUnverified, StateRetryLater}, // applied; its token did not verify: never "needs a license"
	{errs.ErrInvalidRequest, StateInvalidRequest},
	{errs.ErrInvalidProductID, StateInvalidRequest},
	// Sign-in and release entitlement (signinerrors.go, releaseallowed.go): before the API's own
	// categories, which a sign-in refusal also matches (AUTHENTICATION_FAILED).
	{ErrSecondFactorRequired, StateNeedsSecondFactor},
	{ErrSecondFactorInvalid, StateNeedsSecondFactor},
	{ErrSignInFailed, StateRefused},
	{ErrIDTokenInvalid, StateRefused},
	{ErrSSONotEnabled, StateRefused},
	{ErrUsersLimitReached, StateRefused},
	{ErrSignInLocked, StateRetryLater},
	{ErrSignedOut, StateNeedsLicense},
	{ErrNoUserLicense, StateNeedsLicense},
	{ErrReleaseNotAllowed, StateRefused},
	{errs.ErrClockRolledBack, StateFixClock},
	{errs.ErrClockOutOfSync, StateFixClock},
	{errs.ErrSuspended, StateSuspended},
	{errs.ErrExpired, StateExpired},
	{errs.ErrGracePeriodOver, StateGracePeriodOver},
	{errs.ErrLeaseExpired, StateLeaseExpired},
	{errs.ErrNotCached, StateLicensed}, // verified just now; only the write to the store failed
	// The caller's ctx ended: its own doing, whichever layer saw it (the keychain included,
	// which wraps it in its ErrUnavailable), never a locked keychain. The store's own time
	// limits do not wrap context.DeadlineExceeded.
	{context.Canceled, StateRetryLater},
	{context.DeadlineExceeded, StateRetryLater},
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
	{ErrStaleToken, StateRetryLater},          // last: the sentinel wrapped beside it says more
}

// StateOf returns the State that err means (see each State): StateLicensed for nil, and
// StateRetryLater for an error the SDK does not classify or a 408, 429 or 5xx [*APIError].
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
