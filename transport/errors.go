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

// RateLimitError is a 429 whose wait is longer than the retry policy allows. It wraps
// [ErrRateLimited] and the answer. The request was not applied.
type RateLimitError struct {
	// RetryAfter is how long the server asked the client to wait.
	RetryAfter time.Duration
	// Err is the server's answer.
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

// CheckResponse returns nil for a 2xx answer and the typed error of any other:
//   - a 3xx wraps [ErrBadResponse] (redirects are not followed);
//   - a 429 asking for a wait longer than maxWait ([RetryAfter], read at now) is a
//     [*RateLimitError];
//   - any other is an [*APIError], decoded from at most 64 KiB of the body (JSON or not).
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
	apiErr := decodeAPIError(resp.StatusCode, resp.Header, b, newRedactor(secrets))
	if resp.StatusCode == http.StatusTooManyRequests {
		if d, ok := RetryAfter(resp.Header, now); ok && d > maxWait {
			return &RateLimitError{RetryAfter: d, Err: apiErr}
		}
	}
	return apiErr
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
