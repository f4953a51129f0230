package licensing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/transport"
)

func TestAPIErrorCategories(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]error{
		"INVALID_ACTIVATION_FINGERPRINT":     ErrFingerprintMismatch,
		"ACTIVATION_LIMIT_REACHED":           ErrActivationLimitReached,
		"METER_ATTRIBUTE_USES_LIMIT_REACHED": ErrMeterLimitReached,
		"AUTHENTICATION_FAILED":              ErrAuthenticationFailed,
		"INVALID_PRODUCT_ID":                 ErrInvalidProductID,
		"INVALID_LICENSE_KEY":                ErrInvalidLicenseKey,
		"INVALID_LICENSE_TYPE":               ErrInvalidLicenseType,
		"VM_ACTIVATION_NOT_ALLOWED":          ErrVMNotAllowed,
		"CONTAINER_ACTIVATION_NOT_ALLOWED":   ErrContainerNotAllowed,
		"REVOKED_LICENSE":                    ErrLicenseRevoked,
		"COUNTRY_NOT_ALLOWED":                ErrCountryNotAllowed,
		"IP_ADDRESS_NOT_ALLOWED":             ErrIPAddressNotAllowed,
		"TRIAL_NOT_ALLOWED":                  ErrTrialNotAllowed,
		"TRIAL_ACTIVATION_LIMIT_REACHED":     ErrTrialActivationLimitReached,
		"DEACTIVATION_LIMIT_REACHED":         ErrDeactivationLimitReached,
	} {
		e := &APIError{StatusCode: 400, Code: code}
		if !errors.Is(e, want) {
			t.Errorf("%s does not match %v", code, want)
		}
		if errors.Is(e, ErrActivationNotFound) || errors.Is(e, ErrExpired) || errors.Is(e, ErrRateLimited) {
			t.Errorf("%s matches an unrelated category", code)
		}
	}
	if !errors.Is(&APIError{StatusCode: 404}, ErrActivationNotFound) {
		t.Error("404 does not match ErrActivationNotFound")
	}
	if !errors.Is(&APIError{StatusCode: 429}, ErrRateLimited) {
		t.Error("429 does not match ErrRateLimited")
	}
}

func TestDropsToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&APIError{StatusCode: 404}, true},
		{&APIError{StatusCode: 400, Code: "REVOKED_LICENSE"}, true},
		{fmt.Errorf("wrapped: %w", &APIError{StatusCode: 400, Code: "INVALID_ACTIVATION_FINGERPRINT"}), true},
		{&APIError{StatusCode: 400, Code: "ACTIVATION_LIMIT_REACHED"}, false},
		{&APIError{StatusCode: 503}, false},
		{ErrBadResponse, false},
		{nil, false},
	} {
		if apiErr, got := dropsToken(tc.err); got != tc.want || got && apiErr == nil {
			t.Errorf("dropsToken(%v) = %v, %v; want %v", tc.err, apiErr, got, tc.want)
		}
	}
}

// TestFromTransport: each shape of transport's errors becomes licensing's, with its categories
// and details, and keeps what it wraps (ctx's errors).
func TestFromTransport(t *testing.T) {
	t.Parallel()
	answer := &transport.APIError{StatusCode: 400, Code: "REVOKED_LICENSE", Message: "revoked", ReasonPhrase: "Bad Request",
		RequestID: "req-1", Header: http.Header{"X-Request-Id": {"req-1"}}}
	want := &APIError{StatusCode: 400, Code: "REVOKED_LICENSE", Message: "revoked", ReasonPhrase: "Bad Request",
		RequestID: "req-1", Header: http.Header{"X-Request-Id": {"req-1"}}}
	if fromTransport(nil) != nil {
		t.Error("nil is not nil")
	}

	var apiErr *APIError
	err := fromTransport(answer)
	if !errors.As(err, &apiErr) || fmt.Sprint(apiErr) != fmt.Sprint(want) || apiErr.Header.Get("X-Request-Id") != "req-1" ||
		!errors.Is(err, ErrLicenseRevoked) || err.Error() != "licensing: API error 400 REVOKED_LICENSE: revoked" {
		t.Errorf("APIError: %#v", err)
	}

	var rl *RateLimitError
	err = fromTransport(&transport.RateLimitError{RetryAfter: time.Hour, Err: &transport.APIError{StatusCode: 429, Message: "slow"}})
	if !errors.As(err, &rl) || rl.RetryAfter != time.Hour || !errors.Is(err, ErrRateLimited) ||
		!errors.As(err, &apiErr) || apiErr.Message != "slow" || err.Error() != "licensing: rate limited: retry after 1h0m0s" {
		t.Errorf("RateLimitError: %#v", err)
	}

	err = fromTransport(fmt.Errorf("%w: the server failed: %w", transport.ErrOutcomeUnknown,
		&transport.APIError{StatusCode: 503, Message: "down"}))
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.As(err, &apiErr) || apiErr.StatusCode != 503 ||
		StateOf(err) != StateOutcomeUnknown || !strings.HasPrefix(err.Error(), "licensing: transport: outcome unknown") {
		t.Errorf("outcome unknown: %v", err)
	}

	err = fromTransport(fmt.Errorf("%w: no token", transport.ErrBadResponse))
	if !errors.Is(err, ErrBadResponse) || errors.As(err, &apiErr) || StateOf(err) != StateRetryLater {
		t.Errorf("bad response: %v", err)
	}

	err = fromTransport(fmt.Errorf("transport: request abandoned: %w", context.Canceled))
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrBadResponse) || errors.Is(err, ErrOutcomeUnknown) ||
		err.Error() != "licensing: transport: request abandoned: context canceled" {
		t.Errorf("ctx ended: %v", err)
	}
}
