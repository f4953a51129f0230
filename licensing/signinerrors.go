package licensing

import (
	"errors"
	"fmt"
	"net/http"
)

// The errors of sign-in, for errors.Is; the server's answer stays in the chain as an
// [*APIError]. [StateOf] gives each its State.
//
// Documented (the vendor's client's reference, for AuthenticateUser and
// AuthenticateUserWithIdToken): wrong e-mail or password, second-factor code missing, code
// invalid, sign-in temporarily locked (after 5 failed attempts, for 5 minutes), id token
// invalid, OIDC sign-in not enabled, users limit reached, rate limit. Inferred, not
// documented: the server's codes for them, taken to be the client's names without their
// "LA_E_" prefix, as AUTHENTICATION_FAILED is (see signInCodes); and that a 401 from the
// sign-in endpoints, whatever its code, means the credentials were refused.
var (
	// ErrSignInFailed means the e-mail or the password is wrong (AUTHENTICATION_FAILED on
	// sign-in, or a 401): ask again. StateRefused.
	ErrSignInFailed = errors.New("licensing: sign-in failed: wrong e-mail or password")
	// ErrSecondFactorRequired means the user signs in with a second factor: ask for the code and
	// sign in again with PasswordSignIn.SecondFactorCode. StateNeedsSecondFactor.
	ErrSecondFactorRequired = errors.New("licensing: sign-in needs the second-factor code")
	// ErrSecondFactorInvalid means the second-factor code is wrong or used: ask again.
	// StateNeedsSecondFactor.
	ErrSecondFactorInvalid = errors.New("licensing: sign-in: the second-factor code is wrong")
	// ErrSignInLocked means too many failed attempts: sign-in is locked for a while (5 minutes,
	// say the vendor's docs). StateRetryLater.
	ErrSignInLocked = errors.New("licensing: sign-in temporarily locked after failed attempts")
	// ErrIDTokenInvalid means the server refused the OIDC id token. StateRefused.
	ErrIDTokenInvalid = errors.New("licensing: sign-in: the id token was refused")
	// ErrSSONotEnabled means the vendor's account does not allow OIDC sign-in. StateRefused.
	ErrSSONotEnabled = errors.New("licensing: sign-in with an id token is not enabled for this account")
	// ErrUsersLimitReached means the vendor's account has no room for another user. StateRefused.
	ErrUsersLimitReached = errors.New("licensing: sign-in: the account's user limit is reached")
	// ErrNoUserLicense means the signed-in user is linked to no license of this product (the
	// list is empty): offer a license key or a purchase. StateNeedsLicense.
	ErrNoUserLicense = errors.New("licensing: the signed-in user has no license of this product")
	// ErrSignedOut means a Session without an access token (the zero Session, after SignOut) or
	// one the server no longer accepts (401): nothing more is sent with it; sign in again.
	// [Client.Sync] returns it too when a lapsed named-user lease needs the user's credentials
	// (AUTHENTICATION_FAILED): the lease and its key stay remembered; sign in and
	// [Session.Activate] the license, asking for no key. StateNeedsLicense.
	ErrSignedOut = errors.New("licensing: not signed in")
)

// signInCodes maps the sign-in endpoints' error codes to their categories (inferred spelling;
// see above). AUTHENTICATION_FAILED is the code the API notes list for activations.
var signInCodes = map[string]error{
	"AUTHENTICATION_FAILED":                  ErrSignInFailed,
	"TWO_FACTOR_AUTHENTICATION_CODE_MISSING": ErrSecondFactorRequired,
	"TWO_FACTOR_AUTHENTICATION_CODE_INVALID": ErrSecondFactorInvalid,
	"LOGIN_TEMPORARILY_LOCKED":               ErrSignInLocked,
	"AUTHENTICATION_ID_TOKEN_INVALID":        ErrIDTokenInvalid,
	"OIDC_SSO_NOT_ENABLED":                   ErrSSONotEnabled,
	"USERS_LIMIT_REACHED":                    ErrUsersLimitReached,
}

// signInError adds the sign-in category of a sign-in endpoint's refusal to err's chain.
func signInError(err error) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	reason := signInCodes[apiErr.Code]
	if reason == nil && apiErr.StatusCode == http.StatusUnauthorized {
		reason = ErrSignInFailed
	}
	if reason == nil {
		return err
	}
	return fmt.Errorf("%w: %w", reason, err)
}
