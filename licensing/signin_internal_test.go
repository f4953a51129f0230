package licensing

import (
	"fmt"
	"testing"
)

// The sign-in and release-entitlement sentinels join the list TestEverySentinelHasAState checks.
func init() {
	for name, e := range map[string]error{
		"ErrSignInFailed": ErrSignInFailed, "ErrSecondFactorRequired": ErrSecondFactorRequired,
		"ErrSecondFactorInvalid": ErrSecondFactorInvalid, "ErrSignInLocked": ErrSignInLocked,
		"ErrIDTokenInvalid": ErrIDTokenInvalid, "ErrSSONotEnabled": ErrSSONotEnabled,
		"ErrUsersLimitReached": ErrUsersLimitReached, "ErrNoUserLicense": ErrNoUserLicense,
		"ErrSignedOut": ErrSignedOut, "ErrReleaseNotAllowed": ErrReleaseNotAllowed,
	} {
		sentinels[name] = e
	}
}

// TestSignInStates: each sign-in refusal has its State, also when the server's answer (whose
// AUTHENTICATION_FAILED alone would mean "needs a license") is in the chain.
func TestSignInStates(t *testing.T) {
	t.Parallel()
	api := func(status int, code string) error { return &APIError{StatusCode: status, Code: code} }
	for _, tc := range []struct {
		err  error
		want State
	}{
		{signInError(api(400, "AUTHENTICATION_FAILED")), StateRefused},
		{signInError(api(401, "UNAUTHORIZED")), StateRefused},
		{signInError(api(400, "TWO_FACTOR_AUTHENTICATION_CODE_MISSING")), StateNeedsSecondFactor},
		{signInError(api(400, "TWO_FACTOR_AUTHENTICATION_CODE_INVALID")), StateNeedsSecondFactor},
		{signInError(api(400, "LOGIN_TEMPORARILY_LOCKED")), StateRetryLater},
		{signInError(api(400, "AUTHENTICATION_ID_TOKEN_INVALID")), StateRefused},
		{signInError(api(400, "OIDC_SSO_NOT_ENABLED")), StateRefused},
		{signInError(api(400, "USERS_LIMIT_REACHED")), StateRefused},
		{signInError(api(429, "")), StateRetryLater},
		{signInError(api(503, "")), StateRetryLater},
		{signInError(api(400, "SOMETHING_NEW")), StateRefused},
		{fmt.Errorf("%w: nothing sent", ErrSignedOut), StateNeedsLicense},
		{&ReleaseNotAllowedError{Release: &Release{Version: "2.0"}}, StateRefused},
	} {
		if got := StateOf(tc.err); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.err, got, tc.want)
		}
	}
	if s := StateNeedsSecondFactor.String(); s != "needs the second-factor code" {
		t.Errorf("StateNeedsSecondFactor is named %q", s)
	}
}
