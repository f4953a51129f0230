package transport

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tollgate-dev/tollgate/internal/errs"
)

// APIError is a non-2xx answer from the activation API, decoded from its
// {"code","message"} body. It matches the licensing sentinels through errors.Is: on Code for
// every documented server code, 404 on [licensing.ErrActivationNotFound] and 429 on
// [licensing.ErrRateLimited].
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

// Error reads "licensing: API error 400 REVOKED_LICENSE: <message>". The server's message is
// shortened and stripped of control characters; it never holds the request's secrets, which the
// server does not echo.
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
		return target == errs.ErrActivationNotFound
	case http.StatusTooManyRequests:
		return target == errs.ErrRateLimited
	}
	return false
}

// DropsToken reports whether this answer means the cached activation token no longer holds:
// a 404, or one of the codes after which the vendor's own client drops it.
func (e *APIError) DropsToken() bool {
	return e.StatusCode == http.StatusNotFound || errs.DropsToken(e.Code)
}

// RateLimitError is returned, wrapping [licensing.ErrRateLimited] and the last [APIError], when
// the server asks for a wait longer than the retry policy allows. The request was not applied.
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

// Unwrap returns the sentinel and the server's answer.
func (e *RateLimitError) Unwrap() []error {
	if e.Err == nil {
		return []error{errs.ErrRateLimited}
	}
	return []error{errs.ErrRateLimited, e.Err}
}
