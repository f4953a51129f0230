package transport

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzCheckResponse: any non-2xx answer is exactly one of an *APIError (the API's verdict or
// a "later" status), a *StatusError (a 4xx that is not the API's, holding no *APIError) or a
// *RateLimitError, never a panic; and a 4xx verdict is an *APIError exactly when its body is
// the API's error.
func FuzzCheckResponse(f *testing.F) {
	f.Add(404, []byte(`{"code":"ACTIVATION_NOT_FOUND","message":"gone"}`), "")
	f.Add(404, []byte("<html>Not Found</html>"), "")
	f.Add(503, []byte(""), "3600")
	f.Add(400, []byte(`{"code":7,"message":"x"}`), "Wed, 21 Oct 2099 07:28:00 GMT")
	f.Add(409, []byte(`{"code":"","message":""}`), "-5")
	f.Add(429, []byte(`null`), "99999999999999999999")
	now := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, body []byte, retryAfter string) {
		if status < 400 || status > 599 {
			return
		}
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		resp := &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(string(body)))}
		err := CheckResponse(resp, nil, 5*time.Second, now)
		var apiErr *APIError
		var notAPI *StatusError
		var rl *RateLimitError
		isAPI, isNot, isRL := errors.As(err, &apiErr), errors.As(err, &notAPI), errors.As(err, &rl)
		switch {
		case err == nil:
			t.Fatal("no error for a non-2xx answer")
		case isNot && isAPI:
			t.Fatalf("a *StatusError with an *APIError: %v", err)
		case !isAPI && !isNot && !isRL:
			t.Fatalf("untyped: %v", err)
		case verdict(status) && isAPIError(body) && (!isAPI || isRL || apiErr.StatusCode != status):
			t.Fatalf("the API's verdict lost: %v", err)
		case verdict(status) && !isAPIError(body) && isAPI:
			t.Fatalf("a body that is not the API's read as its verdict: %v", err)
		case isRL && rl.RetryAfter <= 5*time.Second:
			t.Fatalf("a wait of %v is within the policy", rl.RetryAfter)
		}
	})
}
