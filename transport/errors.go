package transport

import (
	"encoding/json"
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
// shortened and stripped of control characters. No field holds the request's secrets: they were
// removed from the server's text, in any letter case, when the answer was read (see
// [Request.Secrets]).
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

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// decodeAPIError builds the APIError of a non-2xx answer from its (bounded) body, which may be
// JSON, HTML, empty or anything else. Every text it keeps, headers included, goes through r
// first.
func decodeAPIError(status int, h http.Header, body []byte, r redactor) *APIError {
	h = r.header(h)
	e := &APIError{StatusCode: status, Header: h, RequestID: h.Get("X-Request-Id")}
	if e.RequestID == "" {
		e.RequestID = h.Get("X-Amzn-Requestid")
	}
	e.RequestID = r.text(e.RequestID, 128)
	var wire struct {
		Code         any `json:"code"`
		Message      any `json:"message"`
		ReasonPhrase any `json:"reasonPhrase"`
	}
	if json.Unmarshal(body, &wire) == nil {
		e.Code = r.text(str(wire.Code), 128)
		e.Message = r.text(str(wire.Message), 512)
		e.ReasonPhrase = r.text(str(wire.ReasonPhrase), 128)
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// str accepts the odd server that sends a number where a string belongs.
func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}
