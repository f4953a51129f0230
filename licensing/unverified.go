package licensing

import (
	"errors"
	"fmt"

	"github.com/tollgate-dev/tollgate/internal/errs"
	"github.com/tollgate-dev/tollgate/token"
)

// ErrUnverified means the server answered 2xx but the token it returned did not verify: see
// [*UnverifiedError].
var ErrUnverified = errs.ErrUnverified

// UnverifiedError is a 2xx answer whose token did not verify: a bad signature, another
// product, license key, machine or activation. Nothing the token says can be trusted: it is not
// cached, the cached license is kept, and [StateOf] never gives [StateNeedsLicense] (the app
// must not ask for a license key again because of it). It matches [ErrUnverified] and what Err
// wraps ([ErrTokenInvalid], [ErrFingerprintMismatch]).
//
// Without meter increments the request was applied (a seat is taken): it comes with an
// *Activation with only Applied (and Trial) set, and StateOf gives [StateRetryLater]. With
// increments the answer cannot prove it is the API's (anyone who reads this machine's TLS can
// forge it), so it does not prove them counted: it comes with no *Activation, Err wraps
// [ErrOutcomeUnknown] too and StateOf gives [StateOutcomeUnknown]: ask [Client.CheckApplied],
// never resend.
type UnverifiedError struct {
	// PublicKeyLikely is set when the signature did not verify under [Config.PublicKey]: the
	// likely cause is a public key that is not this product's (copy it again from the
	// dashboard); otherwise something between the app and the API forged the answer.
	PublicKeyLikely bool
	Err             error // why the token did not verify, and ErrOutcomeUnknown after increments
}

// Error says whether the request was applied, why the token was refused, and, for a bad
// signature, names Config.PublicKey.
func (e *UnverifiedError) Error() string {
	s := "licensing: the server applied the request, but its token did not verify"
	if errors.Is(e.Err, errs.ErrOutcomeUnknown) {
		s = "licensing: a 2xx answer's token did not verify, so it does not prove the increments were counted"
	}
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

// appliedUnverified is the result of a 2xx answer whose token failed verification with err, to
// a request that sent the increments in sent: an *UnverifiedError, with an Activation that says
// only that the request was applied when it carried no increments; with increments, no
// Activation and ErrOutcomeUnknown. The caller has cached nothing and dropped nothing.
func appliedUnverified(sent []MeterAttribute, trial bool, err error) (*Activation, error) {
	ue := &UnverifiedError{PublicKeyLikely: errors.Is(err, token.ErrBadSignature), Err: err}
	if hasIncrements(sent) {
		ue.Err = fmt.Errorf("%w: %w", errs.ErrOutcomeUnknown, err)
		return nil, ue
	}
	return &Activation{Applied: true, Trial: trial}, ue
}
