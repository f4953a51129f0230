package licensing_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tollgate-dev/tollgate/licensing"
	"github.com/tollgate-dev/tollgate/transport"
)

// TestZeroErrorsPrint: the zero value of every exported error type prints (Error, fmt's verbs),
// unwraps and has a State without a panic. Class: zero values of exported error types (an app
// builds them in its own tests, or errors.As hands one out half-filled).
func TestZeroErrorsPrint(t *testing.T) {
	for _, err := range []error{&licensing.ReleaseNotAllowedError{}, &licensing.UnverifiedError{}, &licensing.ChecksumError{},
		&licensing.ValidationError{}, licensing.FieldError{}, &licensing.APIError{}, &licensing.RateLimitError{},
		&transport.APIError{}, &transport.RateLimitError{}, &transport.StatusError{},
		&licensing.ReleaseNotAllowedError{Err: errors.New("x")}, &licensing.RateLimitError{Err: &licensing.APIError{}}} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%T{}: panics: %v", err, r)
				}
			}()
			if err.Error() == "" {
				t.Errorf("%T{}.Error() is empty", err)
			}
			_ = fmt.Sprintf("%v %+v %s %q", err, err, err, err)
			_ = licensing.StateOf(err)
			_ = errors.Unwrap(err)
			_ = errors.Is(err, licensing.ErrBadResponse)
		}()
	}
}
