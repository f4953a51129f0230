// Package transport is the HTTP layer under package licensing: it sends activation requests,
// retries them only when that is safe, and turns the server's answers into typed errors.
//
// # Retries
//
// [RetryPolicy] bounds the tries and the waits between them. Network failures and 408, 429,
// 500, 502, 503 and 504 answers are retried; no other 4xx is. A [Request] marked Unrepeatable
// (one that carries meter increments) is retried only when the server provably did not act on
// it: its headers never reached the connection, or the answer was 429. A wait longer than the
// policy allows is not slept: it is returned as a [*RateLimitError].
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
// characters: an error body's code, message and reasonPhrase, the headers an [APIError] keeps,
// and the text of a network error (Go's client quotes a malformed answer). No error value or log
// line is built before that. [Request] and [Response] print without their bodies.
package transport
