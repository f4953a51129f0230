// Package transport sends requests to the activation API, retries them only when that is safe,
// and turns the server's answers into typed errors. It knows nothing of licenses or of a cache:
// package licensing maps its errors to its own.
//
// # Errors
//
// [CheckResponse] is the one function from a non-2xx answer to an error: an [*APIError] for the
// API's answer, a [*RateLimitError] for an answer whose wait is longer than the policy allows,
// [ErrBadResponse] for a redirect. [Client.Do] sends every answer through it.
//
// A status is the API's verdict only when the body is the API's: a 4xx (other than 408 and 429)
// is an [*APIError] only with the API's JSON error, {"code": "...", "message": "..."}. The same
// status from a proxy, a captive portal or a wrong base path (an HTML page, an empty body,
// another JSON shape) is a [*StatusError], which wraps [ErrBadResponse] and holds no
// *APIError, so that a caller never takes a proxy's 404 for "activation not found". 408, 429
// and 5xx mean "later" whatever their body, and stay *APIErrors. Categories are checked with errors.Is: [ErrBadResponse],
// [ErrOutcomeUnknown], [ErrRateLimited].
//
// # Retries
//
// [RetryPolicy] bounds the tries and the waits between them, and holds two decisions as
// function values, as go-retryablehttp does: [CheckRetry] (whether to retry) and [Backoff] (how
// long to wait), with [DefaultCheckRetry] and [DefaultBackoff] when nil. By default network
// failures and 408, 429, 500, 502, 503 and 504 answers are retried; no other 4xx is.
//
// Some rules are not the policy's to change, since breaking them would apply a request twice or
// ignore the server, so [Client.Do] applies them before it asks CheckRetry:
//   - A [Request] marked Unrepeatable (one that carries meter increments) is retried only when
//     the server provably did not act on it: its headers never reached the connection, or the
//     answer was 429. Otherwise the error wraps [ErrOutcomeUnknown].
//   - An answer asking for a wait longer than MaxWait is not slept, whatever its status (RFC
//     9110's Retry-After; a 429's X-Rate-Limit-Reset too): it is returned after that one try as
//     a [*RateLimitError]. A shorter one is the wait, whatever Backoff says.
//   - No wait is longer than MaxWait, and ctx ends every wait; so does MaxElapsed, which bounds
//     the whole call (30 s by default, the vendor's own client's limit for an answer).
//   - A try whose TLS handshake timed out (a peer that takes the connection and never speaks
//     TLS) is not tried again: more tries would only multiply the wait.
//   - A 2xx answer is final.
//
// A caller's CheckRetry can therefore retry less, or retry the safe cases the default does not
// (another status, say), but never resend a request that may have been applied.
//
// # Safety
//
// Bodies are read through limits ([MaxBody] for answers), redirects are refused, the caller's
// *http.Client is copied and never modified, and nothing is logged but the method, path, try
// and status, never a body.
//
// # Secrets
//
// Each [Request] names the secrets it holds ([Request.Secrets]: the license key, a token). The
// server's text is stripped of them where it enters, in any letter case and through invisible
// characters, and in every other spelling internal/redact's Matcher knows (full width,
// separators removed or added, reversed, URL, HTML, base64 or hex encoded, any 8 letters and
// digits in a row): an error body's code, message and reasonPhrase, the headers an [APIError] keeps,
// and the text of a network error (Go's client quotes a malformed answer). No error value or log
// line is built before that. [Request] and [Response] print without their bodies: a Request's
// body holds the license key, a Response's a token.
package transport
