package licensing

import (
	"errors"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/token"
)

// ErrUnverified means the server answered 2xx, so it applied the request (a seat is taken, the
// increments are counted), but the token it returned did not verify: see [*UnverifiedError].
var ErrUnverified = errs.ErrUnverified

// UnverifiedError is a 2xx answer whose token did not verify: a bad signature, another
// product, license key, machine or activation. The server applied the request, so it comes with
// an *Activation whose Applied is set and Counted lists the increments (never resend them); no
// other field is set, since nothing the token says can be trusted. The token is not cached and
// the cached license is kept. It matches [ErrUnverified] and what Err wraps ([ErrTokenInvalid],
// [ErrFingerprintMismatch]); [StateOf] gives [StateRetryLater], never [StateNeedsLicense]: the
// app must not ask for a license key again because of it.
type UnverifiedError struct {
	// PublicKeyLikely is set when the signature did not verify under [Config.PublicKey]: the
	// likely cause is a public key that is not this product's (copy it again from the
	// dashboard); otherwise something between the app and the API forged the answer.
	PublicKeyLikely bool
	Err             error // why the token did not verify
}

// Error says that the request was applied, why the token was refused, and, for a bad
// signature, names Config.PublicKey.
func (e *UnverifiedError) Error() string {
	s := "licensing: the server applied the request, but its token did not verify"
	if e.PublicKeyLikely {
		s += " (its signature does not match Config.PublicKey: is that this product's public key?)"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns why the token did not verify.
func (e *UnverifiedError) Unwrap() error { return e.Err }

// Is matches [ErrUnverified].
func (e *UnverifiedError) Is(target error) bool { return target == errs.ErrUnverified }

// appliedUnverified is the result of a 2xx answer whose token failed verification with err: an
// Activation that says only that the request was applied (with the increments of sent), and an
// *UnverifiedError. The caller has cached nothing and dropped nothing.
func appliedUnverified(sent []MeterAttribute, trial bool, err error) (*Activation, error) {
	a := &Activation{Applied: true, Counted: counted(sent), Trial: trial}
	return a, &UnverifiedError{PublicKeyLikely: errors.Is(err, token.ErrBadSignature), Err: err}
}
