package transport

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Categories of the errors [Client.Do] returns, for errors.Is. Their texts carry no secret.
var (
	// ErrBadResponse: the answer is not what the API promises: a redirect, no answer, or a 2xx
	// whose body is over [MaxBody] or not the expected JSON.
	ErrBadResponse = errors.New("transport: unexpected response from server")
	// ErrOutcomeUnknown: an Unrepeatable [Request] failed after it may have been applied: the
	// connection failed once its headers were sent, the server answered 5xx, or a 2xx body could
	// not be read. It was not sent again.
	ErrOutcomeUnknown = errors.New("transport: outcome unknown")
	// ErrRateLimited: the server answered 429. A [*RateLimitError] says how long it asked to wait.
	ErrRateLimited = errors.New("transport: rate limited")
)

// APIError is a non-2xx answer from the activation API, decoded from its {"code","message"}
// body. A 429 matches [ErrRateLimited].
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

// Error reads "transport: API error 400 REVOKED_LICENSE: <message>". No field holds the
// request's secrets (see [Request.Secrets]).
func (e *APIError) Error() string {
	s := "transport: API error " + strconv.Itoa(e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is matches [ErrRateLimited] on a 429.
func (e *APIError) Is(target error) bool {
	return target == ErrRateLimited && e.StatusCode == http.StatusTooManyRequests
}

// RateLimitError is an answer that asks for a longer wait than the retry policy allows: a 429
// (Retry-After or X-Rate-Limit-Reset), or any other answer that is not the API's verdict (a
// 503, a 502, a proxy's page) with a Retry-After. It was not retried. It wraps
// [ErrRateLimited] and, for a 408, 429 or 5xx, the answer. A 429 was not applied; a 5xx to an
// Unrepeatable request may have been (see [ErrOutcomeUnknown]).
type RateLimitError struct {
	// RetryAfter is how long the server asked the client to wait.
	RetryAfter time.Duration
	// Err is the server's answer; nil for an answer that is not the API's (see [StatusError]).
	Err *APIError
}

// Error says how long the server asked to wait.
func (e *RateLimitError) Error() string {
	return "transport: rate limited: retry after " + e.RetryAfter.String()
}

// Unwrap returns the sentinel and the server's answer.
func (e *RateLimitError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrRateLimited}
	}
	return []error{ErrRateLimited, e.Err}
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// StatusError is a 4xx answer (other than 408 and 429) whose body is not the API's JSON error
// ({"code": "...", "message": "..."}): an HTML page from a proxy or a captive portal, an empty
// body, another service's JSON. The status is then not the API's verdict (a 404 from a proxy
// says nothing about the activation), so it wraps [ErrBadResponse] and no [*APIError]: nothing
// is dropped or reported done because of it; retry later.
type StatusError struct {
	StatusCode  int
	ContentType string      // the answer's Content-Type, for a support log
	Header      http.Header // the response's headers, secrets removed
}

// Error reads "transport: unexpected response from server: 404 (text/html) is not the API's answer".
func (e *StatusError) Error() string {
	s := ErrBadResponse.Error() + ": " + strconv.Itoa(e.StatusCode)
	if e.ContentType != "" {
		s += " (" + e.ContentType + ")"
	}
	return s + " is not the API's answer: its body is not the API's JSON error"
}

// Unwrap returns [ErrBadResponse].
func (e *StatusError) Unwrap() error { return ErrBadResponse }

// CheckResponse returns nil for a 2xx answer and the typed error of any other:
//   - a 3xx wraps [ErrBadResponse] (redirects are not followed);
//   - a 4xx other than 408 and 429 is the API's verdict, an [*APIError], only when its body is
//     the API's JSON error (a non-empty string "code" and a string "message"); any other body
//     makes it a [*StatusError], which wraps ErrBadResponse;
//   - any other answer (408, 429, 5xx, or a 4xx that is not the API's) asking for a wait longer
//     than maxWait is a [*RateLimitError]: in Retry-After, or for a 429 also X-Rate-Limit-Reset
//     ([RetryAfter], read at now);
//   - else an [*APIError], decoded from at most 64 KiB of the body (JSON or not), or the
//     StatusError.
//
// secrets are removed from every text kept from the server, as [Request.Secrets] says. The
// caller closes the body.
func CheckResponse(resp *http.Response, secrets []string, maxWait time.Duration, now time.Time) error {
	switch {
	case resp == nil:
		return fmt.Errorf("%w: no response", ErrBadResponse)
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
		return nil
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		return fmt.Errorf("%w: the server answered %d (redirect); redirects are not followed", ErrBadResponse, resp.StatusCode)
	}
	var b []byte
	if resp.Body != nil {
		b, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	}
	r := newRedactor(secrets)
	apiErr := decodeAPIError(resp.StatusCode, resp.Header, b, r)
	if verdict(resp.StatusCode) && isAPIError(b) {
		return apiErr
	}
	var notAPI *StatusError
	if verdict(resp.StatusCode) {
		notAPI = &StatusError{StatusCode: resp.StatusCode, Header: apiErr.Header,
			ContentType: r.text(resp.Header.Get("Content-Type"), 128)}
		apiErr = nil
	}
	if d, ok := waitAsked(resp, now); ok && d > maxWait {
		return &RateLimitError{RetryAfter: d, Err: apiErr}
	}
	if notAPI != nil {
		return notAPI
	}
	return apiErr
}

// verdict reports whether status, a 4xx other than 408 and 429, would be the API's verdict on
// the request, were its body the API's error.
func verdict(status int) bool {
	return status >= 400 && status <= 499 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests
}

// isAPIError reports whether body is the API's JSON error: an object with a non-empty string
// "code" and a string "message" (other members, such as reasonPhrase, are allowed).
func isAPIError(body []byte) bool {
	var w struct {
		Code    *string `json:"code"`
		Message *string `json:"message"`
	}
	return json.Unmarshal(body, &w) == nil && w.Code != nil && *w.Code != "" && w.Message != nil
}

// waitAsked is the wait an answer asks for: Retry-After (RFC 9110) on any status, and
// X-Rate-Limit-Reset too on a 429 (the API sends its rate-limit headers on every answer, so
// there the reset only means a wait when the answer says it was rate limited).
func waitAsked(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp.StatusCode == http.StatusTooManyRequests {
		return RetryAfter(resp.Header, now)
	}
	if resp.Header.Get("Retry-After") == "" {
		return 0, false
	}
	return RetryAfter(http.Header{"Retry-After": resp.Header.Values("Retry-After")}, now)
}

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
